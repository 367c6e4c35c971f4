package rollout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/rollout"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// p1Clock is the test's hand-moved clock (sandboxtest.Clock).
type p1Clock = sandboxtest.Clock

// p1Env is the demo sandbox with a movable clock, its SDK clients counted.
type p1Env struct {
	srv     *sandbox.Server
	clients *awsapi.Clients
	calls   *awsapi.CallCounter
	clock   *p1Clock
}

func p1Start(t *testing.T) *p1Env {
	t.Helper()
	clk := sandboxtest.NewClock(time.Now().UTC().Truncate(time.Second))
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now, RolloutPace: 10 * time.Second})
	calls := awsapi.NewCallCounter()
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware())
	return &p1Env{srv: srv, clients: awsapi.NewClients(cfg), calls: calls, clock: clk}
}

// customGroup is the launch template ID of windows-core-a, the demo's
// custom AMI group (its template's version 1 names the AMI it runs).
func (e *p1Env) customGroup(t *testing.T) string {
	t.Helper()
	var lt string
	err := e.srv.Store().View(func(w *world.World) error {
		ng := w.Region("us-east-1").Clusters[world.DemoCluster].Nodegroups["windows-core-a"]
		if ng.AMIType != "CUSTOM" || ng.LaunchTemplate == nil {
			t.Errorf("windows-core-a is %s: the demo's custom AMI group changed", ng.AMIType)
			return nil
		}
		lt = ng.LaunchTemplate.ID
		return nil
	})
	if err != nil || lt == "" {
		t.Fatal("no launch template", err)
	}
	return lt
}

func (e *p1Env) imageID(t *testing.T, name string) string {
	t.Helper()
	var id string
	_ = e.srv.Store().View(func(w *world.World) error {
		if img := w.Region("us-east-1").ImageByName(name); img != nil {
			id = img.ImageID
		}
		return nil
	})
	if id == "" {
		t.Fatalf("no image %s", name)
	}
	return id
}

// pollUntil moves the clock until the driver's Poll says the change ended.
func pollUntil(t *testing.T, e *p1Env, d rollout.Driver, g *rollout.Group) rollout.Progress {
	t.Helper()
	for range 300 {
		p, err := d.Poll(t.Context(), g)
		if err != nil {
			t.Fatal(err)
		}
		if p.Done || p.Failed != "" {
			return p
		}
		e.clock.Advance(5 * time.Second)
	}
	t.Fatal("the change never ended")
	return rollout.Progress{}
}

// rollbackUntil steps Rollback, moving the clock, until it is done.
func rollbackUntil(t *testing.T, e *p1Env, d rollout.Driver, g *rollout.Group) []string {
	t.Helper()
	var steps []string
	for range 300 {
		done, what, err := d.Rollback(t.Context(), g)
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) == 0 || steps[len(steps)-1] != what {
			steps = append(steps, what)
		}
		if done {
			return steps
		}
		e.clock.Advance(5 * time.Second)
	}
	t.Fatalf("rollback never ended: %q", steps)
	return nil
}

