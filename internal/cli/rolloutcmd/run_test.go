package rolloutcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/rollout"
)

const (
	oldAMI = "ami-0000000000000000a"
	newAMI = "ami-0123456789abcdef0"
)

// fakeRunner records what the command asks of the runner.
type fakeRunner struct {
	events  func(rollout.Event)
	planned []rollout.PlanInput
	applied int
	plan    *rollout.Plan
	result  *rollout.Result
	// apply, when set, runs in Apply instead of the default events.
	apply func(ctx context.Context) error
}

func (f *fakeRunner) Plan(ctx context.Context, in rollout.PlanInput) (*rollout.Plan, error) {
	f.planned = append(f.planned, in)
	for _, g := range f.plan.Groups {
		if err := in.Resolve(ctx, g); err != nil {
			return nil, err
		}
	}
	return f.plan, nil
}

func (f *fakeRunner) Apply(ctx context.Context, p *rollout.Plan) (*rollout.Result, error) {
	f.applied++
	if f.apply != nil {
		if err := f.apply(ctx); err != nil {
			return nil, err
		}
	}
	at := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	f.events(rollout.Event{Time: at, Type: rollout.EventStart, Group: "ng-win", Kind: rollout.KindNodegroup, Wave: 1, Total: 2, Phase: "InProgress"})
	f.events(rollout.Event{Time: at, Type: rollout.EventVerified, Group: "ng-win", Kind: rollout.KindNodegroup, Wave: 1, Replaced: 2, Total: 2, Phase: "Successful"})
	return f.result, nil
}

// fakeWorld is a cluster as the command's env sees it.
type fakeWorld struct {
	runner  *fakeRunner
	nodes   []rollout.NodeState
	reports []*drift.Report // returned in turn; the last one repeats
	reads   int
	expects []string
}

func (w *fakeWorld) build(ctx context.Context, o *options) (*env, error) {
	return &env{
		Cluster: o.cluster,
		Report: func(context.Context) (*drift.Report, error) {
			r := w.reports[min(w.reads, len(w.reports)-1)]
			w.reads++
			return r, nil
		},
		Observe: func(context.Context) ([]rollout.NodeState, error) { return w.nodes, nil },
		Expect: func(_ context.Context, ami string) (rollout.Expect, error) {
			w.expects = append(w.expects, ami)
			return rollout.Expect{AMI: ami, Kubelet: "v1.35.2"}, nil
		},
		Runner: func(events func(rollout.Event)) planner { w.runner.events = events; return w.runner },
	}, nil
}

func report(drifted int) *drift.Report {
	return &drift.Report{
		Cluster: "demo", Region: "us-east-1", ControlPlane: "v1.35.2-eks-1",
		Desired:    drift.Desired{Mode: "ami", AMI: newAMI},
		Nodegroups: []drift.Nodegroup{{Name: "ng-win", Windows: true, AMIType: "CUSTOM"}, {Name: "ng-linux", AMIType: "AL2023_x86_64_STANDARD"}},
		Summary:    drift.Summary{WindowsNodes: 2, Drifted: drifted},
	}
}

func newWorld() *fakeWorld {
	g := &rollout.Group{Kind: rollout.KindNodegroup, Name: "ng-win", Method: rollout.MethodLaunchTemplate, Nodes: 2, Drifted: 2, FromAMIs: []string{oldAMI}, Change: "launch template lt-1 version 4 (ImageId " + newAMI + "), then UpdateNodegroupVersion"}
	return &fakeWorld{
		runner: &fakeRunner{
			plan:   &rollout.Plan{Cluster: "demo", Target: rollout.Target{Mode: "ami", AMI: newAMI}, Groups: []*rollout.Group{g}, Waves: [][]string{{g.ID()}}},
			result: &rollout.Result{Outcome: "succeeded", Groups: []*rollout.Group{g}},
		},
		nodes: []rollout.NodeState{
			{Name: "ip-10-0-1-1", OwnerKind: rollout.KindNodegroup, OwnerName: "ng-win"},
			{Name: "ip-10-0-1-2", OwnerKind: rollout.KindSelfManaged, OwnerName: "windows-self-managed"},
		},
		reports: []*drift.Report{report(2), report(0)},
	}
}

