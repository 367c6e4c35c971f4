package autoscaling

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type launchTemplateXML struct {
	LaunchTemplateID   string `xml:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `xml:"LaunchTemplateName,omitempty"`
	Version            string `xml:"Version,omitempty"`
}

type groupInstanceXML struct {
	InstanceID           string             `xml:"InstanceId"`
	InstanceType         string             `xml:"InstanceType"`
	AvailabilityZone     string             `xml:"AvailabilityZone"`
	LifecycleState       string             `xml:"LifecycleState"`
	HealthStatus         string             `xml:"HealthStatus"`
	LaunchTemplate       *launchTemplateXML `xml:"LaunchTemplate"`
	ProtectedFromScaleIn bool               `xml:"ProtectedFromScaleIn"`
}

type tagXML struct {
	ResourceID        string `xml:"ResourceId"`
	ResourceType      string `xml:"ResourceType"`
	Key               string `xml:"Key"`
	Value             string `xml:"Value"`
	PropagateAtLaunch bool   `xml:"PropagateAtLaunch"`
}

// members is a list that is sent even when empty (<X/>), as Auto Scaling
// sends a group's empty lists.
type members[T any] struct {
	Member []T `xml:"member"`
}

type groupXML struct {
	AutoScalingGroupName             string                    `xml:"AutoScalingGroupName"`
	AutoScalingGroupARN              string                    `xml:"AutoScalingGroupARN"`
	LaunchTemplate                   *launchTemplateXML        `xml:"LaunchTemplate"`
	MinSize                          int32                     `xml:"MinSize"`
	MaxSize                          int32                     `xml:"MaxSize"`
	DesiredCapacity                  int32                     `xml:"DesiredCapacity"`
	DefaultCooldown                  int32                     `xml:"DefaultCooldown"`
	AvailabilityZones                members[string]           `xml:"AvailabilityZones"`
	LoadBalancerNames                members[string]           `xml:"LoadBalancerNames"`
	TargetGroupARNs                  members[string]           `xml:"TargetGroupARNs"`
	HealthCheckType                  string                    `xml:"HealthCheckType"`
	HealthCheckGracePeriod           int32                     `xml:"HealthCheckGracePeriod"`
	Instances                        members[groupInstanceXML] `xml:"Instances"`
	CreatedTime                      string                    `xml:"CreatedTime"`
	SuspendedProcesses               members[string]           `xml:"SuspendedProcesses"`
	VPCZoneIdentifier                string                    `xml:"VPCZoneIdentifier"`
	EnabledMetrics                   members[string]           `xml:"EnabledMetrics"`
	Tags                             members[tagXML]           `xml:"Tags"`
	TerminationPolicies              members[string]           `xml:"TerminationPolicies"`
	NewInstancesProtectedFromScaleIn bool                      `xml:"NewInstancesProtectedFromScaleIn"`
	ServiceLinkedRoleARN             string                    `xml:"ServiceLinkedRoleARN"`
	CapacityRebalance                bool                      `xml:"CapacityRebalance"`
	TrafficSources                   members[string]           `xml:"TrafficSources"`
}

type describeGroupsXML struct {
	AutoScalingGroups members[groupXML] `xml:"AutoScalingGroups"`
	NextToken         string            `xml:"NextToken,omitempty"`
}

func ltXML(ref world.LaunchTemplateRef) *launchTemplateXML {
	return &launchTemplateXML{LaunchTemplateID: ref.ID, LaunchTemplateName: ref.Name, Version: ref.Version}
}

func toGroupXML(g *world.AutoScalingGroup) groupXML {
	out := groupXML{
		AutoScalingGroupName:             g.Name,
		AutoScalingGroupARN:              g.ARN,
		LaunchTemplate:                   ltXML(g.LaunchTemplate),
		MinSize:                          g.MinSize,
		MaxSize:                          g.MaxSize,
		DesiredCapacity:                  g.DesiredCapacity,
		DefaultCooldown:                  g.DefaultCooldown,
		AvailabilityZones:                members[string]{g.AvailabilityZones},
		HealthCheckType:                  g.HealthCheckType,
		HealthCheckGracePeriod:           g.HealthCheckGracePeriod,
		CreatedTime:                      asgTime(g.CreatedTime),
		VPCZoneIdentifier:                g.VPCZoneIdentifier,
		TerminationPolicies:              members[string]{g.TerminationPolicies},
		NewInstancesProtectedFromScaleIn: g.NewInstancesProtected,
		ServiceLinkedRoleARN:             g.ServiceLinkedRoleARN,
		CapacityRebalance:                g.CapacityRebalance,
	}
	for _, gi := range g.Instances {
		out.Instances.Member = append(out.Instances.Member, groupInstanceXML{
			InstanceID: gi.InstanceID, InstanceType: gi.InstanceType, AvailabilityZone: gi.AvailabilityZone,
			LifecycleState: gi.LifecycleState, HealthStatus: gi.HealthStatus,
			LaunchTemplate: ltXML(gi.LaunchTemplate), ProtectedFromScaleIn: gi.Protected,
		})
	}
	for _, k := range slices.Sorted(maps.Keys(g.Tags)) {
		out.Tags.Member = append(out.Tags.Member, tagXML{
			ResourceID: g.Name, ResourceType: "auto-scaling-group", Key: k, Value: g.Tags[k],
			PropagateAtLaunch: !slices.Contains(g.UntaggedOnLaunch, k),
		})
	}
	return out
}

// groupFilter is one of DescribeAutoScalingGroups' Filters: tag-key,
// tag-value, or tag:<key>.
type groupFilter struct {
	name   string
	values []string
}

// readGroupFilters reads Filters.member.N.Name / .Values.member.M.
func readGroupFilters(req *protocol.Request) ([]groupFilter, error) {
	var out []groupFilter
	for i := 1; ; i++ {
		prefix := "Filters.member." + itoa(i)
		name, ok := req.Params[prefix+".Name"]
		values := protocol.List(req, prefix+".Values.member")
		if !ok && len(values) == 0 {
			return out, nil
		}
		if !ok || name[0] == "" {
			return nil, protocol.Errorf("ValidationError", "Filter %d has no Name.", i)
		}
		n := name[0]
		if n != "tag-key" && n != "tag-value" && !strings.HasPrefix(n, "tag:") {
			return nil, protocol.Errorf("ValidationError",
				"Filter name %s is not valid: use tag-key, tag-value or tag:<key>.", n)
		}
		out = append(out, groupFilter{name: n, values: values})
	}
}

// match reports a group every filter matches (values within one filter
// are alternatives).
func matchFilters(g *world.AutoScalingGroup, filters []groupFilter) bool {
	for _, f := range filters {
		ok := false
		for k, v := range g.Tags {
			switch {
			case f.name == "tag-key":
				ok = ok || slices.Contains(f.values, k)
			case f.name == "tag-value":
				ok = ok || slices.Contains(f.values, v)
			default:
				ok = ok || (k == strings.TrimPrefix(f.name, "tag:") && slices.Contains(f.values, v))
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *service) describeAutoScalingGroups(ctx context.Context, req *protocol.Request) (any, error) {
	names := protocol.List(req, "AutoScalingGroupNames.member")
	filters, err := readGroupFilters(req)
	if err != nil {
		return nil, err
	}
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	// At most 50 names, or MaxRecords when it is larger, as the API
	// reference puts it.
	if len(names) > max(50, p.limit) {
		return nil, protocol.Errorf("ValidationError",
			"You can specify at most %d Auto Scaling group names; raise MaxRecords (up to 100) for more.", max(50, p.limit))
	}
	withInstances, err := boolParam(req, "IncludeInstances", "includeInstances")
	if err != nil {
		return nil, err
	}
	if req.Params.Get("IncludeInstances") == "" {
		withInstances = true // the default
	}
	var out describeGroupsXML
	err = s.store.Update(func(w *world.World) error {
		r := w.Region(req.Region)
		if r == nil {
			return nil
		}
		s.advanceRegion(w, req.Region, r)
		var groups []*world.AutoScalingGroup
		caller := w.CallerAccount(req.AccessKey)
		for _, name := range slices.Sorted(maps.Keys(r.AutoScalingGroups)) {
			g := r.AutoScalingGroups[name]
			// Another account's group is not the caller's to see.
			if w.GroupOwner(g) != caller || len(names) > 0 && !slices.Contains(names, name) {
				continue
			}
			if matchFilters(g, filters) {
				groups = append(groups, g)
			}
		}
		pg, next := page(groups, func(g *world.AutoScalingGroup) string { return g.Name }, p)
		for _, g := range pg {
			x := toGroupXML(g)
			if !withInstances {
				x.Instances.Member = nil
			}
			out.AutoScalingGroups.Member = append(out.AutoScalingGroups.Member, x)
		}
		out.NextToken = next
		return nil
	})
	return out, err
}
