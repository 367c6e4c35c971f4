package rollout

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

// scriptDriver is a Driver whose answers are scripted per group, and that
// records every call as "<call> <group>".
type scriptDriver struct {
	calls    *[]string
	inFlight map[string]bool
	startErr map[string]error
	// polls are the progress answers per group, the last one repeated.
	polls map[string][]Progress
	// rollbackSteps is how many Rollback calls a group takes to be done.
	rollbackSteps map[string]int
	prepared      func(g *Group)
	n             map[string]int
}

func (d *scriptDriver) rec(call string, g *Group) { *d.calls = append(*d.calls, call+" "+g.Name) }

func (d *scriptDriver) Prepare(_ context.Context, g *Group) error {
	d.rec("prepare", g)
	if d.prepared != nil {
		d.prepared(g)
	}
	return nil
}
func (d *scriptDriver) InFlight(_ context.Context, g *Group) (bool, error) {
	d.rec("inflight", g)
	return d.inFlight[g.Name], nil
}
func (d *scriptDriver) Start(_ context.Context, g *Group) error {
	d.rec("start", g)
	return d.startErr[g.Name]
}
func (d *scriptDriver) Poll(_ context.Context, g *Group) (Progress, error) {
	d.rec("poll", g)
	ps := d.polls[g.Name]
	if len(ps) == 0 {
		return Progress{Phase: "Successful", Done: true}, nil
	}
	if d.n == nil {
		d.n = map[string]int{}
	}
	i := min(d.n["poll "+g.Name], len(ps)-1)
	d.n["poll "+g.Name]++
	return ps[i], nil
}
func (d *scriptDriver) Continue(_ context.Context, g *Group) error {
	d.rec("continue", g)
	return nil
}
func (d *scriptDriver) Rollback(_ context.Context, g *Group) (bool, string, error) {
	d.rec("rollback", g)
	if d.n == nil {
		d.n = map[string]int{}
	}
	d.n["rollback "+g.Name]++
	if d.n["rollback "+g.Name] < d.rollbackSteps[g.Name] {
		return false, "waiting", nil
	}
	return true, "put back", nil
}

// worldObserver serves nodes from a function of the number of reads.
type worldObserver struct {
	reads int
	nodes func(read int) []NodeState
}

func (o *worldObserver) Observe(context.Context) ([]NodeState, error) {
	o.reads++
	return o.nodes(o.reads), nil
}

// simpleVerify counts a group's nodes: verified when on the AMI and Ready.
func simpleVerify(nodes []NodeState, g *Group) Check {
	var c Check
	for _, n := range nodes {
		if n.OwnerKind != g.Kind || n.OwnerName != g.Name {
			continue
		}
		c.Total++
		switch {
		case n.AMI != g.Expect.AMI:
			c.Old++
		case !n.Ready:
			c.Problems = append(c.Problems, n.Name+": not Ready")
		default:
			c.Verified++
		}
	}
	return c
}

func nodesOf(kind Kind, group, ami string, ready bool, names ...string) []NodeState {
	var out []NodeState
	for _, n := range names {
		out = append(out, NodeState{Name: n, OwnerKind: kind, OwnerName: group, AMI: ami, Ready: ready})
	}
	return out
}

type harness struct {
	calls  []string
	events []Event
	drv    *scriptDriver
	obs    *worldObserver
	clk    *clock.Fake
	r      *Runner
}

func newHarness(nodes func(read int) []NodeState) *harness {
	h := &harness{clk: clock.NewFake(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))}
	h.drv = &scriptDriver{calls: &h.calls, inFlight: map[string]bool{}, startErr: map[string]error{},
		polls: map[string][]Progress{}, rollbackSteps: map[string]int{}}
	h.obs = &worldObserver{nodes: nodes}
	h.r = &Runner{
		Drivers:  map[Method]Driver{MethodLaunchTemplate: h.drv, MethodInstanceRefresh: h.drv, MethodNodeClass: h.drv, MethodReleaseVersion: h.drv},
		Observer: h.obs, Clock: h.clk, Poll: 10 * time.Second, Timeout: 5 * time.Minute,
		Events: func(e Event) { h.events = append(h.events, e) },
		Verify: simpleVerify,
	}
	return h
}

