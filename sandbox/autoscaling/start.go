package autoscaling

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// startRequest is a decoded, checked StartInstanceRefresh.
type startRequest struct {
	group   string
	desired *world.LaunchTemplateRef
	prefs   world.RefreshPreferences
}

// readStart reads and checks StartInstanceRefresh's parameters, before the
// world is looked at.
func readStart(req *protocol.Request) (startRequest, error) {
	var sr startRequest
	var err error
	if sr.group, err = groupName(req); err != nil {
		return sr, err
	}
	switch st := req.Params.Get("Strategy"); st {
	case "", "Rolling":
	case "ReplaceRootVolume":
		return sr, protocol.Errorf("ValidationError", "The sandbox's Auto Scaling supports the Rolling strategy only.")
	default:
		return sr, validationError(st, "strategy", "Member must satisfy enum value set: [Rolling, ReplaceRootVolume]")
	}
	if req.Params.Get("DesiredConfiguration.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId") != "" ||
		req.Params.Get("DesiredConfiguration.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName") != "" {
		return sr, protocol.Errorf("ValidationError", "The sandbox's Auto Scaling does not support a MixedInstancesPolicy.")
	}
	id := req.Params.Get("DesiredConfiguration.LaunchTemplate.LaunchTemplateId")
	name := req.Params.Get("DesiredConfiguration.LaunchTemplate.LaunchTemplateName")
	version := req.Params.Get("DesiredConfiguration.LaunchTemplate.Version")
	switch {
	case id != "" && name != "":
		return sr, protocol.Errorf("ValidationError", "Valid requests must contain either launchTemplateId or launchTemplateName, not both.")
	case id != "" || name != "":
		sr.desired = &world.LaunchTemplateRef{ID: id, Name: name, Version: version}
	case version != "":
		return sr, protocol.Errorf("ValidationError", "Valid requests must contain either launchTemplateId or launchTemplateName.")
	}
	if sr.prefs, err = readPreferences(req); err != nil {
		return sr, err
	}
	if sr.prefs.AutoRollback && sr.desired == nil {
		return sr, protocol.Errorf("ValidationError",
			"The request isn't valid. The AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty. Set AutoRollback to false or specify a desired configuration and try again.")
	}
	return sr, nil
}

// readPreferences reads Preferences.*, AWS's defaults filled in.
func readPreferences(req *protocol.Request) (world.RefreshPreferences, error) {
	p := world.RefreshPreferences{MinHealthyPercentage: 90, ScaleInProtected: "Wait", StandbyInstances: "Wait"}
	minH, err := intParam(req, "Preferences.MinHealthyPercentage", "preferences.minHealthyPercentage", 0, 100)
	if err != nil {
		return p, err
	}
	if minH != nil {
		p.MinHealthyPercentage = *minH
	}
	if p.MaxHealthyPercentage, err = intParam(req, "Preferences.MaxHealthyPercentage", "preferences.maxHealthyPercentage", 100, 200); err != nil {
		return p, err
	}
	if p.MaxHealthyPercentage != nil {
		if minH == nil {
			return p, protocol.Errorf("ValidationError", "You must specify MinHealthyPercentage when you specify MaxHealthyPercentage.")
		}
		if *p.MaxHealthyPercentage-*minH > 100 {
			return p, protocol.Errorf("ValidationError", "The difference between MaxHealthyPercentage and MinHealthyPercentage cannot be greater than 100.")
		}
	}
	if p.InstanceWarmup, err = intParam(req, "Preferences.InstanceWarmup", "preferences.instanceWarmup", 0, 1<<31-1); err != nil {
		return p, err
	}
	if p.CheckpointDelay, err = intParam(req, "Preferences.CheckpointDelay", "preferences.checkpointDelay", 0, 172800); err != nil {
		return p, err
	}
	if p.BakeTime, err = intParam(req, "Preferences.BakeTime", "preferences.bakeTime", 0, 172800); err != nil {
		return p, err
	}
	for _, v := range protocol.List(req, "Preferences.CheckpointPercentages.member") {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > 100 {
			return p, validationError(v, "preferences.checkpointPercentages", "Member must have value between 1 and 100")
		}
		if k := len(p.CheckpointPercentages); k > 0 && int32(n) <= p.CheckpointPercentages[k-1] {
			return p, protocol.Errorf("ValidationError", "Checkpoint percentages must be unique and in ascending order.")
		}
		p.CheckpointPercentages = append(p.CheckpointPercentages, int32(n))
	}
	if p.CheckpointDelay != nil && len(p.CheckpointPercentages) == 0 {
		return p, protocol.Errorf("ValidationError", "You must specify CheckpointPercentages when you specify CheckpointDelay.")
	}
	if len(p.CheckpointPercentages) > 0 && p.CheckpointDelay == nil {
		def := int32(3600)
		p.CheckpointDelay = &def
	}
	if p.SkipMatching, err = boolParam(req, "Preferences.SkipMatching", "preferences.skipMatching"); err != nil {
		return p, err
	}
	if p.AutoRollback, err = boolParam(req, "Preferences.AutoRollback", "preferences.autoRollback"); err != nil {
		return p, err
	}
	if v := req.Params.Get("Preferences.ScaleInProtectedInstances"); v != "" {
		if !slices.Contains([]string{"Refresh", "Ignore", "Wait"}, v) {
			return p, validationError(v, "preferences.scaleInProtectedInstances", "Member must satisfy enum value set: [Refresh, Ignore, Wait]")
		}
		p.ScaleInProtected = v
	}
	if v := req.Params.Get("Preferences.StandbyInstances"); v != "" {
		if !slices.Contains([]string{"Terminate", "Ignore", "Wait"}, v) {
			return p, validationError(v, "preferences.standbyInstances", "Member must satisfy enum value set: [Terminate, Ignore, Wait]")
		}
		p.StandbyInstances = v
	}
	return p, nil
}

