package autoscaling

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// Replacer replaces an Auto Scaling group's instances: the part of an
// instance refresh that touches EC2 and the cluster. The refresh's life
// cycle (statuses, checkpoints, bake time, cancel, rollback) stays in this
// package and hands the replacer one job at a time.
type Replacer interface {
	// Advance carries job on to now: job.Instances replaced by instances
	// launched from job.Target, at most job.MaxUnavailable out of service
	// at a time, each batch warmed up for job.Warmup before the next. It
	// is called on every read and must be idempotent.
	Advance(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob, now time.Time) Progress
	// Stop abandons a job (a cancel or a rollback): the batch under way
	// finishes, no other starts. An error means the group cannot be let
	// go now (AWS answers ResourceContention).
	Stop(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob) error
}

// Progress is how far a job got.
type Progress struct {
	// Replaced counts job.Instances replaced and warmed up.
	Replaced int
	// Done reports a job that ended: every instance replaced, or the
	// batch under way of a stopped job finished.
	Done bool
	// At is when the job ended (or when Err happened).
	At time.Time
	// Err is a replacement that failed: the refresh fails with it.
	Err error
}

// Engine replaces instances with the sandbox's node replacement engine
// (world.StartReplacement), the one behind EKS node group updates: per
// batch of MaxUnavailable, a new instance from the job's launch template
// version and its node (NotReady, Ready one pace later unless its AMI is
// broken), then, after the warm-up, the old instance terminated and its
// node removed. Unlike EKS, the group counts EC2 health only: it does not
// wait for nodes to join, nor drain them.
type Engine struct {
	Pace time.Duration
}

// Advance implements Replacer.
func (e *Engine) Advance(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob, now time.Time) Progress {
	if job.Replacement == "" {
		spec, err := e.spec(w, region, g, job)
		if err == nil {
			var rp *world.Replacement
			if rp, err = w.StartReplacement(region, spec, job.Start); err == nil {
				job.Replacement = rp.ID
			}
		}
		if err != nil {
			return Progress{Done: true, At: job.Start, Err: err}
		}
	}
	w.AdvanceReplacements(now)
	rp := w.Replacement(region, job.Replacement)
	if rp == nil {
		return Progress{Done: true, At: job.Start, Err: fmt.Errorf("the replacement of job %s is gone", job.Replacement)}
	}
	syncGroup(w, region, g, rp, job)
	p := Progress{Replaced: len(rp.Replaced), Done: rp.Done(), At: now}
	if rp.Finished != nil {
		p.At = *rp.Finished
	}
	switch rp.Status {
	case world.ReplaceSuccessful:
		// Instances that went away on their own count as replaced.
		if len(rp.Remaining) == 0 {
			p.Replaced = len(job.Instances)
		}
	case world.ReplaceFailed:
		msg := "the replacement failed"
		if len(rp.Errors) > 0 {
			msg = rp.Errors[0].Code + ": " + rp.Errors[0].Message
		}
		p.Err = fmt.Errorf("%s", msg)
	}
	return p
}

// Stop implements Replacer: the wave in flight finishes, no other starts.
func (e *Engine) Stop(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob) error {
	if job == nil || job.Replacement == "" {
		return nil
	}
	if rp := w.Replacement(region, job.Replacement); rp != nil {
		rp.Remaining = nil
	}
	return nil
}

// spec is the engine's input for a job: the AMI and instance type of the
// job's launch template version.
func (e *Engine) spec(w *world.World, region string, g *world.AutoScalingGroup, job *world.ReplaceJob) (world.ReplaceSpec, error) {
	r := w.Region(region)
	lt := r.LaunchTemplateByRef(job.Target)
	if lt == nil {
		return world.ReplaceSpec{}, fmt.Errorf("no launch template %s%s", job.Target.ID, job.Target.Name)
	}
	version, _ := strconv.ParseInt(job.Target.Version, 10, 64)
	data := lt.VersionData(version)
	if data == nil {
		return world.ReplaceSpec{}, fmt.Errorf("launch template %s has no version %s", lt.LaunchTemplateID, job.Target.Version)
	}
	if img := r.Images[data.ImageID]; img == nil || img.StateAt(job.Start) != "available" {
		return world.ReplaceSpec{}, fmt.Errorf("the launch template's image %q is not available", data.ImageID)
	}
	if g.Cluster == "" || w.Cluster(region, g.Cluster) == nil {
		return world.ReplaceSpec{}, fmt.Errorf("the group's cluster %q does not exist", g.Cluster)
	}
	return world.ReplaceSpec{
		Cluster: g.Cluster, Kind: world.GroupAutoScalingGroup, Group: g.Name,
		Instances: slices.Clone(job.Instances), ImageID: data.ImageID, InstanceType: data.InstanceType,
		LaunchTemplate: world.LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: job.Target.Version},
		MaxUnavailable: job.MaxUnavailable, Pace: e.Pace, Warmup: job.Warmup,
		// The group terminates instances; it does not evict their pods.
		Force: true,
	}, nil
}

// syncGroup brings the group's instance list in line with what the
// engine did: its new instances join the group, InService (EC2 health:
// the instance runs), and terminated ones leave it.
func syncGroup(w *world.World, region string, g *world.AutoScalingGroup, rp *world.Replacement, job *world.ReplaceJob) {
	var launched []string
	for _, ri := range rp.Replaced {
		launched = append(launched, ri.New)
	}
	if rp.Wave != nil {
		launched = append(launched, rp.Wave.New...)
	}
	for _, id := range launched {
		inst := w.Instance(region, id)
		if g.GroupInstanceByID(id) != nil || inst == nil || inst.State != "running" {
			continue
		}
		g.Instances = append(g.Instances, &world.GroupInstance{
			InstanceID: id, InstanceType: inst.InstanceType, AvailabilityZone: inst.AvailabilityZone,
			LifecycleState: "InService", HealthStatus: "Healthy", LaunchTemplate: rp.LaunchTemplate,
			Protected: g.NewInstancesProtected,
		})
		g.Launches++
	}
	g.Instances = slices.DeleteFunc(g.Instances, func(gi *world.GroupInstance) bool {
		inst := w.Instance(region, gi.InstanceID)
		return inst == nil || inst.State == "terminated"
	})
}
