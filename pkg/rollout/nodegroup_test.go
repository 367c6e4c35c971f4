package rollout

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/pkg/awsapi"
)

// fakeEC2 serves launch template versions and records its calls.
type fakeEC2 struct {
	awsapi.EC2API // nil: a call the test did not expect panics
	calls         map[string]int
	versions      []ec2types.LaunchTemplateVersion // version n at index n-1
	defaultV      int64
	created       []*ec2.CreateLaunchTemplateVersionInput
	createErr     error
}

func newFakeEC2(images ...string) *fakeEC2 {
	f := &fakeEC2{calls: map[string]int{}, defaultV: 1}
	for _, img := range images {
		f.add(img, "")
	}
	return f
}

func (f *fakeEC2) add(img, desc string) int64 {
	n := int64(len(f.versions) + 1)
	v := ec2types.LaunchTemplateVersion{LaunchTemplateId: aws.String("lt-0abc"), LaunchTemplateName: aws.String("nodes"),
		VersionNumber: aws.Int64(n), VersionDescription: aws.String(desc), LaunchTemplateData: &ec2types.ResponseLaunchTemplateData{}}
	if img != "" {
		v.LaunchTemplateData.ImageId = aws.String(img)
	}
	f.versions = append(f.versions, v)
	return n
}

func (f *fakeEC2) DescribeLaunchTemplateVersions(_ context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
	f.calls["DescribeLaunchTemplateVersions"]++
	var out ec2.DescribeLaunchTemplateVersionsOutput
	for _, v := range in.Versions {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch v {
		case "$Default":
			n = f.defaultV
		case "$Latest":
			n = int64(len(f.versions))
		}
		out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, f.versions[n-1])
	}
	return &out, nil
}

func (f *fakeEC2) CreateLaunchTemplateVersion(_ context.Context, in *ec2.CreateLaunchTemplateVersionInput, _ ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateVersionOutput, error) {
	f.calls["CreateLaunchTemplateVersion"]++
	if f.createErr != nil {
		return nil, f.createErr
	}
	f.created = append(f.created, in)
	n := f.add(aws.ToString(in.LaunchTemplateData.ImageId), aws.ToString(in.VersionDescription))
	return &ec2.CreateLaunchTemplateVersionOutput{LaunchTemplateVersion: &f.versions[n-1]}, nil
}

// fakeEKS serves one node group and its updates, and records its calls.
type fakeEKS struct {
	awsapi.EKSAPI
	calls   map[string]int
	ng      ekstypes.Nodegroup
	updates []ekstypes.Update // oldest first, as EKS lists them
	started []*eks.UpdateNodegroupVersionInput
	err     error
}

func newFakeEKS(ng ekstypes.Nodegroup) *fakeEKS {
	return &fakeEKS{calls: map[string]int{}, ng: ng}
}

func (f *fakeEKS) DescribeNodegroup(_ context.Context, in *eks.DescribeNodegroupInput, _ ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error) {
	f.calls["DescribeNodegroup"]++
	ng := f.ng
	return &eks.DescribeNodegroupOutput{Nodegroup: &ng}, nil
}

func (f *fakeEKS) UpdateNodegroupVersion(_ context.Context, in *eks.UpdateNodegroupVersionInput, _ ...func(*eks.Options)) (*eks.UpdateNodegroupVersionOutput, error) {
	f.calls["UpdateNodegroupVersion"]++
	if f.err != nil {
		return nil, f.err
	}
	f.started = append(f.started, in)
	for _, u := range f.updates {
		if aws.ToString(u.Id) == "tok:"+aws.ToString(in.ClientRequestToken) {
			return &eks.UpdateNodegroupVersionOutput{Update: &u}, nil
		}
	}
	u := ekstypes.Update{Id: aws.String("tok:" + aws.ToString(in.ClientRequestToken)), Status: ekstypes.UpdateStatusInProgress}
	if lt := in.LaunchTemplate; lt != nil {
		u.Params = append(u.Params, ekstypes.UpdateParam{Type: ekstypes.UpdateParamTypeLaunchTemplateVersion, Value: lt.Version})
	}
	if in.ReleaseVersion != nil {
		u.Params = append(u.Params, ekstypes.UpdateParam{Type: ekstypes.UpdateParamTypeReleaseVersion, Value: in.ReleaseVersion})
	}
	f.updates = append(f.updates, u)
	return &eks.UpdateNodegroupVersionOutput{Update: &u}, nil
}

