package rollout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/winami/winami/pkg/rollout"
	"github.com/winami/winami/sandbox/world"
)

const olderAMIName = "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14"

func (e *p1Env) refreshDriver() *rollout.RefreshDriver {
	return rollout.NewRefreshDriver(e.clients.AutoScaling("us-east-1"), e.clients.EC2("us-east-1"))
}

func (e *p1Env) asg(t *testing.T) astypes.AutoScalingGroup {
	t.Helper()
	out, err := e.clients.AutoScaling("us-east-1").DescribeAutoScalingGroups(t.Context(), &autoscaling.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{world.DemoSelfManagedGroup}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	return out.AutoScalingGroups[0]
}

// refreshPoll polls, a minute of the sandbox's time a step, until the
// refresh ends or stop says so.
func refreshPoll(t *testing.T, e *p1Env, d rollout.Driver, g *rollout.Group, stop func(rollout.Progress) bool) rollout.Progress {
	t.Helper()
	for range 200 {
		p, err := d.Poll(t.Context(), g)
		if err != nil {
			t.Fatal(err)
		}
		if p.Done || p.Failed != "" || stop(p) {
			return p
		}
		e.clock.Advance(time.Minute)
	}
	t.Fatal("the refresh never ended")
	return rollout.Progress{}
}

// The canary checkpoint shows as AtCheckpoint; a rerun finds the refresh;
// Rollback rolls it back and the group stays on its version.
func TestRefreshDriverSandboxCheckpointRollback(t *testing.T) {
	e := p1Start(t)
	older := e.imageID(t, olderAMIName)
	d := e.refreshDriver()
	g := &rollout.Group{Kind: rollout.KindSelfManaged, Name: world.DemoSelfManagedGroup, Expect: rollout.Expect{AMI: older}, MaxUnavailable: 1, CanaryNodes: 1}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if g.Skip != "" || g.Method != rollout.MethodInstanceRefresh || g.State.FromVersion != "1" || g.State.LaunchTemplateName != world.WindowsNodesLaunchTemplate ||
		!strings.Contains(g.Change, "MinHealthyPercentage 50, a checkpoint after 1 of 2 instances") {
		t.Fatalf("prepared %+v", g)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	again := &rollout.Group{Kind: rollout.KindSelfManaged, Name: world.DemoSelfManagedGroup}
	found, err := d.InFlight(t.Context(), again)
	if err != nil || !found || again.State.RefreshID != g.State.RefreshID || again.State.ToVersion != g.State.ToVersion || again.State.FromVersion != "1" {
		t.Fatalf("in flight: %v %v %+v (started %+v)", found, err, again.State, g.State)
	}
	e.calls.Reset()
	p := refreshPoll(t, e, d, g, func(p rollout.Progress) bool { return p.AtCheckpoint })
	if !p.AtCheckpoint || p.Percent != 50 || p.Phase != "InProgress" {
		t.Fatalf("progress %+v", p)
	}
	if n := e.calls.Count("Auto Scaling", "DescribeInstanceRefreshes"); n != e.calls.Total() {
		t.Errorf("a poll is one DescribeInstanceRefreshes: %s", e.calls)
	}
	steps := rollbackUntil(t, e, d, g)
	if last := steps[len(steps)-1]; !strings.Contains(last, "rolled back") || !strings.Contains(last, "version 1 again") {
		t.Errorf("rollback said %q", steps)
	}
	asg := e.asg(t)
	if v := aws.ToString(asg.LaunchTemplate.Version); v != "1" {
		t.Errorf("group on version %s after rollback", v)
	}
	for _, in := range asg.Instances {
		if aws.ToString(in.LaunchTemplate.Version) != "1" {
			t.Errorf("instance %s on version %s", aws.ToString(in.InstanceId), aws.ToString(in.LaunchTemplate.Version))
		}
	}
}

// A refresh that ends takes the group to the new version; a rollback
// then is a refresh back.
func TestRefreshDriverSandboxSucceeds(t *testing.T) {
	e := p1Start(t)
	d := e.refreshDriver()
	g := &rollout.Group{Kind: rollout.KindSelfManaged, Name: world.DemoSelfManagedGroup, Expect: rollout.Expect{AMI: e.imageID(t, olderAMIName)}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if p := refreshPoll(t, e, d, g, func(rollout.Progress) bool { return false }); !p.Done || p.Percent != 100 {
		t.Fatalf("progress %+v", p)
	}
	if v := aws.ToString(e.asg(t).LaunchTemplate.Version); v != g.State.ToVersion {
		t.Errorf("group on version %s, want %s", v, g.State.ToVersion)
	}
	// Too late for RollbackInstanceRefresh: a refresh back to version 1.
	steps := rollbackUntil(t, e, d, g)
	asg := e.asg(t)
	if v := aws.ToString(asg.LaunchTemplate.Version); v != "1" || !strings.Contains(steps[len(steps)-1], "back on launch template") {
		t.Errorf("group on version %s after rollback (%q)", v, steps)
	}
	for _, in := range asg.Instances {
		if aws.ToString(in.LaunchTemplate.Version) != "1" {
			t.Errorf("instance %s on version %s", aws.ToString(in.InstanceId), aws.ToString(in.LaunchTemplate.Version))
		}
	}
}

// A group that names $Latest cannot be rolled back by Auto Scaling: the
// refresh is cancelled, and a copy of the old version becomes $Latest so
// that the group launches the old AMI again.
func TestRefreshDriverSandboxLatestCancelled(t *testing.T) {
	e := p1Start(t)
	var current string
	err := e.srv.Store().Update(func(w *world.World) error {
		grp := w.Region("us-east-1").AutoScalingGroups[world.DemoSelfManagedGroup]
		grp.LaunchTemplate.Version = "$Latest"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := e.refreshDriver()
	g := &rollout.Group{Kind: rollout.KindSelfManaged, Name: world.DemoSelfManagedGroup, Expect: rollout.Expect{AMI: e.imageID(t, olderAMIName)}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.Change, "names version $Latest") {
		t.Errorf("change %q", g.Change)
	}
	v1, err := e.clients.EC2("us-east-1").DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: &g.State.LaunchTemplateID, Versions: []string{g.State.FromVersion}})
	if err != nil {
		t.Fatal(err)
	}
	current = aws.ToString(v1.LaunchTemplateVersions[0].LaunchTemplateData.ImageId)
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	steps := rollbackUntil(t, e, d, g)
	last := steps[len(steps)-1]
	if !strings.Contains(steps[0], "cancelling (Auto Scaling cannot roll it back") || !strings.Contains(last, "Cancelled") || !strings.Contains(last, "is the template's $Latest again") {
		t.Errorf("rollback said %q", steps)
	}
	latest, err := e.clients.EC2("us-east-1").DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: &g.State.LaunchTemplateID, Versions: []string{"$Latest"}})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(latest.LaunchTemplateVersions[0].LaunchTemplateData.ImageId); img != current {
		t.Errorf("$Latest runs %s, want %s", img, current)
	}
}

// A verified canary does not wait out the checkpoint: Continue cancels the
// paused refresh and the next polls start one for the rest, which leaves
// the canary's instance alone and ends with every instance on the new
// version, long before CheckpointDelay.
func TestRefreshDriverSandboxCanaryContinues(t *testing.T) {
	e := p1Start(t)
	d := e.refreshDriver()
	g := &rollout.Group{Kind: rollout.KindSelfManaged, Name: world.DemoSelfManagedGroup, Expect: rollout.Expect{AMI: e.imageID(t, olderAMIName)}, MaxUnavailable: 1, CanaryNodes: 1,
		InstanceWarmup: aws.Int32(0)}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	first := g.State.RefreshID
	if p := refreshPoll(t, e, d, g, func(p rollout.Progress) bool { return p.AtCheckpoint }); !p.AtCheckpoint {
		t.Fatalf("progress %+v", p)
	}
	canary := map[string]bool{}
	for _, in := range e.asg(t).Instances {
		if aws.ToString(in.LaunchTemplate.Version) == g.State.ToVersion {
			canary[aws.ToString(in.InstanceId)] = true
		}
	}
	if len(canary) != 1 {
		t.Fatalf("%d instances on the new version at the checkpoint, want the canary's 1", len(canary))
	}
	start := e.clock.Now()
	if err := d.Continue(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	p := refreshPoll(t, e, d, g, func(rollout.Progress) bool { return false })
	if !p.Done || g.State.RefreshID == first || g.State.Continuing {
		t.Fatalf("progress %+v, state %+v", p, g.State)
	}
	if waited := e.clock.Now().Sub(start); waited >= rollout.CheckpointDelay*time.Second/2 {
		t.Errorf("took %s: the checkpoint's delay was waited out", waited)
	}
	for _, in := range e.asg(t).Instances {
		id := aws.ToString(in.InstanceId)
		if aws.ToString(in.LaunchTemplate.Version) != g.State.ToVersion {
			t.Errorf("instance %s on version %s", id, aws.ToString(in.LaunchTemplate.Version))
		}
		delete(canary, id)
	}
	if len(canary) != 0 {
		t.Errorf("the canary's instance %v was replaced again", canary)
	}
}
