package release

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/clock"
)

var (
	t0      = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	regions = []string{"us-east-1", "eu-west-1", "ap-south-1"}
)

const (
	buildA = "arn:aws:imagebuilder:us-east-1:111122223333:image/winami-demo/1.0.0/1"
	buildB = "arn:aws:imagebuilder:us-east-1:111122223333:image/winami-demo/1.0.0/2"
)

type world struct {
	ssm *fakeSSM
	ec2 *fakeEC2
	clk *clock.Fake
	r   *Runner
	out strings.Builder
}

// amiID is a build's AMI in a region, e.g. ami-a0 for build A in us-east-1.
func amiID(build string, region int) string {
	return "ami-" + strings.ToLower(build[len(build)-1:]) + string(rune('0'+region)) + "000000000000000"
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{clk: clock.NewFake(t0.Add(72 * time.Hour)), ec2: newFakeEC2()}
	w.ssm = newFakeSSM(w.clk)
	for _, b := range []string{buildA, buildB} {
		for i, region := range regions {
			w.ec2.add(Image{Region: region, ID: amiID(b, i), Name: "winami-demo " + b[len(b)-7:], State: "available", Tags: map[string]string{
				amimeta.TagSpec: "demo", tagBuild: b, amimeta.TagOSBuild: "20348.4529", amimeta.TagCache: "ssm:/winami/demo/cache"}})
			w.ec2.fastLaunch[amiID(b, i)] = "enabled"
		}
	}
	w.r = &Runner{
		Config: Config{Spec: "demo", Home: "us-east-1", Regions: regions, OSBuild: "20348.4529", Channels: []Channel{
			{Name: "candidate", Parameter: DefaultParameter("demo", "candidate")},
			{Name: "stable", Parameter: DefaultParameter("demo", "stable"), Gates: Gates{FastLaunch: true, Soak: 24 * time.Hour}},
		}},
		SSM: w.ssm.in, EC2: w.ec2.in, Clock: w.clk, Out: &w.out,
	}
	return w
}

// channels puts build A in stable and B in candidate (two days ago).
func (w *world) channels() {
	for i, region := range regions {
		w.ssm.seed(region, "/winami/demo/candidate", t0, amiID(buildA, i), amiID(buildB, i))
		w.ssm.seed(region, "/winami/demo/stable", t0, amiID(buildA, i))
	}
}

func (w *world) stable() []string {
	var out []string
	for _, region := range regions {
		out = append(out, w.ssm.current(region, "/winami/demo/stable"))
	}
	return out
}

func amis(build string) []string {
	var out []string
	for i := range regions {
		out = append(out, amiID(build, i))
	}
	return out
}

func TestPromoteWritesEveryRegionAndLabels(t *testing.T) {
	w := newWorld(t)
	w.channels()
	plan, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
	if err != nil {
		t.Fatal(err)
	}
	if b := plan.Blocked(); len(b) != 0 || len(plan.Changes) != 3 || plan.Build != buildB || plan.Label != "v1.0.0-2" {
		t.Fatalf("plan = build %s label %s, %d changes, blocked %+v", plan.Build, plan.Label, len(plan.Changes), b)
	}
	if len(w.ssm.writes) != 0 {
		t.Fatalf("planning wrote %v", w.ssm.writes)
	}
	if _, err := w.r.Apply(t.Context(), plan); err != nil {
		t.Fatal(err)
	}
	if got := w.stable(); !slices.Equal(got, amis(buildB)) {
		t.Fatalf("stable = %v, want build B's %v", got, amis(buildB))
	}
	if len(w.ssm.labelled) != 3 || !strings.HasSuffix(w.ssm.labelled[0], " 2 v1.0.0-2") {
		t.Fatalf("labels = %v, want version 2 labelled v1.0.0-2 in 3 regions", w.ssm.labelled)
	}
	// Promoting again changes nothing.
	again, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
	if err != nil || len(again.Changes) != 0 {
		t.Fatalf("second plan = %+v, %v; want no change", again, err)
	}
}

