package autoscaling_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/winami/winami/sandbox/autoscaling"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// oneAtATime replaces one of the group's two instances at a time, each
// warmed up for a minute: a batch takes two paces (launch, join) + 60 s.
func oneAtATime() *types.RefreshPreferences {
	return &types.RefreshPreferences{MinHealthyPercentage: aws.Int32(50), InstanceWarmup: aws.Int32(60), SkipMatching: aws.Bool(true)}
}

const batch = 2*autoscaling.DefaultPace + time.Minute

func TestRefreshSucceeds(t *testing.T) {
	f := newFixture(t)
	before := f.describeGroup(t)
	if versions(before) != "1,1" {
		t.Fatalf("seeded instances on versions %s", versions(before))
	}
	id := f.start(t, f.goodV, oneAtATime())
	ir := f.refresh(t, id)
	wantStatus(t, ir, types.InstanceRefreshStatusPending, 0)
	if aws.ToInt32(ir.InstancesToUpdate) != 2 || aws.ToInt32(ir.Preferences.MinHealthyPercentage) != 50 ||
		aws.ToString(ir.DesiredConfiguration.LaunchTemplate.Version) != f.goodV || ir.Strategy != types.RefreshStrategyRolling {
		t.Fatalf("refresh %+v", ir)
	}

	// A second start is refused while the first runs.
	_, err := f.client.StartInstanceRefresh(t.Context(), &asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "InstanceRefreshInProgress", "")

	f.clk.Advance(autoscaling.DefaultPace)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusInProgress, 0)
	f.clk.Advance(batch)
	ir = f.refresh(t, id)
	wantStatus(t, ir, types.InstanceRefreshStatusInProgress, 50)
	if aws.ToInt32(ir.InstancesToUpdate) != 1 {
		t.Errorf("InstancesToUpdate %d, want 1", aws.ToInt32(ir.InstancesToUpdate))
	}
	// Surge: the second instance's successor runs before it is terminated.
	if g := f.describeGroup(t); versions(g) != "1,"+f.goodV+","+f.goodV || aws.ToString(g.LaunchTemplate.Version) != "1" {
		t.Errorf("half way: instances on %s, group on %s", versions(g), aws.ToString(g.LaunchTemplate.Version))
	}
	f.clk.Advance(batch)
	ir = f.refresh(t, id)
	wantStatus(t, ir, types.InstanceRefreshStatusSuccessful, 100)
	if ir.EndTime == nil {
		t.Error("a finished refresh has no EndTime")
	}
	g := f.describeGroup(t)
	if versions(g) != f.goodV+","+f.goodV || aws.ToString(g.LaunchTemplate.Version) != f.goodV {
		t.Fatalf("after: instances on %s, group on %s", versions(g), aws.ToString(g.LaunchTemplate.Version))
	}
	for _, ami := range nodesOf(t, f, g) {
		if ami != f.good {
			t.Errorf("instance on %s, want %s", ami, f.good)
		}
	}
	for _, in := range g.Instances {
		for _, old := range before.Instances {
			if aws.ToString(in.InstanceId) == aws.ToString(old.InstanceId) {
				t.Errorf("instance %s was not replaced", aws.ToString(in.InstanceId))
			}
		}
	}

	// Skip matching: nothing left to replace, done at once.
	id2 := f.start(t, f.goodV, oneAtATime())
	ir = f.refresh(t, id2)
	wantStatus(t, ir, types.InstanceRefreshStatusSuccessful, 100)
	if aws.ToInt32(ir.InstancesToUpdate) != 0 {
		t.Errorf("InstancesToUpdate %d with skip matching", aws.ToInt32(ir.InstancesToUpdate))
	}
	out, err := f.client.DescribeInstanceRefreshes(t.Context(), &asg.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String(group)})
	if err != nil || len(out.InstanceRefreshes) != 2 || aws.ToString(out.InstanceRefreshes[0].InstanceRefreshId) != id2 {
		t.Fatalf("refreshes, newest first: %+v, %v", out, err)
	}
}