// resolveRef checks a launch template reference against the region and
// returns it with both ID and name, and the version number it names now.
func resolveRef(r *world.Region, ref world.LaunchTemplateRef) (world.LaunchTemplateRef, int64, error) {
	lt := r.LaunchTemplateByRef(ref)
	if lt == nil {
		if ref.ID != "" {
			return ref, 0, protocol.Errorf("ValidationError", "The specified launch template, with template ID %s, does not exist.", ref.ID)
		}
		return ref, 0, protocol.Errorf("ValidationError", "The specified launch template, with template name %s, does not exist.", ref.Name)
	}
	n := lt.ResolveVersion(ref.Version)
	if n == 0 {
		return ref, 0, protocol.Errorf("ValidationError",
			"The specified launch template, with template ID %s, does not have version %s.", lt.LaunchTemplateID, ref.Version)
	}
	if ref.Version == "" {
		ref.Version = "$Default"
	}
	ref.ID, ref.Name = lt.LaunchTemplateID, lt.LaunchTemplateName
	return ref, n, nil
}

func (s *service) startInstanceRefresh(ctx context.Context, req *protocol.Request) (any, error) {
	sr, err := readStart(req)
	if err != nil {
		return nil, err
	}
	var out refreshIDXML
	err = s.store.Update(func(w *world.World) error {
		r, g, err := lookupGroup(w, req, sr.group)
		if err != nil {
			return err
		}
		now := s.now()
		s.advance(w, req.Region, r, g)
		if g.ActiveRefresh() != nil {
			return protocol.Errorf("InstanceRefreshInProgress",
				"An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.")
		}
		for _, gi := range g.Instances {
			if gi.LifecycleState != "InService" {
				return resourceContention(fmt.Errorf("instance %s is %s", gi.InstanceID, gi.LifecycleState))
			}
		}
		target := g.LaunchTemplate
		if sr.desired != nil {
			target = *sr.desired
		}
		target, version, err := resolveRef(r, target)
		if err != nil {
			return err
		}
		if sr.desired != nil {
			sr.desired = &target
		}
		ir := &world.InstanceRefresh{
			ID: refreshID(g), Strategy: "Rolling", Status: world.RefreshPending,
			StartTime: now, NextStepAt: now.Add(s.pace),
			Desired: sr.desired, Previous: g.LaunchTemplate, Preferences: sr.prefs,
		}
		for _, gi := range g.Instances {
			if sr.prefs.SkipMatching && onVersion(gi, target.ID, version) {
				continue
			}
			ir.ToUpdate = append(ir.ToUpdate, gi.InstanceID)
		}
		ir.Total = int32(len(ir.ToUpdate))
		if ir.Total == 0 {
			// Nothing to replace (skip matching): done at once, as AWS does.
			s.succeed(g, ir, now)
		}
		g.InstanceRefreshes = append(g.InstanceRefreshes, ir)
		out.InstanceRefreshID = ir.ID
		return nil
	})
	return out, err
}

// onVersion reports an instance launched from that template version.
func onVersion(gi *world.GroupInstance, id string, version int64) bool {
	return gi.LaunchTemplate.ID == id && gi.LaunchTemplate.Version == strconv.FormatInt(version, 10)
}