func TestPromoteBlockedByGatesWritesNothing(t *testing.T) {
	w := newWorld(t)
	w.channels()
	w.ec2.fastLaunch[amiID(buildB, 1)] = "enabling"
	w.clk = clock.NewFake(t0.Add(2 * time.Hour)) // two hours of a 24h soak
	w.r.Clock = w.clk
	plan, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range plan.Blocked() {
		got = append(got, g.Gate+"@"+g.Region)
	}
	want := []string{"fast-launch@eu-west-1", "soak@us-east-1", "soak@eu-west-1", "soak@ap-south-1"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("blocked = %v, want %v", got, want)
	}
	for _, g := range plan.Blocked() {
		if g.Fix == "" {
			t.Errorf("gate %s in %s has no fix", g.Gate, g.Region)
		}
	}
	if _, err := w.r.Apply(t.Context(), plan); err == nil || len(w.ssm.writes) != 0 {
		t.Fatalf("Apply of a blocked plan = %v, writes %v", err, w.ssm.writes)
	}
}

func TestPromoteFailingInOneRegionPutsTheOthersBack(t *testing.T) {
	w := newWorld(t)
	w.channels()
	plan, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
	if err != nil {
		t.Fatal(err)
	}
	w.ssm.failPut["ap-south-1"] = true
	_, err = w.r.Apply(t.Context(), plan)
	var sw *SwitchError
	if !errors.As(err, &sw) || sw.Region != "ap-south-1" || !slices.Equal(sw.PutBack, []string{"eu-west-1", "us-east-1"}) || len(sw.Stranded) != 0 {
		t.Fatalf("Apply = %v, want a SwitchError in ap-south-1 that put back eu-west-1 and us-east-1", err)
	}
	if got := w.stable(); !slices.Equal(got, amis(buildA)) {
		t.Fatalf("stable after the failure = %v, want build A's everywhere %v", got, amis(buildA))
	}
	if len(w.ssm.labelled) != 0 {
		t.Fatalf("a failed promotion labelled %v", w.ssm.labelled)
	}
	if !strings.Contains(err.Error(), "no region changed") {
		t.Fatalf("error %q does not say no region changed", err)
	}
}

func TestFirstPromotionFailingDeletesWhatItCreated(t *testing.T) {
	w := newWorld(t)
	for i, region := range regions {
		w.ssm.seed(region, "/winami/demo/candidate", t0, amiID(buildB, i))
	}
	plan, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
	if err != nil {
		t.Fatal(err)
	}
	w.ssm.failPut["eu-west-1"] = true
	if _, err := w.r.Apply(t.Context(), plan); err == nil {
		t.Fatal("Apply succeeded with eu-west-1 failing")
	}
	if got := w.ssm.current("us-east-1", "/winami/demo/stable"); got != "" {
		t.Fatalf("stable in us-east-1 = %s after the failed first promotion, want no parameter", got)
	}
}

func TestPromoteRefusesAnotherSpecsAMI(t *testing.T) {
	w := newWorld(t)
	w.channels()
	w.ec2.add(Image{Region: "us-east-1", ID: "ami-0ther00000000000", Name: "other", State: "available", Tags: map[string]string{amimeta.TagSpec: "other", tagBuild: "arn:x/other/1.0.0/1"}})
	_, err := w.r.PlanPromotion(t.Context(), "stable", Source{AMI: "ami-0ther00000000000"})
	if err == nil || !strings.Contains(err.Error(), "belongs to spec other, not demo") {
		t.Fatalf("PlanPromotion of another spec's AMI = %v", err)
	}
	if _, err := w.r.PlanPromotion(t.Context(), "prod", Source{}); err == nil || !strings.Contains(err.Error(), "its channels: candidate, stable") {
		t.Fatalf("an unknown channel: %v", err)
	}
	if _, err := w.r.PlanPromotion(t.Context(), "candidate", Source{}); err == nil || !strings.Contains(err.Error(), "first channel") {
		t.Fatalf("promoting into the first channel: %v", err)
	}
}

