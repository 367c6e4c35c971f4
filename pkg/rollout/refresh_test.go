package rollout

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
)

// fakeAS serves one Auto Scaling group and its refreshes, and records its calls.
type fakeAS struct {
	awsapi.AutoScalingAPI
	calls     map[string]int
	group     *astypes.AutoScalingGroup
	refreshes []astypes.InstanceRefresh // newest first, as Auto Scaling lists them
	starts    []*autoscaling.StartInstanceRefreshInput
	startErr  error
	rollbackE error
}

func newFakeAS(group *astypes.AutoScalingGroup) *fakeAS {
	return &fakeAS{calls: map[string]int{}, group: group}
}

func ltGroup(version string) *astypes.AutoScalingGroup {
	return &astypes.AutoScalingGroup{AutoScalingGroupName: aws.String("self"), DesiredCapacity: aws.Int32(3),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0abc"), LaunchTemplateName: aws.String("nodes"), Version: aws.String(version)}}
}

func (f *fakeAS) DescribeAutoScalingGroups(_ context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
	f.calls["DescribeAutoScalingGroups"]++
	var out autoscaling.DescribeAutoScalingGroupsOutput
	if f.group != nil && slices.Contains(in.AutoScalingGroupNames, aws.ToString(f.group.AutoScalingGroupName)) {
		out.AutoScalingGroups = []astypes.AutoScalingGroup{*f.group}
	}
	return &out, nil
}

func (f *fakeAS) StartInstanceRefresh(_ context.Context, in *autoscaling.StartInstanceRefreshInput, _ ...func(*autoscaling.Options)) (*autoscaling.StartInstanceRefreshOutput, error) {
	f.calls["StartInstanceRefresh"]++
	if f.startErr != nil {
		return nil, f.startErr
	}
	f.starts = append(f.starts, in)
	id := "ir-" + string(rune('a'+len(f.starts)))
	f.refreshes = append([]astypes.InstanceRefresh{{InstanceRefreshId: &id, Status: astypes.InstanceRefreshStatusPending,
		DesiredConfiguration: in.DesiredConfiguration}}, f.refreshes...)
	return &autoscaling.StartInstanceRefreshOutput{InstanceRefreshId: &id}, nil
}

func (f *fakeAS) DescribeInstanceRefreshes(_ context.Context, in *autoscaling.DescribeInstanceRefreshesInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeInstanceRefreshesOutput, error) {
	f.calls["DescribeInstanceRefreshes"]++
	var out autoscaling.DescribeInstanceRefreshesOutput
	for _, ir := range f.refreshes {
		if len(in.InstanceRefreshIds) == 0 || slices.Contains(in.InstanceRefreshIds, aws.ToString(ir.InstanceRefreshId)) {
			out.InstanceRefreshes = append(out.InstanceRefreshes, ir)
		}
	}
	return &out, nil
}

func (f *fakeAS) RollbackInstanceRefresh(context.Context, *autoscaling.RollbackInstanceRefreshInput, ...func(*autoscaling.Options)) (*autoscaling.RollbackInstanceRefreshOutput, error) {
	f.calls["RollbackInstanceRefresh"]++
	if f.rollbackE != nil {
		return nil, f.rollbackE
	}
	f.refreshes[0].Status = astypes.InstanceRefreshStatusRollbackInProgress
	return &autoscaling.RollbackInstanceRefreshOutput{InstanceRefreshId: f.refreshes[0].InstanceRefreshId}, nil
}

func (f *fakeAS) CancelInstanceRefresh(context.Context, *autoscaling.CancelInstanceRefreshInput, ...func(*autoscaling.Options)) (*autoscaling.CancelInstanceRefreshOutput, error) {
	f.calls["CancelInstanceRefresh"]++
	f.refreshes[0].Status = astypes.InstanceRefreshStatusCancelling
	return &autoscaling.CancelInstanceRefreshOutput{InstanceRefreshId: f.refreshes[0].InstanceRefreshId}, nil
}

func TestRefreshPrepareSkips(t *testing.T) {
	lc := &astypes.AutoScalingGroup{AutoScalingGroupName: aws.String("self"), LaunchConfigurationName: aws.String("old-lc")}
	tests := []struct {
		name  string
		group *astypes.AutoScalingGroup
		image string
		want  string
	}{
		{"launch configuration", lc, "ami-1", "Auto Scaling group self launches from launch configuration old-lc: move the group to a launch template"},
		{"no such group", nil, "ami-1", "Auto Scaling group self does not exist in this region"},
		{"no AMI", ltGroup("1"), "", "names no AMI ID"},
		{"SSM parameter", ltGroup("1"), "resolve:ssm:/aws/service/x", "names no AMI ID"},
		{"rolling back", ltGroup("1"), "ami-1", "instance refresh ir-9 of Auto Scaling group self is RollbackInProgress: wait for it to end, then run the rollout again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as, c := newFakeAS(tt.group), newFakeEC2(tt.image)
			if tt.name == "rolling back" {
				as.refreshes = []astypes.InstanceRefresh{{InstanceRefreshId: aws.String("ir-9"), Status: astypes.InstanceRefreshStatusRollbackInProgress}}
			}
			g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}}
			if err := NewRefreshDriver(as, c).Prepare(t.Context(), g); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(g.Skip, tt.want) {
				t.Errorf("skip %q, want %q", g.Skip, tt.want)
			}
		})
	}
}

