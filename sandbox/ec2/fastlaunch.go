package ec2

import (
	"context"
	"slices"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// fastLaunchResult is the reply of EnableFastLaunch and DisableFastLaunch,
// and one item of DescribeFastLaunchImages: the same members in each.
type fastLaunchResult struct {
	ImageID               string              `xml:"imageId"`
	ResourceType          string              `xml:"resourceType"`
	SnapshotConfiguration snapshotConfigXML   `xml:"snapshotConfiguration"`
	LaunchTemplate        *launchTemplateSpec `xml:"launchTemplate,omitempty"`
	MaxParallelLaunches   int32               `xml:"maxParallelLaunches"`
	OwnerID               string              `xml:"ownerId"`
	State                 string              `xml:"state"`
	StateTransitionReason string              `xml:"stateTransitionReason,omitempty"`
	StateTransitionTime   string              `xml:"stateTransitionTime"`
}

type snapshotConfigXML struct {
	TargetResourceCount int32 `xml:"targetResourceCount"`
}

type launchTemplateSpec struct {
	LaunchTemplateID   string `xml:"launchTemplateId,omitempty"`
	LaunchTemplateName string `xml:"launchTemplateName,omitempty"`
	Version            string `xml:"version"`
}

func toFastLaunch(fl *world.FastLaunch) fastLaunchResult {
	out := fastLaunchResult{
		ImageID:               fl.ImageID,
		ResourceType:          fl.ResourceType,
		SnapshotConfiguration: snapshotConfigXML{TargetResourceCount: fl.TargetResourceCount},
		MaxParallelLaunches:   fl.MaxParallelLaunches,
		OwnerID:               fl.OwnerID,
		State:                 fl.State,
		StateTransitionReason: fl.StateTransitionReason,
		StateTransitionTime:   timestamp(fl.StateTransitionTime),
	}
	if lt := fl.LaunchTemplate; lt != nil {
		out.LaunchTemplate = &launchTemplateSpec{LaunchTemplateID: lt.LaunchTemplateID, LaunchTemplateName: lt.LaunchTemplateName, Version: lt.Version}
	}
	return out
}

// enableRequest is a decoded EnableFastLaunch request.
type enableRequest struct {
	imageID      string
	snapshots    int32
	parallel     int32
	templateID   string
	templateName string
	version      string
}

func parseEnable(req *protocol.Request) (enableRequest, error) {
	p := req.Params
	e := enableRequest{
		imageID:    p.Get("ImageId"),
		snapshots:  world.DefaultFastLaunchSnapshots,
		parallel:   world.DefaultFastLaunchParallelLaunches,
		templateID: p.Get("LaunchTemplate.LaunchTemplateId"), templateName: p.Get("LaunchTemplate.LaunchTemplateName"),
		version: p.Get("LaunchTemplate.Version"),
	}
	if err := checkImageID(e.imageID); err != nil {
		return e, err
	}
	if rt := p.Get("ResourceType"); rt != "" && rt != "snapshot" {
		return e, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter resourceType is invalid. Valid values: snapshot", rt)
	}
	var err error
	if e.snapshots, err = int32Param(req, "SnapshotConfiguration.TargetResourceCount", e.snapshots); err != nil {
		return e, err
	}
	if e.snapshots < 1 {
		return e, protocol.Errorf("InvalidParameterValue", "Value (%d) for parameter snapshotConfiguration.targetResourceCount is invalid. The value must be 1 or greater.", e.snapshots)
	}
	if e.parallel, err = int32Param(req, "MaxParallelLaunches", e.parallel); err != nil {
		return e, err
	}
	if e.parallel < world.MinFastLaunchParallelLaunches {
		return e, protocol.Errorf("InvalidParameterValue", "Value (%d) for parameter maxParallelLaunches is invalid. The value must be %d or greater.",
			e.parallel, world.MinFastLaunchParallelLaunches)
	}
	switch {
	case e.templateID != "" && e.templateName != "":
		return e, protocol.Errorf("InvalidParameterCombination", "Specify either the launch template ID or the launch template name, not both.")
	case (e.templateID != "" || e.templateName != "") && e.version == "":
		return e, protocol.Errorf("MissingParameter", "The request must contain the parameter launchTemplate.version")
	case e.templateID == "" && e.templateName == "" && e.version != "":
		return e, protocol.Errorf("MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")
	case e.templateID != "":
		return e, checkTemplateID(e.templateID)
	case e.templateName != "":
		return e, checkTemplateName(e.templateName)
	}
	return e, nil
}

func int32Param(req *protocol.Request, name string, def int32) (int32, error) {
	v := req.Params.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, protocol.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", v, lowerFirst(name))
	}
	return int32(n), nil
}

func checkImageID(id string) error {
	switch {
	case id == "":
		return protocol.Errorf("MissingParameter", "The request must contain the parameter ImageId")
	case !amiIDPattern().MatchString(id):
		return protocol.Errorf("InvalidAMIID.Malformed", `Invalid id: "%s" (expecting "ami-...")`, id)
	}
	return nil
}

