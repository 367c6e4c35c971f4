package eks

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Managed node group version updates: UpdateNodegroupVersion starts one,
// which replaces the group's nodes through the world's replacement engine
// (world/replace.go) at the sandbox's rollout pace; DescribeUpdate and
// ListUpdates follow it. The update's status is its replacement's,
// carried over whenever the engine advances (world.SyncEKSUpdates).

// customAMIType is the AMI type of a node group whose launch template
// names its AMI.
const customAMIType = "CUSTOM"

type updateNodegroupVersionInput struct {
	ClientRequestToken string                `json:"clientRequestToken"`
	Force              bool                  `json:"force"`
	LaunchTemplate     *launchTemplateSpecIn `json:"launchTemplate"`
	ReleaseVersion     string                `json:"releaseVersion"`
	Version            string                `json:"version"`
}

type launchTemplateSpecIn struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

type updateOutput struct {
	Update updateJSON `json:"update"`
}

type updateJSON struct {
	ID        string            `json:"id"`
	Status    string            `json:"status"`
	Type      string            `json:"type"`
	Params    []updateParamJSON `json:"params"`
	CreatedAt float64           `json:"createdAt"`
	Errors    []errorDetailJSON `json:"errors"`
}

type updateParamJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type errorDetailJSON struct {
	ErrorCode    string   `json:"errorCode"`
	ErrorMessage string   `json:"errorMessage"`
	ResourceIDs  []string `json:"resourceIds"`
}

func toUpdateJSON(u *world.EKSUpdate) updateJSON {
	j := updateJSON{ID: u.ID, Status: u.Status, Type: u.Type, CreatedAt: epoch(u.CreatedAt),
		Params: []updateParamJSON{}, Errors: []errorDetailJSON{}}
	for _, p := range u.Params {
		j.Params = append(j.Params, updateParamJSON(p))
	}
	for _, e := range u.Errors {
		j.Errors = append(j.Errors, errorDetailJSON{ErrorCode: e.Code, ErrorMessage: e.Message, ResourceIDs: slices.Clone(e.ResourceIDs)})
	}
	return j
}

func nodegroupNotFound(name string) error {
	return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException", "No node group found for name: %s.", name)
}

func invalidParam(format string, args ...any) error {
	return protocol.Errorf("InvalidParameterException", format, args...)
}

func (s *service) updateNodegroupVersion(ctx context.Context, req *protocol.Request) (any, error) {
	name, ngName := req.PathParams["name"], req.PathParams["nodegroupName"]
	if err := checkName("clusterName", name); err != nil {
		return nil, err
	}
	if err := checkName("nodegroupName", ngName); err != nil {
		return nil, err
	}
	var in updateNodegroupVersionInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	now := s.now()
	var out updateOutput
	err := s.update(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		ng := c.Nodegroups[ngName]
		if ng == nil {
			return nodegroupNotFound(ngName)
		}
		// A retry with the same token gets the update it made.
		if in.ClientRequestToken != "" {
			for _, u := range c.Updates {
				if u.Nodegroup == ngName && u.ClientToken == in.ClientRequestToken {
					out.Update = toUpdateJSON(u)
					return nil
				}
			}
		}
		if w.ActiveReplacement(req.Region, w.KeyOf(c), world.GroupNodegroup, ng.Name) != nil || ng.Status == "UPDATING" {
			return protocol.StatusError(http.StatusConflict, "ResourceInUseException",
				"Nodegroup %s is currently being updated. Wait for the update to finish before starting another.", ngName)
		}
		r := w.Region(req.Region)
		target, img, err := s.targetOf(r, c, ng, in)
		if err != nil {
			return err
		}
		spec := world.ReplaceSpec{
			Cluster: w.KeyOf(c), Kind: world.GroupNodegroup, Group: ng.Name,
			Instances: groupInstances(w, req.Region, c, ng), ImageID: img.ImageID,
			MaxUnavailable: ng.MaxUnavailableOf(), Pace: s.pace, Force: in.Force,
		}
		if target.LaunchTemplate != nil {
			spec.LaunchTemplate = *target.LaunchTemplate
		}
		u := &world.EKSUpdate{
			Type: world.EKSUpdateVersion, Nodegroup: ng.Name, CreatedAt: now,
			ClientToken: in.ClientRequestToken, Status: world.ReplaceInProgress, Target: target,
			Params: updateParams(ng, target),
		}
		ng.Status = "UPDATING"
		rp, err := w.StartReplacement(req.Region, spec, now)
		if err != nil {
			return err
		}
		u.ID, u.Replacement = rp.ID, rp.ID
		c.Updates = append(c.Updates, u)
		// With no pace the replacement may already be over.
		w.SyncEKSUpdates(req.Region, now)
		out.Update = toUpdateJSON(u)
		return nil
	})
	return out, err
}