// $Default resolves to its number in one DescribeLaunchTemplateVersions;
// a mixed instances group's template is found.
func TestRefreshPrepare(t *testing.T) {
	mixed := &astypes.AutoScalingGroup{AutoScalingGroupName: aws.String("self"), DesiredCapacity: aws.Int32(4),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{LaunchTemplate: &astypes.LaunchTemplate{
			LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0abc"), Version: aws.String("$Default")}}}}
	for _, group := range []*astypes.AutoScalingGroup{ltGroup("$Default"), mixed} {
		as, c := newFakeAS(group), newFakeEC2("ami-1", "ami-x")
		c.defaultV = 2
		g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}, MaxUnavailable: 1, CanaryNodes: 1}
		if err := NewRefreshDriver(as, c).Prepare(t.Context(), g); err != nil {
			t.Fatal(err)
		}
		if g.Skip != "" || g.Method != MethodInstanceRefresh || g.State.FromVersion != "2" || g.State.LaunchTemplateID != "lt-0abc" ||
			!strings.HasPrefix(g.Change, "launch template nodes version 2 → new version (ImageId ami-x → ami-2), then StartInstanceRefresh (MinHealthyPercentage ") ||
			!strings.Contains(g.Change, "names version $Default: on success it names the new version instead, and a failure is cancelled, not rolled back") {
			t.Errorf("prepared %+v", g)
		}
		if as.calls["DescribeAutoScalingGroups"] != 1 || c.calls["DescribeLaunchTemplateVersions"] != 1 {
			t.Errorf("calls %v %v", as.calls, c.calls)
		}
	}
}

func TestRefreshPrefs(t *testing.T) {
	tests := []struct {
		maxU, canary, size int
		minHealthy         int32 // -1: left to Auto Scaling
		checkpoints        []int32
	}{
		{0, 0, 3, -1, nil},
		{1, 0, 3, 66, nil},
		{2, 0, 10, 80, nil},
		{1, 0, 2, 50, nil},
		{5, 0, 2, 0, nil},
		{0, 1, 3, -1, []int32{34, 100}},
		{0, 1, 2, -1, []int32{50, 100}},
		{0, 5, 5, -1, []int32{100}},
	}
	for _, tt := range tests {
		p := refreshPrefs(&Group{MaxUnavailable: tt.maxU, CanaryNodes: tt.canary}, tt.size)
		got := int32(-1)
		if p.MinHealthyPercentage != nil {
			got = *p.MinHealthyPercentage
		}
		if got != tt.minHealthy || !slices.Equal(p.CheckpointPercentages, tt.checkpoints) || !aws.ToBool(p.SkipMatching) || aws.ToBool(p.AutoRollback) ||
			(tt.checkpoints != nil) != (p.CheckpointDelay != nil) {
			t.Errorf("%+v: min healthy %d, checkpoints %v, %+v", tt, got, p.CheckpointPercentages, p)
		}
	}
}

// Start: a version copied from the old one, then a refresh naming it by
// number; a retry after the refresh call failed reuses the version.
func TestRefreshStart(t *testing.T) {
	as, c := newFakeAS(ltGroup("1")), newFakeEC2("ami-1")
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}, CanaryNodes: 1}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	as.startErr = &smithy.GenericAPIError{Code: "InstanceRefreshInProgress", Message: "busy"}
	if err := d.Start(t.Context(), g); err == nil || !strings.Contains(err.Error(), "starting the instance refresh of Auto Scaling group self") {
		t.Fatalf("start: %v", err)
	}
	as.startErr = nil
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if len(c.created) != 1 || aws.ToString(c.created[0].SourceVersion) != "1" || g.State.ToVersion != "2" || g.State.RefreshID != "ir-b" {
		t.Fatalf("created %d, state %+v", len(c.created), g.State)
	}
	in := as.starts[0]
	lt := in.DesiredConfiguration.LaunchTemplate
	if aws.ToString(lt.LaunchTemplateId) != "lt-0abc" || aws.ToString(lt.Version) != "2" || in.Strategy != astypes.RefreshStrategyRolling ||
		!slices.Equal(in.Preferences.CheckpointPercentages, []int32{34, 100}) || aws.ToInt32(in.Preferences.CheckpointDelay) != CheckpointDelay {
		t.Errorf("start %+v %+v", lt, in.Preferences)
	}
}