// fastLaunchImage is the AMI a Fast Launch call names, if the account may
// configure Fast Launch for it: its own, or one shared with it by account.
// An AMI it sees only because it is public (Amazon's EKS AMIs) is refused.
func fastLaunchImage(r *world.Region, account, id string) (*world.Image, error) {
	img := r.Images[id]
	if img == nil || !visible(img, account) {
		return nil, protocol.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	if img.OwnerID != account && !slices.Contains(img.LaunchPermissions, account) {
		return nil, protocol.Errorf("InvalidParameter",
			"The image %s is not owned by or shared with account %s. Windows fast launch can be configured only for images that you own or that are shared with you.", id, account)
	}
	if img.Platform != "windows" {
		return nil, protocol.Errorf("InvalidParameter", "The image %s is not a Windows image. Windows fast launch supports Windows AMIs only.", id)
	}
	return img, nil
}

// enableFastLaunch starts (or reconfigures) Fast Launch for the caller's
// account: enabling now, enabled once the pace has passed. Checks EC2 makes
// only once it tries (a default VPC when no launch template is given) end
// in enabling-failed, as they do in EC2.
func (s *service) enableFastLaunch(ctx context.Context, req *protocol.Request) (any, error) {
	e, err := parseEnable(req)
	if err != nil {
		return nil, err
	}
	var out fastLaunchResult
	err = s.update(ctx, func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		img, err := fastLaunchImage(r, account, e.imageID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		settleAll(r, account, now, s.fastLaunchPace)
		current := img.FastLaunch[account]
		if current != nil && current.State == world.FastLaunchDisabling {
			return protocol.Errorf("IncorrectState",
				"Windows fast launch for image %s is being disabled. Wait until its pre-provisioned snapshots are removed before you enable it again.", e.imageID)
		}
		lt, err := e.template(r)
		if err != nil {
			return err
		}
		if used := parallelLaunchesInUse(r, account, e.imageID); used+e.parallel > world.FastLaunchParallelLaunchQuota {
			return protocol.Errorf("ResourceLimitExceeded",
				"You have exceeded the quota of %d parallel launches for Windows fast launch in this Region: %d are in use by other images and %d were requested.",
				world.FastLaunchParallelLaunchQuota, used, e.parallel)
		}
		w.EnsureServiceLinkedRole(account, world.FastLaunchService, now)
		fl := &world.FastLaunch{
			ImageID:               img.ImageID,
			ResourceType:          "snapshot",
			TargetResourceCount:   e.snapshots,
			MaxParallelLaunches:   e.parallel,
			LaunchTemplate:        lt,
			OwnerID:               img.OwnerID,
			State:                 world.FastLaunchEnabling,
			StateTransitionReason: reasonUserInitiated,
			StateTransitionTime:   now,
		}
		if lt == nil && !r.HasDefaultVPC() {
			fl.PendingFailure = world.FastLaunchNoDefaultVPC
		}
		if img.FastLaunch == nil {
			img.FastLaunch = map[string]*world.FastLaunch{}
		}
		img.FastLaunch[account] = fl
		out = toFastLaunch(fl)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// template resolves the request's launch template in the region, as EC2
// answers a template that does not exist.
func (e enableRequest) template(r *world.Region) (*world.FastLaunchTemplate, error) {
	switch {
	case e.templateID != "":
		lt := r.LaunchTemplates[e.templateID]
		if lt == nil {
			return nil, templateIDNotFound(e.templateID)
		}
		return &world.FastLaunchTemplate{LaunchTemplateID: lt.LaunchTemplateID, Version: e.version}, nil
	case e.templateName != "":
		lt := templateByName(r, e.templateName)
		if lt == nil {
			return nil, protocol.Errorf("InvalidLaunchTemplateName.NotFoundException",
				"At least one of the launch templates specified in the request does not exist.")
		}
		return &world.FastLaunchTemplate{LaunchTemplateName: lt.LaunchTemplateName, Version: e.version}, nil
	}
	return nil, nil
}

// parallelLaunchesInUse sums MaxParallelLaunches over the account's Fast
// Launch images in the region other than except: the quota counts every
// image that holds launch capacity, failed ones included, until disabled.
func parallelLaunchesInUse(r *world.Region, account, except string) int32 {
	var sum int32
	for id, img := range r.Images {
		if fl := img.FastLaunch[account]; fl != nil && id != except {
			sum += fl.MaxParallelLaunches
		}
	}
	return sum
}

// disableFastLaunch starts removing Fast Launch for the caller's account:
// disabling now, gone once the pace has passed. While it is still enabling,
// only Force stops it.
func (s *service) disableFastLaunch(ctx context.Context, req *protocol.Request) (any, error) {
	id := req.Params.Get("ImageId")
	if err := checkImageID(id); err != nil {
		return nil, err
	}
	force, err := boolParam(req, "Force")
	if err != nil {
		return nil, err
	}
	var out fastLaunchResult
	err = s.update(ctx, func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		account := w.CallerAccount(req.AccessKey)
		img, err := fastLaunchImage(r, account, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		settleAll(r, account, now, s.fastLaunchPace)
		fl := img.FastLaunch[account]
		switch {
		case fl == nil:
			return protocol.Errorf("InvalidParameter", "Windows fast launch is not enabled for image %s.", id)
		case fl.State == world.FastLaunchEnabling && !force:
			return protocol.Errorf("IncorrectState",
				"Windows fast launch for image %s is still being enabled. Wait until it is enabled, or use Force to disable it now.", id)
		case fl.State != world.FastLaunchDisabling:
			fl.State, fl.StateTransitionReason, fl.StateTransitionTime, fl.PendingFailure = world.FastLaunchDisabling, reasonUserInitiated, now, ""
		}
		out = toFastLaunch(fl)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