func (h *harness) plan(t *testing.T, in PlanInput) *Plan {
	t.Helper()
	if in.Resolve == nil {
		in.Resolve = func(_ context.Context, g *Group) error { g.Expect.AMI = "ami-new"; return nil }
	}
	p, err := h.r.Plan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	h.calls = nil
	return p
}

func (h *harness) callsOf(kind string) []string {
	var out []string
	for _, c := range h.calls {
		if strings.HasPrefix(c, kind+" ") {
			out = append(out, strings.TrimPrefix(c, kind+" "))
		}
	}
	return out
}

var twoGroups = []drift.Nodegroup{{Name: "ng-a", AMIType: "CUSTOM", Windows: true}}

// before is the cluster before: ng-a (2 nodes) and the ASG asg-b (2).
func before() []NodeState {
	return append(nodesOf(KindNodegroup, "ng-a", "ami-old", true, "a1", "a2"), nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b1", "b2")...)
}

func TestApplyRollsTheCanaryBeforeTheRest(t *testing.T) {
	var aDoneAt int
	h := newHarness(nil)
	h.obs.nodes = func(read int) []NodeState {
		// ng-a's nodes are replaced from the third read on; asg-b's once
		// its refresh has started.
		nodes := nodesOf(KindNodegroup, "ng-a", "ami-old", true, "a1", "a2")
		if read >= 3 {
			nodes = nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a3", "a4")
			if aDoneAt == 0 {
				aDoneAt = read
			}
		}
		b := nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b1", "b2")
		if slices.Contains(h.calls, "start asg-b") {
			b = nodesOf(KindSelfManaged, "asg-b", "ami-new", true, "b3", "b4")
		}
		return append(nodes, b...)
	}
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	if len(p.Waves) != 2 || p.Waves[0][0] != "nodegroup/ng-a" || p.Waves[1][0] != "self-managed/asg-b" {
		t.Fatalf("waves %v", p.Waves)
	}
	h.drv.polls["ng-a"] = []Progress{{Phase: "InProgress"}, {Phase: "InProgress"}, {Phase: "Successful", Done: true}}
	res, err := h.r.Apply(context.Background(), p)
	if err != nil || res.Outcome != "succeeded" {
		t.Fatalf("outcome %+v, %v", res, err)
	}
	startB := slices.Index(h.calls, "start asg-b")
	lastPollA := -1
	for i, c := range h.calls {
		if c == "poll ng-a" {
			lastPollA = i
		}
	}
	if startB < lastPollA {
		t.Errorf("asg-b started before the canary ng-a was verified: %v", h.calls)
	}
	if got := h.callsOf("rollback"); len(got) != 0 {
		t.Errorf("rolled back %v after a success", got)
	}
	if h.events[len(h.events)-1].Type != EventDone {
		t.Errorf("last event %+v", h.events[len(h.events)-1])
	}
}

func TestCanaryThatNeverVerifiesIsPutBack(t *testing.T) {
	h := newHarness(func(read int) []NodeState {
		// The canary's new node never gets Ready (a bad AMI).
		return append(before(), nodesOf(KindNodegroup, "ng-a", "ami-new", false, "a3")...)
	})
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	// The service says it is done (as Karpenter's node class does at once):
	// only the nodes tell that the wave failed.
	h.drv.polls["ng-a"] = []Progress{{Phase: "InProgress"}, {Phase: "Successful", Done: true}}
	h.drv.rollbackSteps["ng-a"] = 3
	start := h.clk.Now()
	res, err := h.r.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "failed" || res.FailedGroup != "nodegroup/ng-a" || !strings.Contains(res.Failure, "a3: not Ready") ||
		!strings.Contains(res.Failure, "did not verify within 5m0s") {
		t.Errorf("result %+v", res)
	}
	if waited := h.clk.Now().Sub(start); waited < 5*time.Minute || waited > 6*time.Minute {
		t.Errorf("gave up after %s, want the 5m timeout", waited)
	}
	if got := h.callsOf("start"); !slices.Equal(got, []string{"ng-a"}) {
		t.Errorf("started %v: the rest must wait for the canary", got)
	}
	if got := h.callsOf("rollback"); !slices.Equal(got, []string{"ng-a", "ng-a", "ng-a"}) {
		t.Errorf("rollback calls %v, want 3 steps for ng-a", got)
	}
	if len(res.PutBack) != 1 || res.PutBack[0] != "nodegroup/ng-a: put back" {
		t.Errorf("put back %v", res.PutBack)
	}
}

func TestSecondWaveFailurePutsBackNewestFirst(t *testing.T) {
	h := newHarness(func(read int) []NodeState {
		return append(nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a3", "a4"), nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b1")...)
	})
	h.obs.nodes = func(read int) []NodeState {
		if read == 1 { // the plan's read
			return before()
		}
		return append(nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a3", "a4"), nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b1")...)
	}
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	h.drv.polls["asg-b"] = []Progress{{Phase: "InProgress"}, {Phase: "Failed", Failed: "instance refresh failed: launch failed"}}
	res, err := h.r.Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res.FailedGroup != "self-managed/asg-b" || !strings.Contains(res.Failure, "launch failed") {
		t.Errorf("result %+v", res)
	}
	if got := h.callsOf("rollback"); !slices.Equal(got, []string{"asg-b", "ng-a"}) {
		t.Errorf("rollback order %v, want the newest change first", got)
	}
	// A failed change stops the rollout at once, not at the timeout.
	if got := len(h.callsOf("poll")); got > 4 {
		t.Errorf("%d polls before giving up on a Failed change", got)
	}
}