func testApp(format string) (*cmdutil.App, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	app := cmdutil.NewApp(cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	app.Globals.Output = format
	return app, &out, &errOut
}

// TestRunDryRunChangesNothing: --dry-run prints the plan and stops, exit
// 2 while the cluster is not on the AMI and 0 once it is.
func TestRunDryRunChangesNothing(t *testing.T) {
	w := newWorld()
	app, out, _ := testApp("table")
	o := valid()
	o.dryRun = true
	err := run(t.Context(), app, o, w.build)
	if cmdutil.ExitCode(err) != cmdutil.ExitDifferences {
		t.Errorf("dry run with drift: %v, want exit 2", err)
	}
	if w.runner.applied != 0 || len(w.runner.planned) != 1 {
		t.Errorf("dry run: planned %d, applied %d", len(w.runner.planned), w.runner.applied)
	}
	for _, want := range []string{"Rollout of demo to AMI " + newAMI, "ng-win", "launch-template", "UpdateNodegroupVersion", "1 (canary): nodegroup/ng-win"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if len(w.expects) != 1 || w.expects[0] != newAMI {
		t.Errorf("expectations read for %v", w.expects)
	}

	w = newWorld()
	w.reports = []*drift.Report{report(0)}
	w.runner.plan.Groups[0].UpToDate = true
	app, _, _ = testApp("table")
	if err := run(t.Context(), app, o, w.build); err != nil {
		t.Errorf("dry run, nothing to do: %v", err)
	}
}

// TestRunRefusesBeforeAnyChange: a cluster without Windows nodes, and
// --nodegroups naming a Linux or unknown group, are refused before the
// runner plans anything; the error names the Windows groups there are.
func TestRunRefusesBeforeAnyChange(t *testing.T) {
	cases := []struct {
		name string
		edit func(w *fakeWorld, o *options)
		want string
	}{
		{"no windows nodes", func(w *fakeWorld, o *options) { w.nodes = nil }, "cluster demo has no Windows nodes"},
		{"linux group", func(w *fakeWorld, o *options) { o.nodegroups = []string{"ng-linux"} },
			"node group ng-linux of cluster demo is not a Windows node group (AMI type AL2023_x86_64_STANDARD); its Windows groups are ng-win, windows-self-managed"},
		{"unknown group", func(w *fakeWorld, o *options) { o.nodegroups = []string{"ng-win", "nope"} },
			"--nodegroups nope: cluster demo has no Windows group of that name; its Windows groups are ng-win, windows-self-managed"},
	}
	for _, c := range cases {
		w := newWorld()
		o := valid()
		o.autoApprove = true
		c.edit(w, o)
		app, _, _ := testApp("table")
		err := run(t.Context(), app, o, w.build)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if len(w.runner.planned) != 0 || w.runner.applied != 0 {
			t.Errorf("%s: planned %d, applied %d", c.name, len(w.runner.planned), w.runner.applied)
		}
	}
}

// TestRunNeedsAutoApprove: off a terminal, nothing changes without
// --auto-approve, and the error names the flag.
func TestRunNeedsAutoApprove(t *testing.T) {
	w := newWorld()
	app, _, _ := testApp("table")
	err := run(t.Context(), app, valid(), w.build)
	if err == nil || !strings.Contains(err.Error(), "--auto-approve") {
		t.Errorf("without --auto-approve: %v", err)
	}
	if w.runner.applied != 0 {
		t.Error("applied without approval")
	}
}

// TestRunApplies: events as timestamped lines on stderr, then the drift
// report's summary; exit 0 when every node is on the AMI, 2 when drift
// remains.
func TestRunApplies(t *testing.T) {
	w := newWorld()
	app, out, errOut := testApp("table")
	o := valid()
	o.autoApprove = true
	if err := run(t.Context(), app, o, w.build); err != nil {
		t.Fatalf("rollout: %v", err)
	}
	if w.runner.applied != 1 || w.reads != 2 {
		t.Errorf("applied %d, drift reports %d", w.runner.applied, w.reads)
	}
	if want := "15:04:05 nodegroup/ng-win wave 1 verified 2/2 nodes (Successful)"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if want := "Drift: 2 Windows nodes, 0 drifted: every Windows node is on the target."; !strings.Contains(out.String(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}
	if in := w.runner.planned[0]; in.Cluster != "demo" || in.Target.AMI != newAMI || len(in.Nodegroups) != 2 {
		t.Errorf("plan input %+v", in)
	}

	w = newWorld()
	w.reports = []*drift.Report{report(2), report(1)}
	app, _, _ = testApp("table")
	if err := run(t.Context(), app, o, w.build); cmdutil.ExitCode(err) != cmdutil.ExitDifferences {
		t.Errorf("drift remains: %v, want exit 2", err)
	}
}

// TestRunFailureSaysWhatWasPutBack: a failed wave exits 1 with the reason
// and what was put back, after the drift summary.
func TestRunFailureSaysWhatWasPutBack(t *testing.T) {
	w := newWorld()
	w.runner.result = &rollout.Result{Outcome: "failed", FailedGroup: "nodegroup/ng-win", Failure: "ip-10-0-9-9: not Ready after 45m0s",
		PutBack: []string{"launch template lt-1 version 3 put back (" + oldAMI + ")"}}
	app, out, _ := testApp("table")
	o := valid()
	o.autoApprove = true
	err := run(t.Context(), app, o, w.build)
	if cmdutil.ExitCode(err) != cmdutil.ExitError || err == nil ||
		!strings.Contains(err.Error(), "rollout failed in nodegroup/ng-win: ip-10-0-9-9: not Ready after 45m0s; put back: launch template lt-1 version 3 put back") {
		t.Errorf("failed rollout: %v", err)
	}
	if !strings.Contains(out.String(), "Drift: 2 Windows nodes") {
		t.Errorf("no drift summary after the failure:\n%s", out)
	}
}

// TestRunInterruptedSaysHowToResume: Ctrl-C (the context ends) stops the
// following only, and says to run the same command again.
func TestRunInterruptedSaysHowToResume(t *testing.T) {
	w := newWorld()
	ctx, cancel := context.WithCancel(t.Context())
	w.runner.apply = func(ctx context.Context) error { cancel(); return ctx.Err() }
	app, _, _ := testApp("table")
	o := valid()
	o.autoApprove = true
	err := run(ctx, app, o, w.build)
	if !errors.Is(err, errInterrupted) || !strings.Contains(err.Error(), "run the same command again") {
		t.Errorf("interrupted: %v", err)
	}
}

// TestRunJSONLines: -o json writes one JSON object a line: the plan, each
// event, the result, the drift summary.
func TestRunJSONLines(t *testing.T) {
	w := newWorld()
	app, out, errOut := testApp("json")
	o := valid()
	o.autoApprove = true
	if err := run(t.Context(), app, o, w.build); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5 (plan, 2 events, result, drift):\n%s", len(lines), out)
	}
	var ev rollout.Event
	if err := json.Unmarshal([]byte(lines[2]), &ev); err != nil || ev.Type != rollout.EventVerified || ev.Replaced != 2 || ev.Group != "ng-win" {
		t.Errorf("event line %s: %+v %v", lines[2], ev, err)
	}
	for i, key := range map[int]string{0: "plan", 3: "result", 4: "drift"} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil || m[key] == nil {
			t.Errorf("line %d %s: want a %q object (%v)", i, lines[i], key, err)
		}
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr with -o json: %s", errOut)
	}
}

// TestResolveLatest: in latest mode each group's target is the newest
// release of its own AMI's key, read from the drift report; a group on
// an AMI that is not an EKS release is skipped with the fix.
func TestResolveLatest(t *testing.T) {
	r := report(2)
	r.Desired = drift.Desired{Mode: "latest", Latest: map[string]drift.LatestRelease{
		"Windows Server 2022 Core, Kubernetes 1.35": {AMI: newAMI, ReleaseVersion: "1.35.2-20261112"},
	}}
	r.Nodes = []drift.Node{
		{Name: "a", AMI: oldAMI, AMIName: "Windows_Server-2022-English-Core-EKS_Optimized-1.34-2026.08.12"},
		{Name: "b", AMI: "ami-0000000000000000b", AMIName: "winami-demo-2026"},
	}
	w := newWorld()
	e, _ := w.build(t.Context(), valid())
	resolve := resolver(e, r, rollout.Target{Mode: "latest"})
	g := &rollout.Group{Name: "ng-win", FromAMIs: []string{oldAMI}}
	if err := resolve(t.Context(), g); err != nil || g.Expect.AMI != newAMI || g.ReleaseVersion != "1.35.2-20261112" || g.Skip != "" {
		t.Errorf("eks group: %+v %v", g, err)
	}
	own := &rollout.Group{Name: "self", FromAMIs: []string{"ami-0000000000000000b"}}
	if err := resolve(t.Context(), own); err != nil || !strings.Contains(own.Skip, "use --ami or -f") {
		t.Errorf("own AMI group: %+v %v", own, err)
	}
	// The AMI's expectations are read once, however many groups share it.
	_ = resolve(t.Context(), &rollout.Group{Name: "ng-2", FromAMIs: []string{oldAMI}})
	if len(w.expects) != 1 {
		t.Errorf("ExpectOf called %d times, want 1", len(w.expects))
	}
}

// TestRunNothingToDo: a plan that rolls nothing asks nothing, applies
// nothing, says so, and still ends with the drift report's verdict.
func TestRunNothingToDo(t *testing.T) {
	w := newWorld()
	w.runner.plan.Groups[0].UpToDate = true
	w.reports = []*drift.Report{report(0)}
	app, out, _ := testApp("table")
	if err := run(t.Context(), app, valid(), w.build); err != nil {
		t.Fatalf("nothing to do: %v", err)
	}
	if w.runner.applied != 0 || !strings.Contains(out.String(), "Nothing to roll out.") || !strings.Contains(out.String(), "0 drifted") {
		t.Errorf("applied %d; stdout:\n%s", w.runner.applied, out)
	}
}
