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

// Replacer replaces an Auto Scaling group's instances: the part of an
// instance refresh that touches EC2 and the cluster. The refresh's life
// cycle (statuses, checkpoints, bake time, cancel, rollback) stays in this
// package and hands the replacer one job at a time.
//
// StandIn is this package's own replacer, a stand-in: the sandbox's shared
// replacement engine (surge a new instance and node, cordon, drain and
// terminate the old one, at a pace; the one behind EKS node group updates)
// is to take its place through WithReplacer.
type Replacer interface {
	// Advance carries job on to now: job.Instances replaced by instances
	// launched from job.Target, at most job.MaxUnavailable out of service
	// at a time, each batch warmed up for job.Warmup before the next. It
	// is called on every read and must be idempotent.
	Advance(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob, now time.Time) Progress
	// Stop abandons a job (a cancel or a rollback): replacements under
	// way may finish, none start. An error means the group cannot be let
	// go now (AWS answers ResourceContention).
	Stop(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob) error
}

// Progress is how far a job got.
type Progress struct {
	// Replaced counts job.Instances replaced and warmed up.
	Replaced int
	// At is when the last of them finished (or when Err happened).
	At time.Time
	// Err is a replacement that failed: the refresh fails with it.
	Err error
}

// StandIn replaces instances in batches of MaxUnavailable: batch k ends
// at Start + (k+1)·(Pace + Warmup), with the new instances InService and
// their nodes Ready, the old ones terminated and their nodes gone. A
// launch template version whose AMI is not available fails the job.
// (Stand-in for the shared engine; see Replacer.)
type StandIn struct {
	Pace time.Duration
}

// Advance implements Replacer.
func (s *StandIn) Advance(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob, now time.Time) Progress {
	p := Progress{At: job.Start}
	version, _ := strconv.ParseInt(job.Target.Version, 10, 64)
	batch := max(job.MaxUnavailable, 1)
	for k := 0; k*batch < len(job.Instances); k++ {
		begin := job.Start.Add(time.Duration(k) * (s.Pace + job.Warmup))
		end := begin.Add(s.Pace + job.Warmup)
		if end.After(now) {
			break
		}
		for _, id := range job.Instances[k*batch : min((k+1)*batch, len(job.Instances))] {
			old := g.GroupInstanceByID(id)
			if old == nil {
				p.Replaced++ // replaced on an earlier read
				continue
			}
			if _, err := w.LaunchGroupInstance(region, g, job.Target, version, old.AvailabilityZone, begin, end.Add(-job.Warmup)); err != nil {
				p.Err, p.At = fmt.Errorf("launching a replacement for %s: %w", id, err), begin
				return p
			}
			w.TerminateGroupInstance(region, g, id)
			p.Replaced++
		}
		p.At = end
	}
	return p
}

// Stop implements Replacer: the stand-in has nothing in flight between reads.
func (s *StandIn) Stop(*world.World, string, *world.AutoScalingGroup, *world.ReplaceJob) error {
	return nil
}

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
		if waiting {
			return false
		}
		end := ir.NextStepAt
		ir.Status, ir.StatusReason, ir.EndTime, ir.Job = world.RefreshCancelled, "", &end, nil
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