func TestNoRollbackLeavesChanges(t *testing.T) {
	h := newHarness(func(read int) []NodeState { return before() })
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	h.r.NoRollback = true
	h.drv.polls["ng-a"] = []Progress{{Phase: "Failed", Failed: "NodeCreationFailure"}}
	res, _ := h.r.Apply(context.Background(), p)
	if res.Outcome != "failed" || len(h.callsOf("rollback")) != 0 || !strings.Contains(res.PutBack[0], "--no-rollback") {
		t.Errorf("result %+v, calls %v", res, h.calls)
	}
}

func TestResumeFollowsTheChangeInFlight(t *testing.T) {
	h := newHarness(func(read int) []NodeState {
		if read == 1 {
			return before()
		}
		return append(nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a3"), nodesOf(KindSelfManaged, "asg-b", "ami-new", true, "b3")...)
	})
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	h.drv.inFlight["ng-a"] = true
	res, err := h.r.Apply(context.Background(), p)
	if err != nil || res.Outcome != "succeeded" {
		t.Fatalf("%+v %v", res, err)
	}
	if got := h.callsOf("start"); !slices.Equal(got, []string{"asg-b"}) {
		t.Errorf("started %v: ng-a's update in flight must be followed, not started again", got)
	}
	if !p.Groups[0].State.Resumed || h.events[0].Type != EventResume {
		t.Errorf("resume not recorded: %+v %+v", p.Groups[0].State, h.events[0])
	}
}

func TestInterruptStopsFollowingOnly(t *testing.T) {
	h := newHarness(func(read int) []NodeState { return before() })
	p := h.plan(t, PlanInput{Cluster: "demo", Nodegroups: twoGroups})
	h.drv.polls["ng-a"] = []Progress{{Phase: "InProgress"}}
	ctx, cancel := context.WithCancel(context.Background())
	h.clk.OnWake = func(time.Time) {
		if len(h.callsOf("poll")) >= 2 {
			cancel()
		}
	}
	res, err := h.r.Apply(ctx, p)
	if !errors.Is(err, ErrInterrupted) || res.Outcome != "interrupted" {
		t.Fatalf("%+v %v", res, err)
	}
	if got := h.callsOf("rollback"); len(got) != 0 {
		t.Errorf("an interrupt rolled back %v", got)
	}
}

func TestCheckpointGoesOnOnlyAfterTheCanaryVerifies(t *testing.T) {
	for _, bad := range []bool{false, true} {
		h := newHarness(nil)
		h.obs.nodes = func(read int) []NodeState {
			if read == 1 {
				return nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b1", "b2", "b3", "b4")
			}
			return append(nodesOf(KindSelfManaged, "asg-b", "ami-old", true, "b2", "b3", "b4"),
				nodesOf(KindSelfManaged, "asg-b", "ami-new", !bad, "b5")...)
		}
		p := h.plan(t, PlanInput{Cluster: "demo", Canary: "25%"})
		if p.Groups[0].CanaryNodes != 1 || p.Groups[0].CheckpointDelay != 300 {
			t.Fatalf("canary nodes %d, checkpoint %ds: want 1 of 4, and the wave's 5m timeout", p.Groups[0].CanaryNodes, p.Groups[0].CheckpointDelay)
		}
		h.drv.polls["asg-b"] = []Progress{{Phase: "InProgress", AtCheckpoint: true, Percent: 25}}
		res, _ := h.r.Apply(context.Background(), p)
		cont := len(h.callsOf("continue"))
		if bad && (cont != 0 || res.Outcome != "failed") {
			t.Errorf("bad canary: %d continues, outcome %s", cont, res.Outcome)
		}
		if !bad && cont == 0 {
			t.Errorf("a verified canary did not let the refresh go on")
		}
	}
}

func TestPlanRefusals(t *testing.T) {
	ngs := []drift.Nodegroup{{Name: "system", AMIType: "AL2023_x86_64_STANDARD"}, {Name: "ng-a", AMIType: "CUSTOM", Windows: true}}
	for _, tc := range []struct {
		only  []string
		nodes []NodeState
		want  string
	}{
		{nil, nil, "no Windows nodes"},
		{[]string{"system"}, before(), "node group system is not a Windows node group (amiType AL2023_x86_64_STANDARD); Windows groups: nodegroup/ng-a, self-managed/asg-b"},
		{[]string{"nope"}, before(), `no Windows group "nope"`},
	} {
		h := newHarness(func(int) []NodeState { return tc.nodes })
		_, err := h.r.Plan(context.Background(), PlanInput{Only: tc.only, Nodegroups: ngs})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.only, err, tc.want)
		}
		if len(h.calls) != 0 {
			t.Errorf("%v: driver called %v before refusing", tc.only, h.calls)
		}
	}
}