func TestRollbackGoesBackToThePreviousBuild(t *testing.T) {
	w := newWorld(t)
	for i, region := range regions {
		w.ssm.seed(region, "/winami/demo/stable", t0, amiID(buildA, i), amiID(buildB, i), amiID(buildB, i))
	}
	plan, err := w.r.PlanRollback(t.Context(), "stable", "")
	if err != nil {
		t.Fatal(err)
	}
	if plan.Build != buildA || len(plan.Changes) != 3 {
		t.Fatalf("rollback plan = build %s, %d changes", plan.Build, len(plan.Changes))
	}
	if _, err := w.r.Rollback(t.Context(), plan); err != nil {
		t.Fatal(err)
	}
	if got := w.stable(); !slices.Equal(got, amis(buildA)) {
		t.Fatalf("stable after rollback = %v", got)
	}
	// --to a version: version 2 (build B) of the home history.
	plan, err = w.r.PlanRollback(t.Context(), "stable", "2")
	if err != nil || plan.Build != buildB {
		t.Fatalf("rollback --to 2 = %+v, %v", plan, err)
	}
	if _, err := w.r.PlanRollback(t.Context(), "stable", "9"); err == nil || !strings.Contains(err.Error(), "version 9 does not exist (kept: 1 to 4") {
		t.Fatalf("rollback --to 9: %v", err)
	}
}

func TestRollbackRefusesADeprecatedOrDisabledAMI(t *testing.T) {
	w := newWorld(t)
	for i, region := range regions {
		w.ssm.seed(region, "/winami/demo/stable", t0, amiID(buildA, i), amiID(buildB, i))
	}
	dep := t0
	img := w.ec2.images["eu-west-1"][amiID(buildA, 1)]
	img.Deprecation = &dep
	w.ec2.add(img)
	img = w.ec2.images["ap-south-1"][amiID(buildA, 2)]
	img.State = "disabled"
	w.ec2.add(img)
	_, err := w.r.PlanRollback(t.Context(), "stable", "")
	if err == nil || !strings.Contains(err.Error(), "eu-west-1: "+amiID(buildA, 1)+" was deprecated") || !strings.Contains(err.Error(), "ap-south-1: "+amiID(buildA, 2)+" is disabled") {
		t.Fatalf("rollback to a deprecated and disabled build: %v", err)
	}
	if len(w.ssm.writes) != 0 {
		t.Fatalf("a refused rollback wrote %v", w.ssm.writes)
	}
}

func TestStatusShowsEachChannelAndTheNextGates(t *testing.T) {
	w := newWorld(t)
	w.channels()
	st, err := w.r.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Positions[0].AMI != amiID(buildB, 0) || st[0].Positions[0].Build != buildB || st[1].Positions[2].AMI != amiID(buildA, 2) {
		t.Fatalf("status = %+v", st)
	}
	if len(st[0].Next) == 0 || len(Failing(st[0].Next)) != 0 || len(st[1].Next) != 0 {
		t.Fatalf("next gates: candidate %+v, stable %+v", st[0].Next, st[1].Next)
	}
}

func TestCanaryGate(t *testing.T) {
	w := newWorld(t)
	w.channels()
	w.r.Config.Channels[1].Gates.Canary = &Canary{Cluster: "staging", Region: "eu-west-1"}
	var asked []string
	result := CanaryResult{}
	w.r.Canary = func(_ context.Context, k Canary, ami string) (CanaryResult, error) {
		asked = append(asked, k.Cluster+"@"+k.Region+" "+ami)
		return result, nil
	}
	canary := func() GateResult {
		t.Helper()
		plan, err := w.r.PlanPromotion(t.Context(), "stable", Source{})
		if err != nil {
			t.Fatal(err)
		}
		var found []GateResult
		for _, g := range plan.Gates {
			if g.Gate == GateCanary {
				found = append(found, g)
			}
		}
		if len(found) != 1 || found[0].Region != "eu-west-1" {
			t.Fatalf("canary gates %+v, want one, in eu-west-1", found)
		}
		return found[0]
	}
	if g := canary(); g.OK || !strings.Contains(g.Detail, "no Windows node of cluster staging runs "+amiID(buildB, 1)) || g.Fix == "" {
		t.Errorf("no node on the AMI: %+v", g)
	}
	if !slices.Equal(asked, []string{"staging@eu-west-1 " + amiID(buildB, 1)}) {
		t.Errorf("the canary was asked %v, want build B's eu-west-1 AMI once", asked)
	}
	result = CanaryResult{Nodes: 2, Problems: []string{"node-a not Ready"}}
	if g := canary(); g.OK || !strings.Contains(g.Detail, "1 of 2 node(s)") || !strings.Contains(g.Detail, "node-a not Ready") {
		t.Errorf("a node not Ready: %+v", g)
	}
	result = CanaryResult{Nodes: 2}
	if g := canary(); !g.OK {
		t.Errorf("two healthy nodes: %+v", g)
	}
}