// targetOf checks what an update asks for against the node group, as EKS
// does, and returns what the group becomes and the AMI its nodes get.
func (s *service) targetOf(r *world.Region, c *world.Cluster, ng *world.Nodegroup, in updateNodegroupVersionInput) (world.NodegroupTarget, *world.Image, error) {
	var t world.NodegroupTarget
	custom := ng.AMIType == customAMIType
	if in.Version != "" {
		if custom {
			return t, nil, invalidParam("You cannot specify the field kubernetesVersion when using custom AMIs.")
		}
		if in.Version != c.Version && in.Version != ng.Version {
			return t, nil, invalidParam("Nodegroup Kubernetes version should be equal to Cluster kubernetes version %s or NodeGroup kubernetes version %s", c.Version, ng.Version)
		}
		t.Version = in.Version
	}
	if custom && in.ReleaseVersion != "" {
		return t, nil, invalidParam("You cannot specify the field releaseVersion when using custom AMIs.")
	}
	if custom && in.LaunchTemplate == nil {
		return t, nil, invalidParam("Launch template details can't be null for Custom ami type node group")
	}
	var ltImage string
	if in.LaunchTemplate != nil {
		ref, imageID, err := groupTemplateVersion(r, ng, in.LaunchTemplate)
		if err != nil {
			return t, nil, err
		}
		switch {
		case custom && imageID == "":
			return t, nil, invalidParam("The launch template version %s does not specify an AMI ID; a node group with a custom AMI needs one in every version.", ref.Version)
		case !custom && imageID != "":
			return t, nil, invalidParam("You cannot specify an AMI ID in the launch template of a node group with amiType %s: only node groups created with a custom AMI (amiType CUSTOM) take one.", ng.AMIType)
		}
		t.LaunchTemplate, ltImage = &ref, imageID
	}
	if custom {
		img := r.Images[ltImage]
		if img == nil || img.StateAt(s.now()) != "available" {
			return t, nil, invalidParam("The AMI %s named by launch template version %s does not exist or is not available.", ltImage, t.LaunchTemplate.Version)
		}
		t.ReleaseVersion = img.ImageID // EKS reports a custom AMI group's AMI as its release version
		return t, img, nil
	}
	return s.releaseTarget(r, c, ng, in, t)
}

// releaseTarget resolves the release version of an update of a group on an
// EKS AMI type: the one asked for, or the newest for its Kubernetes version.
func (s *service) releaseTarget(r *world.Region, c *world.Cluster, ng *world.Nodegroup, in updateNodegroupVersionInput, t world.NodegroupTarget) (world.NodegroupTarget, *world.Image, error) {
	minor := ng.Version
	if t.Version != "" {
		minor = t.Version
	}
	release := in.ReleaseVersion
	if release == "" {
		release = r.LatestWindowsRelease(ng.AMIType, minor)
		if release == "" {
			release = ng.ReleaseVersion
		}
	}
	img := r.WindowsReleaseImage(ng.AMIType, release)
	if img == nil && release == ng.ReleaseVersion {
		img = currentImage(r, c, ng) // a Linux group re-rolled on its own release
	}
	if img == nil || !strings.HasPrefix(release, minor+"-") && !strings.HasPrefix(release, minor+".") {
		return t, nil, invalidParam("Requested release version %s is not valid for kubernetes version %s.", release, minor)
	}
	if release < ng.ReleaseVersion {
		return t, nil, invalidParam("Requested release version %s is older than the node group's release version %s: node groups cannot be rolled back to an earlier AMI version.", release, ng.ReleaseVersion)
	}
	t.ReleaseVersion = release
	return t, img, nil
}

// groupTemplateVersion resolves an update's launch template against the
// group's own: EKS updates a group to another version of the template it
// was created with, never to another template.
func groupTemplateVersion(r *world.Region, ng *world.Nodegroup, in *launchTemplateSpecIn) (world.LaunchTemplateRef, string, error) {
	var ref world.LaunchTemplateRef
	if ng.LaunchTemplate == nil {
		return ref, "", invalidParam("You cannot specify a launch template for node group %s: it was not created with one.", ng.Name)
	}
	if in.ID == "" && in.Name == "" {
		return ref, "", invalidParam("Either launch template ID or name must be specified.")
	}
	if in.ID != "" && in.Name != "" {
		return ref, "", invalidParam("Only one of launch template ID or name may be specified.")
	}
	if in.ID != "" && in.ID != ng.LaunchTemplate.ID || in.Name != "" && in.Name != ng.LaunchTemplate.Name {
		return ref, "", invalidParam("The launch template %s%s is not the node group's launch template %s: a node group is updated to a version of its own launch template.", in.ID, in.Name, ng.LaunchTemplate.ID)
	}
	lt := r.LaunchTemplates[ng.LaunchTemplate.ID]
	if lt == nil {
		return ref, "", invalidParam("Launch template %s does not exist.", ng.LaunchTemplate.ID)
	}
	v := lt.DefaultVersion
	if in.Version != "" {
		n, err := strconv.ParseInt(in.Version, 10, 64)
		switch {
		case in.Version == "$Latest":
			v = lt.LatestVersion
		case in.Version == "$Default":
		case err != nil || n < 1:
			return ref, "", invalidParam("Launch template version %s is not valid: give a version number.", in.Version)
		default:
			v = n
		}
	}
	for _, ver := range lt.Versions {
		if ver.Version == v {
			return world.LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: strconv.FormatInt(v, 10)}, ver.ImageID, nil
		}
	}
	return ref, "", invalidParam("Launch template %s does not have version %d.", lt.LaunchTemplateID, v)
}