// A mixed instances group gets its whole policy back, the version changed.
func TestRefreshStartMixed(t *testing.T) {
	grp := &astypes.AutoScalingGroup{AutoScalingGroupName: aws.String("self"), DesiredCapacity: aws.Int32(2),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{
			InstancesDistribution: &astypes.InstancesDistribution{OnDemandBaseCapacity: aws.Int32(1)},
			LaunchTemplate: &astypes.LaunchTemplate{Overrides: []astypes.LaunchTemplateOverrides{{InstanceType: aws.String("m6i.xlarge")}},
				LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0abc"), Version: aws.String("1")}}}}
	as, c := newFakeAS(grp), newFakeEC2("ami-1")
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	m := as.starts[0].DesiredConfiguration.MixedInstancesPolicy
	if as.starts[0].DesiredConfiguration.LaunchTemplate != nil || m == nil || aws.ToString(m.LaunchTemplate.LaunchTemplateSpecification.Version) != "2" ||
		len(m.LaunchTemplate.Overrides) != 1 || aws.ToInt32(m.InstancesDistribution.OnDemandBaseCapacity) != 1 {
		t.Errorf("desired %+v", as.starts[0].DesiredConfiguration)
	}
	if v := aws.ToString(grp.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version); v != "1" {
		t.Errorf("the group's own policy changed: %s", v)
	}
}

func TestRefreshInFlightAndPoll(t *testing.T) {
	as, c := newFakeAS(ltGroup("1")), newFakeEC2("ami-1")
	c.add("ami-2", "winami rollout of ami-2 from version 1")
	as.refreshes = []astypes.InstanceRefresh{
		{InstanceRefreshId: aws.String("ir-new"), Status: astypes.InstanceRefreshStatusInProgress, PercentageComplete: aws.Int32(34),
			StatusReason:         aws.String("Waiting at a checkpoint: 34% of the instances are replaced."),
			DesiredConfiguration: &astypes.DesiredConfiguration{LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0abc"), Version: aws.String("2")}}},
		{InstanceRefreshId: aws.String("ir-old"), Status: astypes.InstanceRefreshStatusSuccessful},
	}
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self"}
	found, err := d.InFlight(t.Context(), g)
	if err != nil || !found || g.State.RefreshID != "ir-new" || g.State.ToVersion != "2" || g.State.FromVersion != "1" || !g.State.Resumed {
		t.Fatalf("%v %v %+v", found, err, g.State)
	}
	p, err := d.Poll(t.Context(), g)
	if err != nil || !p.AtCheckpoint || p.Percent != 34 || p.Done || p.Failed != "" {
		t.Errorf("%+v %v", p, err)
	}
	as.refreshes[0].Status, as.refreshes[0].StatusReason = astypes.InstanceRefreshStatusFailed, aws.String("launching a replacement:\nthe AMI is gone")
	p, _ = d.Poll(t.Context(), g)
	if p.Failed != "instance refresh ir-new Failed: launching a replacement: the AMI is gone" || p.AtCheckpoint {
		t.Errorf("%+v", p)
	}
	as.refreshes[0].Status, as.refreshes[0].StatusReason = astypes.InstanceRefreshStatusSuccessful, nil
	if p, _ = d.Poll(t.Context(), g); !p.Done {
		t.Errorf("%+v", p)
	}
	if as.calls["DescribeInstanceRefreshes"] != 4 || len(as.calls) != 1 {
		t.Errorf("calls %v", as.calls)
	}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusCancelled
	if found, _ := d.InFlight(t.Context(), &Group{Name: "self"}); found {
		t.Error("a cancelled refresh is in flight")
	}
}

// Rollback: RollbackInstanceRefresh, followed to RollbackSuccessful.
func TestRefreshRollback(t *testing.T) {
	as, c := newFakeAS(ltGroup("1")), newFakeEC2("ami-1")
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	done, what, err := d.Rollback(t.Context(), g)
	if done || err != nil || !strings.Contains(what, "rolling back to launch template version 1") || as.calls["RollbackInstanceRefresh"] != 1 {
		t.Fatalf("%v %q %v", done, what, err)
	}
	if done, _, _ := d.Rollback(t.Context(), g); done || as.calls["RollbackInstanceRefresh"] != 1 {
		t.Error("done while rolling back, or rolled back twice")
	}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusRollbackSuccessful
	done, what, err = d.Rollback(t.Context(), g)
	if !done || err != nil || !strings.Contains(what, "on launch template nodes version 1 again") {
		t.Errorf("%v %q %v", done, what, err)
	}
	if as.calls["CancelInstanceRefresh"] != 0 || c.calls["CreateLaunchTemplateVersion"] != 1 {
		t.Errorf("calls %v %v", as.calls, c.calls)
	}
}

// A refresh Auto Scaling cannot roll back is cancelled; a $Latest group
// gets a copy of its old version as the newest.
func TestRefreshRollbackIrreversible(t *testing.T) {
	as, c := newFakeAS(ltGroup("$Latest")), newFakeEC2("ami-1")
	as.rollbackE = &smithy.GenericAPIError{Code: "IrreversibleInstanceRefresh", Message: "the launch template version \"$Latest\" is not a fixed version number"}
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	done, what, err := d.Rollback(t.Context(), g)
	if done || err != nil || !strings.Contains(what, "cancelling (Auto Scaling cannot roll it back") || as.calls["CancelInstanceRefresh"] != 1 {
		t.Fatalf("%v %q %v", done, what, err)
	}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusCancelled
	done, what, err = d.Rollback(t.Context(), g)
	if !done || err != nil || !strings.Contains(what, "stay on launch template nodes version 2") || !strings.Contains(what, "version 3, a copy of version 1 (ami-1), is the template's $Latest again") {
		t.Fatalf("%v %q %v", done, what, err)
	}
	if len(c.created) != 2 || aws.ToString(c.created[1].SourceVersion) != "1" || aws.ToString(c.created[1].LaunchTemplateData.ImageId) != "ami-1" {
		t.Errorf("versions %+v", c.created)
	}
	// Another error is reported, not cancelled.
	as.rollbackE = &smithy.GenericAPIError{Code: "ResourceContention", Message: "busy"}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusInProgress
	if _, _, err := d.Rollback(t.Context(), g); err == nil || as.calls["CancelInstanceRefresh"] != 1 {
		t.Errorf("%v, calls %v", err, as.calls)
	}
}

// A cancelled refresh of a group that names a version number leaves the
// template alone: the group does not launch from the new version.
func TestRefreshRollbackCancelledNumbered(t *testing.T) {
	as, c := newFakeAS(ltGroup("1")), newFakeEC2("ami-1")
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusCancelled
	done, what, err := d.Rollback(t.Context(), g)
	if !done || err != nil || strings.Contains(what, "$Latest") || len(c.created) != 1 {
		t.Errorf("%v %q %v, %d versions made", done, what, err, len(c.created))
	}
}

// A refresh that already succeeded cannot be rolled back: a new refresh
// takes the group back to the old version, followed to its end.
func TestRefreshRollbackAfterSuccess(t *testing.T) {
	as, c := newFakeAS(ltGroup("1")), newFakeEC2("ami-1")
	d := NewRefreshDriver(as, c)
	g := &Group{Name: "self", Expect: Expect{AMI: "ami-2"}, MaxUnavailable: 1}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	first := g.State.RefreshID
	as.refreshes[0].Status = astypes.InstanceRefreshStatusSuccessful
	done, what, err := d.Rollback(t.Context(), g)
	if done || err != nil || g.State.RefreshID == first || !strings.Contains(what, "back to launch template nodes version 1 started") {
		t.Fatalf("%v %q %v", done, what, err)
	}
	back := as.starts[1]
	if v := aws.ToString(back.DesiredConfiguration.LaunchTemplate.Version); v != "1" || aws.ToInt32(back.Preferences.MinHealthyPercentage) != 66 || back.Preferences.CheckpointPercentages != nil {
		t.Errorf("revert %+v %+v", back.DesiredConfiguration.LaunchTemplate, back.Preferences)
	}
	if done, _, err := d.Rollback(t.Context(), g); done || err != nil || len(as.starts) != 2 || as.calls["RollbackInstanceRefresh"] != 0 {
		t.Errorf("while the revert runs: %v %v, %d starts, calls %v", done, err, len(as.starts), as.calls)
	}
	as.refreshes[0].Status = astypes.InstanceRefreshStatusSuccessful
	done, what, err = d.Rollback(t.Context(), g)
	if !done || err != nil || what != "Auto Scaling group self back on launch template nodes version 1 (instance refresh "+g.State.RefreshID+")" {
		t.Errorf("%v %q %v", done, what, err)
	}
	as.refreshes[0].Status, as.refreshes[0].StatusReason = astypes.InstanceRefreshStatusFailed, aws.String("no capacity")
	if _, _, err := d.Rollback(t.Context(), g); err == nil || !strings.Contains(err.Error(), "no capacity") {
		t.Errorf("a failed revert: %v", err)
	}
}

// The checkpoint waits as long as the wave's timeout the planner set, so
// the refresh never goes on before winami has decided.
func TestRefreshCheckpointDelayFollowsTheWave(t *testing.T) {
	p := refreshPrefs(&Group{CanaryNodes: 1, CheckpointDelay: 2700}, 4)
	if aws.ToInt32(p.CheckpointDelay) != 2700 {
		t.Errorf("checkpoint delay %d, want the group's 2700", aws.ToInt32(p.CheckpointDelay))
	}
}
