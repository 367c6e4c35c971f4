package eks

import (
	"context"
	"maps"
	"net/http"
	"slices"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type listNodegroupsOutput struct {
	Nodegroups []string `json:"nodegroups"`
	NextToken  *string  `json:"nextToken,omitempty"`
}

func (s *service) listNodegroups(ctx context.Context, req *protocol.Request) (any, error) {
	name := req.PathParams["name"]
	if err := checkName("clusterName", name); err != nil {
		return nil, err
	}
	p, err := parsePage(req)
	if err != nil {
		return nil, err
	}
	out := listNodegroupsOutput{Nodegroups: []string{}}
	err = s.view(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		page, next := p.cut(slices.Sorted(maps.Keys(c.Nodegroups)))
		out.Nodegroups, out.NextToken = append(out.Nodegroups, page...), next
		return nil
	})
	return out, err
}

type describeNodegroupOutput struct {
	Nodegroup nodegroupJSON `json:"nodegroup"`
}

type nodegroupJSON struct {
	NodegroupName  string             `json:"nodegroupName"`
	NodegroupARN   string             `json:"nodegroupArn"`
	ClusterName    string             `json:"clusterName"`
	Version        string             `json:"version"`
	ReleaseVersion string             `json:"releaseVersion,omitempty"`
	CreatedAt      float64            `json:"createdAt"`
	ModifiedAt     float64            `json:"modifiedAt"`
	Status         string             `json:"status"`
	CapacityType   string             `json:"capacityType"`
	ScalingConfig  scalingJSON        `json:"scalingConfig"`
	InstanceTypes  []string           `json:"instanceTypes,omitempty"`
	Subnets        []string           `json:"subnets"`
	AMIType        string             `json:"amiType"`
	NodeRole       string             `json:"nodeRole"`
	Labels         map[string]string  `json:"labels"`
	Resources      resourcesJSON      `json:"resources"`
	DiskSize       *int32             `json:"diskSize,omitempty"`
	Health         healthJSON         `json:"health"`
	UpdateConfig   updateConfigJSON   `json:"updateConfig"`
	LaunchTemplate *launchTemplateRef `json:"launchTemplate,omitempty"`
	Tags           map[string]string  `json:"tags"`
}

type scalingJSON struct {
	MinSize     int32 `json:"minSize"`
	MaxSize     int32 `json:"maxSize"`
	DesiredSize int32 `json:"desiredSize"`
}

type resourcesJSON struct {
	AutoScalingGroups []struct {
		Name string `json:"name"`
	} `json:"autoScalingGroups"`
}

type updateConfigJSON struct {
	MaxUnavailable           int32 `json:"maxUnavailable,omitempty"`
	MaxUnavailablePercentage int32 `json:"maxUnavailablePercentage,omitempty"`
}

type launchTemplateRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	ID      string `json:"id"`
}

func (s *service) describeNodegroup(ctx context.Context, req *protocol.Request) (any, error) {
	name, ngName := req.PathParams["name"], req.PathParams["nodegroupName"]
	if err := checkName("clusterName", name); err != nil {
		return nil, err
	}
	if err := checkName("nodegroupName", ngName); err != nil {
		return nil, err
	}
	var out describeNodegroupOutput
	err := s.view(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		ng := c.Nodegroups[ngName]
		if ng == nil {
			return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException", "No node group found for name: %s.", ngName)
		}
		out.Nodegroup = toNodegroupJSON(c, ng)
		return nil
	})
	return out, err
}

func toNodegroupJSON(c *world.Cluster, ng *world.Nodegroup) nodegroupJSON {
	j := nodegroupJSON{
		NodegroupName:  ng.Name,
		NodegroupARN:   ng.ARN,
		ClusterName:    c.Name,
		Version:        ng.Version,
		ReleaseVersion: ng.ReleaseVersion,
		CreatedAt:      epoch(ng.CreatedAt),
		ModifiedAt:     epoch(ng.ModifiedAt),
		Status:         ng.Status,
		CapacityType:   ng.CapacityType,
		ScalingConfig:  scalingJSON{MinSize: ng.MinSize, MaxSize: ng.MaxSize, DesiredSize: ng.DesiredSize},
		InstanceTypes:  ng.InstanceTypes,
		Subnets:        ng.Subnets,
		AMIType:        ng.AMIType,
		NodeRole:       ng.NodeRole,
		Labels:         maps.Clone(ng.Labels),
		DiskSize:       ng.DiskSize,
		Health:         healthJSON{Issues: []struct{}{}},
		UpdateConfig:   updateConfigJSON{MaxUnavailable: 1},
		Tags:           maps.Clone(ng.Tags),
	}
	j.Resources.AutoScalingGroups = append(j.Resources.AutoScalingGroups, struct {
		Name string `json:"name"`
	}{ng.AutoScalingGroup})
	if uc := ng.UpdateConfig; uc != nil && (uc.MaxUnavailable > 0 || uc.MaxUnavailablePercentage > 0) {
		j.UpdateConfig = updateConfigJSON{MaxUnavailable: uc.MaxUnavailable, MaxUnavailablePercentage: uc.MaxUnavailablePercentage}
	}
	if lt := ng.LaunchTemplate; lt != nil {
		j.LaunchTemplate = &launchTemplateRef{Name: lt.Name, Version: lt.Version, ID: lt.ID}
	}
	if j.Labels == nil {
		j.Labels = map[string]string{}
	}
	if j.Tags == nil {
		j.Tags = map[string]string{}
	}
	return j
}