// updateParams are the parameters DescribeUpdate shows for a version update.
func updateParams(ng *world.Nodegroup, t world.NodegroupTarget) []world.EKSUpdateParam {
	version := t.Version
	if version == "" {
		version = ng.Version
	}
	var ps []world.EKSUpdateParam
	if ng.AMIType != customAMIType {
		ps = append(ps, world.EKSUpdateParam{Type: "Version", Value: version},
			world.EKSUpdateParam{Type: "ReleaseVersion", Value: t.ReleaseVersion})
	}
	if lt := t.LaunchTemplate; lt != nil {
		ps = append(ps, world.EKSUpdateParam{Type: "LaunchTemplateName", Value: lt.Name},
			world.EKSUpdateParam{Type: "LaunchTemplateVersion", Value: lt.Version})
	}
	return ps
}

// groupInstances are the running instances of the group's nodes, in node
// name order.
func groupInstances(w *world.World, region string, c *world.Cluster, ng *world.Nodegroup) []string {
	var ids []string
	for _, n := range c.Nodes {
		if n.Labels["eks.amazonaws.com/nodegroup"] != ng.Name {
			continue
		}
		id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
		if inst := w.Instance(region, id); inst != nil && inst.State == "running" {
			ids = append(ids, id)
		}
	}
	return ids
}

// currentImage is the AMI the group's nodes run, or nil.
func currentImage(r *world.Region, c *world.Cluster, ng *world.Nodegroup) *world.Image {
	for _, n := range c.Nodes {
		if n.Labels["eks.amazonaws.com/nodegroup"] == ng.Name {
			if img := r.Images[n.Labels["eks.amazonaws.com/nodegroup-image"]]; img != nil {
				return img
			}
		}
	}
	return nil
}

func (s *service) describeUpdate(ctx context.Context, req *protocol.Request) (any, error) {
	name, id := req.PathParams["name"], req.PathParams["updateId"]
	if err := checkName("clusterName", name); err != nil {
		return nil, err
	}
	ngName := req.Query.Get("nodegroupName")
	var out updateOutput
	err := s.view(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		if ngName != "" && c.Nodegroups[ngName] == nil {
			return nodegroupNotFound(ngName)
		}
		for _, u := range c.Updates {
			if u.ID == id && u.Nodegroup == ngName {
				out.Update = toUpdateJSON(u)
				return nil
			}
		}
		return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException", "No update found for ID: %s.", id)
	})
	return out, err
}

type listUpdatesOutput struct {
	UpdateIDs []string `json:"updateIds"`
	NextToken *string  `json:"nextToken,omitempty"`
}

func (s *service) listUpdates(ctx context.Context, req *protocol.Request) (any, error) {
	name := req.PathParams["name"]
	if err := checkName("clusterName", name); err != nil {
		return nil, err
	}
	p, err := parsePage(req)
	if err != nil {
		return nil, err
	}
	ngName := req.Query.Get("nodegroupName")
	out := listUpdatesOutput{UpdateIDs: []string{}}
	err = s.view(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		if ngName != "" && c.Nodegroups[ngName] == nil {
			return nodegroupNotFound(ngName)
		}
		// Pages run oldest first; the token is a position so that IDs,
		// which are not ordered, page correctly.
		var ids []string
		for _, u := range c.Updates {
			if u.Nodegroup == ngName {
				ids = append(ids, u.ID)
			}
		}
		start := 0
		if p.after != "" {
			if i := slices.Index(ids, p.after); i >= 0 {
				start = i + 1
			}
		}
		rest := ids[start:]
		if len(rest) > p.limit {
			rest = rest[:p.limit]
			tok := encodeToken(rest[len(rest)-1])
			out.NextToken = &tok
		}
		out.UpdateIDs = append(out.UpdateIDs, rest...)
		return nil
	})
	return out, err
}