func TestPlanMethodsAndUpToDate(t *testing.T) {
	h := newHarness(func(int) []NodeState {
		return append(append(nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a1"), nodesOf(KindNodegroup, "ng-eks", "ami-old", true, "e1")...),
			nodesOf(KindKarpenter, "windows", "ami-old", true, "k1")...)
	})
	p := h.plan(t, PlanInput{Nodegroups: []drift.Nodegroup{{Name: "ng-a", AMIType: "CUSTOM", Windows: true},
		{Name: "ng-eks", AMIType: "WINDOWS_CORE_2022_x86_64", Windows: true}, {Name: "ng-empty", AMIType: "CUSTOM", Windows: true}}})
	got := map[string]string{}
	for _, g := range p.Groups {
		got[g.ID()] = string(g.Method)
		if g.UpToDate {
			got[g.ID()] = "up-to-date"
		}
	}
	want := map[string]string{"nodegroup/ng-a": "up-to-date", "nodegroup/ng-eks": "release-version", "nodegroup/ng-empty": "up-to-date", "karpenter/windows": "node-class"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if len(p.Waves) != 2 || p.Waves[0][0] != "nodegroup/ng-eks" || p.Waves[1][0] != "karpenter/windows" {
		t.Errorf("waves %v", p.Waves)
	}
}

func TestCanarySyntax(t *testing.T) {
	for spec, want := range map[string]int{"": 0, "1": 1, "3": 3, "10%": 1, "50%": 5, "100%": 10} {
		if got, err := canaryNodes(spec, 10); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", spec, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "x", "0%", "101%", "5.5"} {
		if _, err := canaryNodes(bad, 10); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestExpectationsFromTheNodesOnTheAMI(t *testing.T) {
	nodes := []NodeState{
		{Name: "a", AMI: "ami-new", Kubelet: "v1.35.2-eks-ba74326", WindowsBuild: "10.0.20348"},
		{Name: "b", AMI: "ami-new", Kubelet: "v1.35.2-eks-ba74326", WindowsBuild: "10.0.20348"},
		{Name: "c", AMI: "ami-new", Kubelet: "v1.35.0-eks-1", WindowsBuild: "10.0.20348"},
		{Name: "d", AMI: "ami-old", Kubelet: "v1.34.1-eks-1", WindowsBuild: "10.0.17763"},
		{Name: "e", AMI: "ami-old", Kubelet: "v1.34.1-eks-1", WindowsBuild: "10.0.17763"},
		{Name: "f", AMI: "ami-old", Kubelet: "v1.34.1-eks-1", WindowsBuild: "10.0.17763"},
	}
	e := Expect{AMI: "ami-new"}
	fillFromNodes(&e, nodes)
	if e.Kubelet != "v1.35.2" || e.WindowsBuild != "10.0.20348" {
		t.Errorf("expect %+v: want the majority of the nodes on ami-new", e)
	}
	recorded := Expect{AMI: "ami-new", Kubelet: "v1.35.9", WindowsBuild: "10.0.26100"}
	fillFromNodes(&recorded, nodes)
	if recorded.Kubelet != "v1.35.9" || recorded.WindowsBuild != "10.0.26100" {
		t.Errorf("what the AMI records was overridden: %+v", recorded)
	}
}

func TestMinorOnlyKubeletIsNarrowedByTheNodes(t *testing.T) {
	nodes := []NodeState{
		{Name: "a", AMI: "ami-new", Ready: true, Kubelet: "v1.35.2-eks-ba74326"},
		{Name: "b", AMI: "ami-new", Ready: true, Kubelet: "v1.35.2-eks-ba74326"},
		{Name: "c", AMI: "ami-new", Ready: true, Kubelet: "v1.35.0-eks-1"},
	}
	e := Expect{AMI: "ami-new", Kubelet: "v1.35"}
	fillFromNodes(&e, nodes)
	if e.Kubelet != "v1.35.2" {
		t.Errorf("kubelet %q: an EKS AMI's minor must be narrowed to the patch most of its nodes run", e.Kubelet)
	}
	if c := Verify(nodes, &Group{Expect: e}); c.Verified != 2 || len(c.Problems) != 1 || !strings.HasPrefix(c.Problems[0], "c: ") {
		t.Errorf("check %+v", c)
	}
}

func TestChannelNodeClassFollowsTheParameter(t *testing.T) {
	h := newHarness(func(int) []NodeState {
		return append(nodesOf(KindKarpenter, "windows", "ami-old", true, "k1"), nodesOf(KindNodegroup, "ng-a", "ami-old", true, "a1")...)
	})
	p := h.plan(t, PlanInput{Target: Target{Mode: "channel", Channel: "stable", Parameter: "/winami/rel/stable"}, Nodegroups: twoGroups})
	for _, g := range p.Groups {
		want := ""
		if g.Kind == KindKarpenter {
			want = "/winami/rel/stable"
		}
		if g.SSMParameter != want {
			t.Errorf("%s: parameter %q, want %q", g.ID(), g.SSMParameter, want)
		}
	}
}

// An AMI that says only its Kubernetes minor: the new nodes must agree on
// one kubelet patch (the one most of them run), as drift will ask.
func TestNewNodesMustShareOneKubelet(t *testing.T) {
	h := newHarness(func(read int) []NodeState {
		if read == 1 {
			return nodesOf(KindNodegroup, "ng-a", "ami-old", true, "a1", "a2", "a3")
		}
		nodes := nodesOf(KindNodegroup, "ng-a", "ami-new", true, "a4", "a5", "a6")
		for i := range nodes {
			nodes[i].Kubelet = "v1.35.2-eks-1"
		}
		nodes[2].Kubelet = "v1.35.0-eks-1" // a node that kept an older patch
		return nodes
	})
	h.r.Verify = nil // the package's Verify, with its kubelet check
	p := h.plan(t, PlanInput{Nodegroups: twoGroups, Resolve: func(_ context.Context, g *Group) error {
		g.Expect = Expect{AMI: "ami-new", Kubelet: "v1.35"}
		return nil
	}})
	res, err := h.r.Apply(context.Background(), p)
	if err != nil || res.Outcome != "failed" || !strings.Contains(res.Failure, "a6: kubelet v1.35.0-eks-1, want v1.35.2") {
		t.Errorf("%+v %v: a node on another kubelet patch than its AMI's other nodes must fail the wave", res, err)
	}
}