func (f *fakeEKS) update(id string) *ekstypes.Update {
	for i := range f.updates {
		if aws.ToString(f.updates[i].Id) == id {
			return &f.updates[i]
		}
	}
	return nil
}

func (f *fakeEKS) DescribeUpdate(_ context.Context, in *eks.DescribeUpdateInput, _ ...func(*eks.Options)) (*eks.DescribeUpdateOutput, error) {
	f.calls["DescribeUpdate"]++
	u := f.update(aws.ToString(in.UpdateId))
	return &eks.DescribeUpdateOutput{Update: u}, nil
}

func (f *fakeEKS) ListUpdates(_ context.Context, in *eks.ListUpdatesInput, _ ...func(*eks.Options)) (*eks.ListUpdatesOutput, error) {
	f.calls["ListUpdates"]++
	// Pages of two, to check the driver follows nextToken.
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	var out eks.ListUpdatesOutput
	for i := start; i < len(f.updates) && i < start+2; i++ {
		out.UpdateIds = append(out.UpdateIds, aws.ToString(f.updates[i].Id))
	}
	if start+2 < len(f.updates) {
		out.NextToken = aws.String(strconv.Itoa(start + 2))
	}
	return &out, nil
}

func customNodegroup() ekstypes.Nodegroup {
	return ekstypes.Nodegroup{NodegroupName: aws.String("win"), Status: ekstypes.NodegroupStatusActive, AmiType: ekstypes.AMITypesCustom,
		LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String("lt-0abc"), Name: aws.String("nodes"), Version: aws.String("1")},
		UpdateConfig:   &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(2)}}
}

func TestNodegroupPrepareSkips(t *testing.T) {
	eksType := ekstypes.Nodegroup{NodegroupName: aws.String("win"), Status: ekstypes.NodegroupStatusActive,
		AmiType: ekstypes.AMITypesWindowsCore2022X8664, ReleaseVersion: aws.String("1.35-2026.11.11")}
	tests := []struct {
		name   string
		ng     func() ekstypes.Nodegroup
		images []string
		g      Group
		want   string
	}{
		{"degraded", func() ekstypes.Nodegroup {
			n := customNodegroup()
			n.Status = ekstypes.NodegroupStatusDegraded
			return n
		}, []string{"ami-1"},
			Group{Expect: Expect{AMI: "ami-2"}}, "node group win is DEGRADED: fix the health issues"},
		{"creating", func() ekstypes.Nodegroup {
			n := customNodegroup()
			n.Status = ekstypes.NodegroupStatusCreating
			return n
		}, []string{"ami-1"},
			Group{Expect: Expect{AMI: "ami-2"}}, "node group win is CREATING: run the rollout again when it is ACTIVE"},
		{"custom AMI on an EKS AMI type", func() ekstypes.Nodegroup { return eksType }, nil,
			Group{Expect: Expect{AMI: "ami-2"}}, "node group win runs EKS's AMI type WINDOWS_CORE_2022_x86_64: only --latest can move it; a custom AMI needs a node group with a launch template and amiType CUSTOM"},
		{"older release", func() ekstypes.Nodegroup { return eksType }, nil,
			Group{ReleaseVersion: "1.35-2026.10.14"}, "EKS does not move a node group to an older release"},
		{"template without ImageId", customNodegroup, []string{""},
			Group{Expect: Expect{AMI: "ami-2"}}, "launch template nodes version 1 of node group win names no ImageId: give it one"},
		{"latest on a custom group", customNodegroup, []string{"ami-1"},
			Group{}, "--latest cannot move it; give --ami or -f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := newFakeEKS(tt.ng()), newFakeEC2(tt.images...)
			g := tt.g
			g.Name = "win"
			if err := NewNodegroupDriver(e, c, "demo").Prepare(t.Context(), &g); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(g.Skip, tt.want) {
				t.Errorf("skip %q, want %q", g.Skip, tt.want)
			}
			if e.calls["DescribeNodegroup"] != 1 || c.calls["DescribeLaunchTemplateVersions"] > 1 || len(e.started)+len(c.created) > 0 {
				t.Errorf("calls %v %v", e.calls, c.calls)
			}
		})
	}
}

