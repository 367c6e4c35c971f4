package autoscaling

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type preferencesXML struct {
	MinHealthyPercentage      int32           `xml:"MinHealthyPercentage"`
	InstanceWarmup            *int32          `xml:"InstanceWarmup,omitempty"`
	CheckpointPercentages     *members[int32] `xml:"CheckpointPercentages,omitempty"`
	CheckpointDelay           *int32          `xml:"CheckpointDelay,omitempty"`
	SkipMatching              bool            `xml:"SkipMatching"`
	AutoRollback              bool            `xml:"AutoRollback"`
	ScaleInProtectedInstances string          `xml:"ScaleInProtectedInstances"`
	StandbyInstances          string          `xml:"StandbyInstances"`
	BakeTime                  *int32          `xml:"BakeTime,omitempty"`
	MaxHealthyPercentage      *int32          `xml:"MaxHealthyPercentage,omitempty"`
}

type progressXML struct {
	LivePoolProgress struct {
		PercentageComplete int32 `xml:"PercentageComplete"`
		InstancesToUpdate  int32 `xml:"InstancesToUpdate"`
	} `xml:"LivePoolProgress"`
}

type rollbackXML struct {
	RollbackReason               string       `xml:"RollbackReason"`
	RollbackStartTime            string       `xml:"RollbackStartTime"`
	PercentageCompleteOnRollback int32        `xml:"PercentageCompleteOnRollback"`
	InstancesToUpdateOnRollback  int32        `xml:"InstancesToUpdateOnRollback"`
	ProgressDetailsOnRollback    *progressXML `xml:"ProgressDetailsOnRollback"`
}

type refreshXML struct {
	InstanceRefreshID    string         `xml:"InstanceRefreshId"`
	AutoScalingGroupName string         `xml:"AutoScalingGroupName"`
	Status               string         `xml:"Status"`
	StatusReason         string         `xml:"StatusReason,omitempty"`
	StartTime            string         `xml:"StartTime"`
	EndTime              string         `xml:"EndTime,omitempty"`
	PercentageComplete   int32          `xml:"PercentageComplete"`
	InstancesToUpdate    int32          `xml:"InstancesToUpdate"`
	ProgressDetails      *progressXML   `xml:"ProgressDetails"`
	Preferences          preferencesXML `xml:"Preferences"`
	DesiredConfiguration *desiredXML    `xml:"DesiredConfiguration"`
	RollbackDetails      *rollbackXML   `xml:"RollbackDetails"`
	Strategy             string         `xml:"Strategy"`
}

type desiredXML struct {
	LaunchTemplate *launchTemplateXML `xml:"LaunchTemplate"`
}

type describeRefreshesXML struct {
	InstanceRefreshes members[refreshXML] `xml:"InstanceRefreshes"`
	NextToken         string              `xml:"NextToken,omitempty"`
}

// percentDone is a refresh's PercentageComplete and InstancesToUpdate.
func percentDone(total int32, left int) (int32, int32) {
	if total == 0 {
		return 100, 0
	}
	return (total - int32(left)) * 100 / total, int32(left)
}

func toRefreshXML(g *world.AutoScalingGroup, ir *world.InstanceRefresh) refreshXML {
	left := len(ir.ToUpdate)
	if ir.Rollback != nil {
		left = 0 // the forward refresh stopped where the rollback began
	}
	pct, toUpdate := percentDone(ir.Total, left)
	if ir.Rollback != nil {
		pct, toUpdate = ir.Rollback.PercentageAtStart, ir.Rollback.ToUpdateAtStart
	}
	p := ir.Preferences
	out := refreshXML{
		InstanceRefreshID:    ir.ID,
		AutoScalingGroupName: g.Name,
		Status:               ir.Status,
		StatusReason:         ir.StatusReason,
		StartTime:            asgTime(ir.StartTime),
		PercentageComplete:   pct,
		InstancesToUpdate:    toUpdate,
		Strategy:             ir.Strategy,
		Preferences: preferencesXML{
			MinHealthyPercentage: p.MinHealthyPercentage, InstanceWarmup: p.InstanceWarmup,
			CheckpointDelay: p.CheckpointDelay, SkipMatching: p.SkipMatching, AutoRollback: p.AutoRollback,
			ScaleInProtectedInstances: p.ScaleInProtected, StandbyInstances: p.StandbyInstances,
			BakeTime: p.BakeTime, MaxHealthyPercentage: p.MaxHealthyPercentage,
		},
	}
	if len(p.CheckpointPercentages) > 0 {
		out.Preferences.CheckpointPercentages = &members[int32]{p.CheckpointPercentages}
	}
	if ir.EndTime != nil {
		out.EndTime = asgTime(*ir.EndTime)
	}
	out.ProgressDetails = &progressXML{}
	out.ProgressDetails.LivePoolProgress.PercentageComplete = pct
	out.ProgressDetails.LivePoolProgress.InstancesToUpdate = toUpdate
	if ir.Desired != nil {
		out.DesiredConfiguration = &desiredXML{LaunchTemplate: ltXML(*ir.Desired)}
	}
	if rb := ir.Rollback; rb != nil {
		rpct, rleft := percentDone(rb.Total, len(ir.ToUpdate))
		out.RollbackDetails = &rollbackXML{
			RollbackReason: rb.Reason, RollbackStartTime: asgTime(rb.StartTime),
			PercentageCompleteOnRollback: rpct, InstancesToUpdateOnRollback: rleft,
			ProgressDetailsOnRollback: &progressXML{},
		}
		out.RollbackDetails.ProgressDetailsOnRollback.LivePoolProgress.PercentageComplete = rpct
		out.RollbackDetails.ProgressDetailsOnRollback.LivePoolProgress.InstancesToUpdate = rleft
	}
	return out
}