func TestRefreshCheckpointAndBake(t *testing.T) {
	f := newFixture(t)
	prefs := oneAtATime()
	prefs.CheckpointPercentages = []int32{50, 100}
	prefs.CheckpointDelay = aws.Int32(600)
	prefs.BakeTime = aws.Int32(300)
	id := f.start(t, f.goodV, prefs)
	f.clk.Advance(autoscaling.DefaultPace + batch)
	ir := f.refresh(t, id)
	wantStatus(t, ir, types.InstanceRefreshStatusInProgress, 50)
	if aws.ToString(ir.StatusReason) == "" {
		t.Error("no StatusReason at the checkpoint")
	}
	f.clk.Advance(599 * time.Second)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusInProgress, 50)
	f.clk.Advance(time.Second + batch)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusBaking, 100)
	f.clk.Advance(300 * time.Second)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusSuccessful, 100)
}

func TestRefreshCancel(t *testing.T) {
	f := newFixture(t)
	id := f.start(t, f.goodV, oneAtATime())
	f.clk.Advance(3 * autoscaling.DefaultPace) // the first batch under way, its new node Ready
	out, err := f.client.CancelInstanceRefresh(t.Context(), &asg.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	if err != nil || aws.ToString(out.InstanceRefreshId) != id {
		t.Fatalf("cancel: %v, %v", out, err)
	}
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusCancelling, 0)
	_, err = f.client.CancelInstanceRefresh(t.Context(), &asg.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ActiveInstanceRefreshNotFound", "")
	f.clk.Advance(autoscaling.DefaultPace + time.Hour)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusCancelled, 50)
	// The batch under way finished; what was replaced stays; no other batch
	// started; the group keeps its configuration.
	if g := f.describeGroup(t); versions(g) != "1,"+f.goodV || aws.ToString(g.LaunchTemplate.Version) != "1" {
		t.Errorf("after cancel: instances on %s, group on %s", versions(g), aws.ToString(g.LaunchTemplate.Version))
	}
	_, err = f.client.RollbackInstanceRefresh(t.Context(), &asg.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ActiveInstanceRefreshNotFound", "")
}

func TestRefreshRollback(t *testing.T) {
	f := newFixture(t)
	before := nodesOf(t, f, f.describeGroup(t))
	id := f.start(t, f.goodV, oneAtATime())
	f.clk.Advance(3 * autoscaling.DefaultPace) // the first batch under way, its new node Ready
	out, err := f.client.RollbackInstanceRefresh(t.Context(), &asg.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	if err != nil || aws.ToString(out.InstanceRefreshId) != id {
		t.Fatalf("rollback: %v, %v", out, err)
	}
	ir := f.refresh(t, id)
	if ir.Status != types.InstanceRefreshStatusRollbackInProgress || ir.RollbackDetails == nil ||
		aws.ToInt32(ir.RollbackDetails.PercentageCompleteOnRollback) != 0 || aws.ToInt32(ir.RollbackDetails.InstancesToUpdateOnRollback) != 1 {
		t.Fatalf("rolling back: %s %+v", ir.Status, ir.RollbackDetails)
	}
	f.clk.Advance(batch)
	ir = f.refresh(t, id)
	if ir.Status != types.InstanceRefreshStatusRollbackSuccessful || aws.ToInt32(ir.RollbackDetails.PercentageCompleteOnRollback) != 100 {
		t.Fatalf("rolled back: %s %+v", ir.Status, ir.RollbackDetails)
	}
	g := f.describeGroup(t)
	if versions(g) != "1,1" || aws.ToString(g.LaunchTemplate.Version) != "1" {
		t.Fatalf("after rollback: instances on %s, group on %s", versions(g), aws.ToString(g.LaunchTemplate.Version))
	}
	for _, ami := range nodesOf(t, f, g) {
		if ami != before[0] {
			t.Errorf("instance on %s after rollback, want %s", ami, before[0])
		}
	}
}

func TestRefreshFailsAndRollsBack(t *testing.T) {
	for _, auto := range []bool{false, true} {
		f := newFixture(t)
		prefs := oneAtATime()
		prefs.AutoRollback = aws.Bool(auto)
		id := f.start(t, f.badV, prefs) // badV's AMI does not exist
		f.clk.Advance(autoscaling.DefaultPace + 3*batch)
		ir := f.refresh(t, id)
		want := types.InstanceRefreshStatusFailed
		if auto {
			want = types.InstanceRefreshStatusRollbackSuccessful
		}
		if ir.Status != want || (!auto && aws.ToString(ir.StatusReason) == "") || (auto && ir.RollbackDetails == nil) {
			t.Fatalf("AutoRollback %v: %s (%s) %+v", auto, ir.Status, aws.ToString(ir.StatusReason), ir.RollbackDetails)
		}
		if g := f.describeGroup(t); versions(g) != "1,1" || len(nodesOf(t, f, g)) != 2 {
			t.Errorf("AutoRollback %v: instances on %s", auto, versions(g))
		}
	}
}

func TestRefreshErrors(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	lt := func(id, name, v string) *types.DesiredConfiguration {
		return &types.DesiredConfiguration{LaunchTemplate: &types.LaunchTemplateSpecification{
			LaunchTemplateId: aws.String(id), LaunchTemplateName: aws.String(name), Version: aws.String(v)}}
	}
	starts := []struct {
		name string
		in   asg.StartInstanceRefreshInput
		code string
	}{
		{"unknown group", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String("nope")}, "ValidationError"},
		{"auto rollback without desired configuration", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			Preferences: &types.RefreshPreferences{AutoRollback: aws.Bool(true)}}, "ValidationError"},
		{"min healthy above 100", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			Preferences: &types.RefreshPreferences{MinHealthyPercentage: aws.Int32(101)}}, "ValidationError"},
		{"checkpoint delay alone", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			Preferences: &types.RefreshPreferences{CheckpointDelay: aws.Int32(60)}}, "ValidationError"},
		{"checkpoints out of order", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			Preferences: &types.RefreshPreferences{CheckpointPercentages: []int32{50, 20}}}, "ValidationError"},
		{"template ID and name", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			DesiredConfiguration: lt(f.ltID, "x", "1")}, "ValidationError"},
		{"unknown template", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			DesiredConfiguration: &types.DesiredConfiguration{LaunchTemplate: &types.LaunchTemplateSpecification{
				LaunchTemplateId: aws.String("lt-0123456789abcdef0"), Version: aws.String("1")}}}, "ValidationError"},
		{"unknown version", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			DesiredConfiguration: &types.DesiredConfiguration{LaunchTemplate: &types.LaunchTemplateSpecification{
				LaunchTemplateId: aws.String(f.ltID), Version: aws.String("9")}}}, "ValidationError"},
		{"replace root volume", asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group),
			Strategy: types.RefreshStrategyReplaceRootVolume}, "ValidationError"},
	}
	for _, tt := range starts {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.StartInstanceRefresh(ctx, &tt.in)
			sandboxtest.WantAPIError(t, err, tt.code, "")
		})
	}
	if out, err := f.client.DescribeInstanceRefreshes(ctx, &asg.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String(group)}); err != nil || len(out.InstanceRefreshes) != 0 {
		t.Fatalf("refused starts left refreshes: %+v, %v", out, err)
	}

	_, err := f.client.DescribeInstanceRefreshes(ctx, &asg.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String("nope")})
	sandboxtest.WantAPIError(t, err, "ValidationError", "AutoScalingGroup name not found - AutoScaling Group nope not found")
	_, err = f.client.DescribeInstanceRefreshes(ctx, &asg.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String(group), NextToken: aws.String("!!")})
	sandboxtest.WantAPIError(t, err, "InvalidNextToken", "")
	_, err = f.client.CancelInstanceRefresh(ctx, &asg.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ActiveInstanceRefreshNotFound", "")
	_, err = f.client.RollbackInstanceRefresh(ctx, &asg.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ActiveInstanceRefreshNotFound", "")

	// A refresh without a desired configuration cannot be rolled back.
	if _, err := f.client.StartInstanceRefresh(ctx, &asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.RollbackInstanceRefresh(ctx, &asg.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "IrreversibleInstanceRefresh", "")
	if _, err := f.client.CancelInstanceRefresh(ctx, &asg.CancelInstanceRefreshInput{AutoScalingGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Hour)

	// An instance in the middle of a change holds the group.
	err = f.srv.Store().Update(func(w *world.World) error {
		w.Region("us-east-1").AutoScalingGroups[group].Instances[0].LifecycleState = "Pending"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.StartInstanceRefresh(ctx, &asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group)},
		func(o *asg.Options) { o.RetryMaxAttempts = 1 })
	sandboxtest.WantAPIError(t, err, "ResourceContention", "")
}