// Prepare of a custom group: one DescribeNodegroup, one
// DescribeLaunchTemplateVersions; the change says what happens, and that
// EKS takes another maxUnavailable only by a separate update.
func TestNodegroupPrepareTemplate(t *testing.T) {
	e, c := newFakeEKS(customNodegroup()), newFakeEC2("ami-1")
	g := &Group{Name: "win", Expect: Expect{AMI: "ami-2"}, MaxUnavailable: 3}
	if err := NewNodegroupDriver(e, c, "demo").Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	want := "launch template nodes version 1 → new version (ImageId ami-1 → ami-2), then UpdateNodegroupVersion (maxUnavailable 2, the group's own: EKS changes it only by UpdateNodegroupConfig"
	if g.Skip != "" || g.Method != MethodLaunchTemplate || !strings.HasPrefix(g.Change, want) || g.State.LaunchTemplateID != "lt-0abc" || g.State.FromVersion != "1" {
		t.Errorf("prepared %+v", g)
	}
	if e.calls["DescribeNodegroup"] != 1 || c.calls["DescribeLaunchTemplateVersions"] != 1 || len(e.calls)+len(c.calls) != 2 {
		t.Errorf("calls %v %v", e.calls, c.calls)
	}
}

// Start makes one version (a copy of the old one, its description naming
// where it came from) and one update; a Start retried after the update
// call failed reuses the version and the update's token.
func TestNodegroupStartRetry(t *testing.T) {
	e, c := newFakeEKS(customNodegroup()), newFakeEC2("ami-1")
	d := NewNodegroupDriver(e, c, "demo")
	g := &Group{Name: "win", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	e.err = &ekstypes.ServerException{Message: aws.String("boom")}
	if err := d.Start(t.Context(), g); err == nil || !strings.Contains(err.Error(), "starting the update of node group win") {
		t.Fatalf("start: %v", err)
	}
	e.err = nil
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if len(c.created) != 1 || aws.ToString(c.created[0].SourceVersion) != "1" || aws.ToString(c.created[0].VersionDescription) != "winami rollout of ami-2 from version 1" {
		t.Fatalf("versions created: %d", len(c.created))
	}
	if len(e.updates) != 1 || aws.ToString(e.started[0].ClientRequestToken) != aws.ToString(e.started[1].ClientRequestToken) ||
		aws.ToString(e.started[0].LaunchTemplate.Version) != "2" || g.State.ToVersion != "2" || g.State.UpdateID == "" {
		t.Errorf("updates %d, state %+v", len(e.updates), g.State)
	}
}

// InFlight follows ListUpdates' pages and looks at the newest first; the
// version's description gives the version to put back.
func TestNodegroupInFlight(t *testing.T) {
	e, c := newFakeEKS(customNodegroup()), newFakeEC2("ami-1")
	c.add("ami-2", "winami rollout of ami-2 from version 1")
	for i := range 4 {
		e.updates = append(e.updates, ekstypes.Update{Id: aws.String("old" + strconv.Itoa(i)), Status: ekstypes.UpdateStatusSuccessful})
	}
	e.updates = append(e.updates, ekstypes.Update{Id: aws.String("new"), Status: ekstypes.UpdateStatusInProgress,
		Params: []ekstypes.UpdateParam{{Type: ekstypes.UpdateParamTypeLaunchTemplateVersion, Value: aws.String("2")}}})
	d := NewNodegroupDriver(e, c, "demo")
	g := &Group{Name: "win", Method: MethodLaunchTemplate, State: State{LaunchTemplateID: "lt-0abc"}}
	found, err := d.InFlight(t.Context(), g)
	if err != nil || !found || g.State.UpdateID != "new" || g.State.ToVersion != "2" || g.State.FromVersion != "1" || !g.State.Resumed {
		t.Fatalf("%v %v %+v", found, err, g.State)
	}
	if e.calls["ListUpdates"] != 3 || e.calls["DescribeUpdate"] != 1 {
		t.Errorf("calls %v", e.calls)
	}
	e.updates[4].Status = ekstypes.UpdateStatusFailed
	if found, err := d.InFlight(t.Context(), &Group{Name: "win"}); found || err != nil {
		t.Errorf("nothing in flight: %v %v", found, err)
	}
}

// Poll is one DescribeUpdate; a failed update's errors make one line.
func TestNodegroupPoll(t *testing.T) {
	e := newFakeEKS(customNodegroup())
	e.updates = []ekstypes.Update{{Id: aws.String("u1"), Status: ekstypes.UpdateStatusFailed, Errors: []ekstypes.ErrorDetail{
		{ErrorCode: ekstypes.ErrorCodeNodeCreationFailure, ErrorMessage: aws.String("Instances failed to join\nthe cluster"), ResourceIds: []string{"i-1", "i-2"}},
		{ErrorCode: ekstypes.ErrorCodePodEvictionFailure, ErrorMessage: aws.String("PDB")},
	}}}
	d := NewNodegroupDriver(e, nil, "demo")
	p, err := d.Poll(t.Context(), &Group{Name: "win", State: State{UpdateID: "u1"}})
	want := "update u1 Failed: NodeCreationFailure: Instances failed to join the cluster (i-1, i-2); PodEvictionFailure: PDB"
	if err != nil || p.Failed != want || p.Done || p.Phase != "Failed" || p.Percent != -1 {
		t.Errorf("%+v %v\nwant %s", p, err, want)
	}
	e.updates[0].Status = ekstypes.UpdateStatusSuccessful
	if p, _ := d.Poll(t.Context(), &Group{Name: "win", State: State{UpdateID: "u1"}}); !p.Done || p.Failed != "" {
		t.Errorf("%+v", p)
	}
	if e.calls["DescribeUpdate"] != 2 || len(e.calls) != 1 {
		t.Errorf("calls %v", e.calls)
	}
}

// Rollback of a launch template change: wait, revert, follow the revert.
func TestNodegroupRollbackSteps(t *testing.T) {
	e, c := newFakeEKS(customNodegroup()), newFakeEC2("ami-1")
	d := NewNodegroupDriver(e, c, "demo")
	g := &Group{Name: "win", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	first := g.State.UpdateID
	done, what, err := d.Rollback(t.Context(), g)
	if done || err != nil || what != "waiting for update "+first+" of node group win to end" {
		t.Fatalf("%v %q %v", done, what, err)
	}
	e.update(first).Status = ekstypes.UpdateStatusSuccessful
	e.ng.LaunchTemplate.Version = aws.String("2")
	done, what, err = d.Rollback(t.Context(), g)
	if done || err != nil || g.State.UpdateID == first || !strings.Contains(what, "back to launch template nodes version 1 started") {
		t.Fatalf("%v %q %v", done, what, err)
	}
	if v := aws.ToString(e.started[1].LaunchTemplate.Version); v != "1" {
		t.Errorf("reverted to %s", v)
	}
	if done, _, _ := d.Rollback(t.Context(), g); done {
		t.Error("done while the revert is in progress")
	}
	e.update(g.State.UpdateID).Status = ekstypes.UpdateStatusSuccessful
	done, what, err = d.Rollback(t.Context(), g)
	if !done || err != nil || what != "node group win back on launch template nodes version 1 (update "+g.State.UpdateID+")" {
		t.Errorf("%v %q %v", done, what, err)
	}
	if len(e.started) != 2 || c.calls["CreateLaunchTemplateVersion"] != 1 || c.calls["ModifyLaunchTemplate"] != 0 {
		t.Errorf("calls %v %v", e.calls, c.calls)
	}
}

// A failed update that left the group on its version is not re-rolled.
func TestNodegroupRollbackAfterFailure(t *testing.T) {
	e, c := newFakeEKS(customNodegroup()), newFakeEC2("ami-1")
	d := NewNodegroupDriver(e, c, "demo")
	g := &Group{Name: "win", Expect: Expect{AMI: "ami-2"}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	e.update(g.State.UpdateID).Status = ekstypes.UpdateStatusFailed
	done, what, err := d.Rollback(t.Context(), g)
	if !done || err != nil || !strings.Contains(what, "stays on launch template nodes version 1") || len(e.started) != 1 {
		t.Errorf("%v %q %v, %d updates", done, what, err, len(e.started))
	}
}