func (s *service) describeInstanceRefreshes(ctx context.Context, req *protocol.Request) (any, error) {
	name, err := groupName(req)
	if err != nil {
		return nil, err
	}
	ids := protocol.List(req, "InstanceRefreshIds.member")
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	var out describeRefreshesXML
	err = s.updateGroup(req, name, func(w *world.World, r *world.Region, g *world.AutoScalingGroup) error {
		var list []*world.InstanceRefresh
		for _, ir := range slices.Backward(g.InstanceRefreshes) { // newest first
			if len(ids) == 0 || slices.Contains(ids, ir.ID) {
				list = append(list, ir)
			}
		}
		pg, next := page(list, func(ir *world.InstanceRefresh) string { return ir.ID }, p)
		for _, ir := range pg {
			out.InstanceRefreshes.Member = append(out.InstanceRefreshes.Member, toRefreshXML(g, ir))
		}
		out.NextToken = next
		return nil
	})
	return out, err
}

type refreshIDXML struct {
	InstanceRefreshID string `xml:"InstanceRefreshId"`
}

// cancelInstanceRefresh stops the group's refresh or rollback: Cancelling
// while the batch under way finishes, then Cancelled. What was replaced
// stays replaced; the group keeps its configuration.
func (s *service) cancelInstanceRefresh(ctx context.Context, req *protocol.Request) (any, error) {
	name, err := groupName(req)
	if err != nil {
		return nil, err
	}
	var out refreshIDXML
	err = s.updateGroup(req, name, func(w *world.World, r *world.Region, g *world.AutoScalingGroup) error {
		now := s.now()
		ir := g.ActiveRefresh()
		if ir == nil || ir.Status == world.RefreshCancelling {
			return protocol.Errorf("ActiveInstanceRefreshNotFound",
				"No in progress or pending Instance Refresh found for Auto Scaling group %s", name)
		}
		if err := s.replacer.Stop(w, req.Region, g, ir.Job); err != nil {
			return resourceContention(err)
		}
		ir.Status, ir.StatusReason = world.RefreshCancelling, "Replacing instances before cancelling."
		ir.NextStepAt = now.Add(s.pace)
		out.InstanceRefreshID = ir.ID
		return nil
	})
	return out, err
}

// rollbackInstanceRefresh undoes the group's active refresh: the instances
// it replaced are replaced again from the previous launch template version.
func (s *service) rollbackInstanceRefresh(ctx context.Context, req *protocol.Request) (any, error) {
	name, err := groupName(req)
	if err != nil {
		return nil, err
	}
	var out refreshIDXML
	err = s.updateGroup(req, name, func(w *world.World, r *world.Region, g *world.AutoScalingGroup) error {
		ir := g.ActiveRefresh()
		if ir == nil || ir.Status == world.RefreshCancelling || ir.Status == world.RefreshRollbackInProgress {
			return protocol.Errorf("ActiveInstanceRefreshNotFound",
				"No in progress or pending Instance Refresh found for Auto Scaling group %s", name)
		}
		if err := reversible(r, ir); err != nil {
			return err
		}
		if err := s.replacer.Stop(w, req.Region, g, ir.Job); err != nil {
			return resourceContention(err)
		}
		s.startRollback(r, g, ir, "Rollback requested by the user.", s.now())
		out.InstanceRefreshID = ir.ID
		return nil
	})
	return out, err
}

// reversible refuses a rollback AWS cannot do: without a desired
// configuration, or when either side names $Latest or $Default (the
// version to go back to would not be fixed).
func reversible(r *world.Region, ir *world.InstanceRefresh) error {
	if ir.Desired == nil {
		return protocol.Errorf("IrreversibleInstanceRefresh",
			"The instance refresh cannot be rolled back: it was started without a desired configuration.")
	}
	for _, v := range []string{ir.Desired.Version, ir.Previous.Version} {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return protocol.Errorf("IrreversibleInstanceRefresh",
				"The instance refresh cannot be rolled back: the launch template version %q is not a fixed version number.", v)
		}
	}
	if lt := r.LaunchTemplateByRef(ir.Previous); lt == nil || lt.ResolveVersion(ir.Previous.Version) == 0 {
		return protocol.Errorf("IrreversibleInstanceRefresh",
			"The instance refresh cannot be rolled back: the previous launch template version no longer exists.")
	}
	return nil
}

// resourceContention is AWS's answer while another change holds the group.
func resourceContention(err error) *protocol.Error {
	return protocol.StatusError(500, "ResourceContention",
		"You already have a pending update to an Auto Scaling resource (%v).", err)
}

// refreshID is a refresh's ID: a version 4 UUID derived from the group
// and its count of refreshes, so that a world replays the same way.
func refreshID(g *world.AutoScalingGroup) string {
	n := len(g.InstanceRefreshes)
	hi, lo := hash64(g.ARN, n), hash64(g.Name, n)
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// updateGroup runs fn on the named group, brought up to the clock first,
// inside one store update.
func (s *service) updateGroup(req *protocol.Request, name string, fn func(*world.World, *world.Region, *world.AutoScalingGroup) error) error {
	return s.store.Update(func(w *world.World) error {
		r, g, err := lookupGroup(w, req, name)
		if err != nil {
			return err
		}
		s.advance(w, req.Region, r, g)
		return fn(w, r, g)
	})
}
