package autoscaling

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// advanceRegion advances every group's refresh of the region.
func (s *service) advanceRegion(w *world.World, region string, r *world.Region) {
	for _, name := range slices.Sorted(maps.Keys(r.AutoScalingGroups)) {
		s.advance(w, region, r, r.AutoScalingGroups[name])
	}
}

// advance moves the group's active refresh on to now, step by step.
func (s *service) advance(w *world.World, region string, r *world.Region, g *world.AutoScalingGroup) {
	ir := g.ActiveRefresh()
	if ir == nil {
		return
	}
	now := s.now()
	for s.step(w, region, r, g, ir, now) {
	}
}

// step makes one move of the refresh's life cycle; false when it has to
// wait for a later now.
func (s *service) step(w *world.World, region string, r *world.Region, g *world.AutoScalingGroup, ir *world.InstanceRefresh, now time.Time) bool {
	waiting := now.Before(ir.NextStepAt)
	switch ir.Status {
	case world.RefreshPending:
		if waiting {
			return false
		}
		ir.Status = world.RefreshInProgress
		s.nextJob(r, g, ir, ir.NextStepAt)
		return true
	case world.RefreshInProgress, world.RefreshRollbackInProgress:
		if ir.Job == nil { // at a checkpoint
			if waiting {
				return false
			}
			ir.StatusReason = ""
			s.nextJob(r, g, ir, ir.NextStepAt)
			return true
		}
		p := s.replacer.Advance(w, region, g, ir.Job, now)
		ir.ToUpdate = slices.DeleteFunc(ir.ToUpdate, func(id string) bool { return g.GroupInstanceByID(id) == nil })
		if p.Err != nil {
			s.fail(r, g, ir, p.Err, p.At)
			return ir.Active()
		}
		if p.Replaced < len(ir.Job.Instances) {
			return false
		}
		ir.Job = nil
		s.jobDone(r, g, ir, p.At)
		return true
	case world.RefreshBaking:
		if waiting {
			return false
		}
		s.succeed(g, ir, ir.NextStepAt)
		return true
	case world.RefreshCancelling:
		// Cancelled once the batch under way is done, a pace at least.
		end := ir.NextStepAt
		if ir.Job != nil {
			p := s.replacer.Advance(w, region, g, ir.Job, now)
			if !p.Done {
				return false
			}
			if p.At.After(end) {
				end = p.At
			}
		}
		if now.Before(end) {
			return false
		}
		ir.Status, ir.StatusReason, ir.EndTime, ir.Job = world.RefreshCancelled, "", &end, nil
		ir.ToUpdate = slices.DeleteFunc(ir.ToUpdate, func(id string) bool { return g.GroupInstanceByID(id) == nil })
		return true
	}
	return false
}

// jobDone moves on after a job: the next checkpoint, the next job, or the end.
func (s *service) jobDone(r *world.Region, g *world.AutoScalingGroup, ir *world.InstanceRefresh, at time.Time) {
	if ir.Status == world.RefreshRollbackInProgress {
		if len(ir.ToUpdate) == 0 {
			ir.Status, ir.EndTime = world.RefreshRollbackSuccessful, &at
			return
		}
		s.nextJob(r, g, ir, at)
		return
	}
	if len(ir.ToUpdate) == 0 {
		if b := ir.Preferences.BakeTime; b != nil && *b > 0 {
			ir.Status, ir.NextStepAt = world.RefreshBaking, at.Add(time.Duration(*b)*time.Second)
			return
		}
		s.succeed(g, ir, at)
		return
	}
	cps := ir.Preferences.CheckpointPercentages
	if ir.CheckpointsDone < len(cps) {
		pct, _ := percentDone(ir.Total, len(ir.ToUpdate))
		if pct >= cps[ir.CheckpointsDone] {
			ir.CheckpointsDone++
			ir.StatusReason = fmt.Sprintf("Waiting at a checkpoint: %d%% of the instances are replaced.", pct)
			ir.NextStepAt = at.Add(time.Duration(*ir.Preferences.CheckpointDelay) * time.Second)
			return
		}
	}
	s.nextJob(r, g, ir, at)
}

// succeed ends a refresh: the group takes the desired configuration.
func (s *service) succeed(g *world.AutoScalingGroup, ir *world.InstanceRefresh, at time.Time) {
	ir.Status, ir.StatusReason, ir.EndTime = world.RefreshSuccessful, "", &at
	if ir.Desired != nil {
		g.LaunchTemplate = *ir.Desired
	}
}