func (e *p1Env) nodegroup(t *testing.T, name string) *eks.DescribeNodegroupOutput {
	t.Helper()
	out, err := e.clients.EKS("us-east-1").DescribeNodegroup(t.Context(), &eks.DescribeNodegroupInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A custom AMI group onto the bad AMI: the update fails with EKS's errors,
// a rerun finds it in flight, and Rollback leaves the group on version 1
// with the template's default version untouched.
func TestNodegroupDriverSandboxBadAMI(t *testing.T) {
	e := p1Start(t)
	lt := e.customGroup(t)
	bad := e.imageID(t, world.BadAMIName)
	d := rollout.NewNodegroupDriver(e.clients.EKS("us-east-1"), e.clients.EC2("us-east-1"), world.DemoCluster)
	g := &rollout.Group{Kind: rollout.KindNodegroup, Name: "windows-core-a", Expect: rollout.Expect{AMI: bad}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if g.Skip != "" || g.Method != rollout.MethodLaunchTemplate || g.State.LaunchTemplateID != lt || g.State.FromVersion != "1" ||
		!strings.Contains(g.Change, "version 1 → new version (ImageId ami-") || !strings.Contains(g.Change, bad) {
		t.Fatalf("prepared %+v", g)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if g.State.ToVersion != "2" || g.State.UpdateID == "" {
		t.Fatalf("started %+v", g.State)
	}

	// A new process finds the update and where it came from.
	again := &rollout.Group{Kind: rollout.KindNodegroup, Name: "windows-core-a", Expect: rollout.Expect{AMI: bad}}
	if err := d.Prepare(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if again.Skip != "" {
		t.Fatalf("an UPDATING group is skipped: %s", again.Skip)
	}
	again.State.FromVersion = "" // read back from the version's description
	found, err := d.InFlight(t.Context(), again)
	if err != nil || !found || again.State.UpdateID != g.State.UpdateID || again.State.ToVersion != "2" || again.State.FromVersion != "1" || !again.State.Resumed {
		t.Fatalf("in flight: %v %v %+v", found, err, again.State)
	}

	e.calls.Reset()
	p := pollUntil(t, e, d, again)
	if polls := e.calls.Count("EKS", "DescribeUpdate"); polls != e.calls.Total() {
		t.Errorf("a poll is one DescribeUpdate: %s", e.calls)
	}
	if p.Phase != "Failed" || !strings.Contains(p.Failed, "NodeCreationFailure") || strings.Contains(p.Failed, "\n") {
		t.Fatalf("progress %+v", p)
	}
	steps := rollbackUntil(t, e, d, again)
	ng := e.nodegroup(t, "windows-core-a").Nodegroup
	if aws.ToString(ng.LaunchTemplate.Version) != "1" || ng.Status != "ACTIVE" {
		t.Errorf("node group after rollback: %s version %s (%q)", ng.Status, aws.ToString(ng.LaunchTemplate.Version), steps)
	}
	if last := steps[len(steps)-1]; !strings.Contains(last, "version 1") {
		t.Errorf("rollback said %q", steps)
	}
	tmpl, err := e.clients.EC2("us-east-1").DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{lt}})
	if err != nil || aws.ToInt64(tmpl.LaunchTemplates[0].DefaultVersionNumber) != 1 {
		t.Errorf("default version changed: %+v %v", tmpl, err)
	}
}

// A rollback while the update is in progress waits for it, then puts the
// launch template version back with an update of its own.
func TestNodegroupDriverSandboxRollbackAfterSuccess(t *testing.T) {
	e := p1Start(t)
	e.customGroup(t)
	older := e.imageID(t, "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14")
	d := rollout.NewNodegroupDriver(e.clients.EKS("us-east-1"), e.clients.EC2("us-east-1"), world.DemoCluster)
	g := &rollout.Group{Kind: rollout.KindNodegroup, Name: "windows-core-a", Expect: rollout.Expect{AMI: older}}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	done, what, err := d.Rollback(t.Context(), g)
	if err != nil || done || !strings.Contains(what, "waiting for update "+g.State.UpdateID) {
		t.Fatalf("rollback in progress: %v %q %v", done, what, err)
	}
	if p := pollUntil(t, e, d, g); !p.Done {
		t.Fatalf("update %+v", p)
	}
	if v := aws.ToString(e.nodegroup(t, "windows-core-a").Nodegroup.LaunchTemplate.Version); v != "2" {
		t.Fatalf("node group on version %s after its update", v)
	}
	rollbackUntil(t, e, d, g)
	if v := aws.ToString(e.nodegroup(t, "windows-core-a").Nodegroup.LaunchTemplate.Version); v != "1" {
		t.Errorf("node group on version %s after rollback", v)
	}
}

// An EKS AMI type group: asked for a custom AMI it is skipped with the
// fix; with a release it updates, and its rollback says EKS cannot go back.
func TestNodegroupDriverSandboxRelease(t *testing.T) {
	e := p1Start(t)
	d := rollout.NewNodegroupDriver(e.clients.EKS("us-east-1"), e.clients.EC2("us-east-1"), world.DemoCluster)
	custom := &rollout.Group{Kind: rollout.KindNodegroup, Name: "windows-core-b", Expect: rollout.Expect{AMI: "ami-0123456789abcdef0"}}
	if err := d.Prepare(t.Context(), custom); err != nil {
		t.Fatal(err)
	}
	want := "node group windows-core-b runs EKS's AMI type WINDOWS_CORE_2022_x86_64: only --latest can move it; a custom AMI needs a node group with a launch template and amiType CUSTOM"
	if custom.Skip != want {
		t.Errorf("skip %q", custom.Skip)
	}

	g := &rollout.Group{Kind: rollout.KindNodegroup, Name: "windows-core-b", ReleaseVersion: "1.35-2026.11.11"}
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if g.Skip != "" || g.Method != rollout.MethodReleaseVersion || g.State.ReleaseBefore != "1.35-2026.11.11" || !strings.Contains(g.Change, "release 1.35-2026.11.11 → 1.35-2026.11.11") {
		t.Fatalf("prepared %+v", g)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if p := pollUntil(t, e, d, g); !p.Done {
		t.Fatalf("update %+v", p)
	}
	steps := rollbackUntil(t, e, d, g)
	if !strings.Contains(steps[len(steps)-1], "EKS cannot move a node group back to an older release") {
		t.Errorf("rollback said %q", steps)
	}
}