// fail ends a refresh that could not replace an instance, or rolls it
// back when it asked for that and can be.
func (s *service) fail(r *world.Region, g *world.AutoScalingGroup, ir *world.InstanceRefresh, err error, at time.Time) {
	ir.Job = nil
	if ir.Status == world.RefreshRollbackInProgress {
		ir.Status, ir.StatusReason, ir.EndTime = world.RefreshRollbackFailed, err.Error(), &at
		return
	}
	if ir.Preferences.AutoRollback && reversible(r, ir) == nil {
		s.startRollback(r, g, ir, "Instance refresh failed: "+err.Error(), at)
		return
	}
	ir.Status, ir.StatusReason, ir.EndTime = world.RefreshFailed, err.Error(), &at
}

// startRollback turns the refresh around: every instance not on the
// previous launch template version is replaced from it.
func (s *service) startRollback(r *world.Region, g *world.AutoScalingGroup, ir *world.InstanceRefresh, reason string, at time.Time) {
	pct, left := percentDone(ir.Total, len(ir.ToUpdate))
	prev, version, _ := resolveRef(r, ir.Previous)
	var back []string
	for _, gi := range g.Instances {
		if !onVersion(gi, prev.ID, version) {
			back = append(back, gi.InstanceID)
		}
	}
	ir.Rollback = &world.RefreshRollback{Reason: reason, StartTime: at, PercentageAtStart: pct, ToUpdateAtStart: left, Total: int32(len(back))}
	ir.Status, ir.StatusReason, ir.ToUpdate = world.RefreshRollbackInProgress, "", back
	ir.Job = &world.ReplaceJob{
		Instances: slices.Clone(back), Target: withVersion(prev, version),
		MaxUnavailable: maxUnavailable(g, ir.Preferences), Warmup: warmup(g, ir.Preferences), Start: at,
	}
}

// nextJob hands the replacer the instances up to the next checkpoint.
func (s *service) nextJob(r *world.Region, g *world.AutoScalingGroup, ir *world.InstanceRefresh, at time.Time) {
	ref := ir.Previous
	if ir.Desired != nil && ir.Status != world.RefreshRollbackInProgress {
		ref = *ir.Desired
	}
	target, version, err := resolveRef(r, ref)
	if err != nil {
		s.fail(r, g, ir, err, at)
		return
	}
	n := len(ir.ToUpdate)
	if cps := ir.Preferences.CheckpointPercentages; ir.Status == world.RefreshInProgress && ir.CheckpointsDone < len(cps) {
		want := (int(ir.Total)*int(cps[ir.CheckpointsDone]) + 99) / 100 // replaced at the checkpoint, rounded up
		n = min(n, max(want-(int(ir.Total)-len(ir.ToUpdate)), 1))
	}
	ir.Job = &world.ReplaceJob{
		Instances: slices.Clone(ir.ToUpdate[:n]), Target: withVersion(target, version),
		MaxUnavailable: maxUnavailable(g, ir.Preferences), Warmup: warmup(g, ir.Preferences), Start: at,
	}
}

func withVersion(ref world.LaunchTemplateRef, v int64) world.LaunchTemplateRef {
	ref.Version = strconv.FormatInt(v, 10)
	return ref
}

// maxUnavailable is how many instances may be out of service at once:
// what MinHealthyPercentage of the desired capacity leaves (at least one,
// as AWS replaces one at a time at 100%), plus what MaxHealthyPercentage
// lets it launch above the desired capacity.
func maxUnavailable(g *world.AutoScalingGroup, p world.RefreshPreferences) int {
	desired := int(g.DesiredCapacity)
	keep := (desired*int(p.MinHealthyPercentage) + 99) / 100
	n := max(desired-keep, 1)
	if p.MaxHealthyPercentage != nil {
		n += max(desired*int(*p.MaxHealthyPercentage)/100-desired, 0)
	}
	return n
}

// warmup is InstanceWarmup, else the group's health check grace period,
// as AWS falls back (the sandbox's groups have no DefaultInstanceWarmup).
func warmup(g *world.AutoScalingGroup, p world.RefreshPreferences) time.Duration {
	if p.InstanceWarmup != nil {
		return time.Duration(*p.InstanceWarmup) * time.Second
	}
	return time.Duration(g.HealthCheckGracePeriod) * time.Second
}

func hash64(s string, n int) uint64 {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%s/%d", s, n)
	return h.Sum64()
}

func itoa(i int) string { return strconv.Itoa(i) }
