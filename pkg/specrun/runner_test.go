package specrun_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/specrun"
)

var (
	applyChecks = specrun.PlanOptions{Preflight: true, CheckImages: true}
	follow      = specrun.BuildOptions{Wait: true, Timeout: time.Hour, Poll: 15 * time.Second, FastLaunchTimeout: time.Minute}
)

// planAndApply is what apply does: plan with the checks, then apply.
func planAndApply(ctx context.Context, r *specrun.Runner, o specrun.PlanOptions) (*pipeline.Applied, error) {
	p, err := r.Plan(ctx, o)
	if err != nil {
		return nil, err
	}
	return r.Apply(ctx, p)
}

// A failed preflight check stops apply before anything is made: no create
// or put is called, and the error says nothing was changed and how to go on.
func TestPreflightFailureStopsApply(t *testing.T) {
	e := newEnv(t)
	e.preflight = preflight.Report{Checks: []preflight.Check{
		{ID: "identity", Title: "who you are", Status: preflight.Pass, Detail: "arn:aws:iam::123456789012:user/ci"},
		{ID: "profile", Title: "instance profile", Status: preflight.Fail, Detail: "winami-build does not exist", Fix: "winami iam create-build-role"},
	}}
	r := e.runner(baseSpec)
	_, err := planAndApply(t.Context(), r, applyChecks)
	if err == nil {
		t.Fatal("apply went on after a failed preflight")
	}
	for _, want := range []string{"preflight: 1 check(s) failed, so nothing was changed", "winami preflight -f winami.yaml", "--skip-preflight"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := e.changed(); len(got) > 0 {
		t.Errorf("after a failed preflight the runner still called %v", got)
	}
	// The failed check is shown with its fix; the one that passed is not.
	out := e.out.String()
	if !strings.Contains(out, "instance profile") || !strings.Contains(out, "fix: winami iam create-build-role") || strings.Contains(out, "who you are") {
		t.Errorf("preflight output:\n%s", out)
	}

	// Without the gate (--skip-preflight) the same runner applies.
	e.preflight = preflight.Report{}
	if _, err := planAndApply(t.Context(), r, specrun.PlanOptions{CheckImages: true}); err != nil {
		t.Fatal(err)
	}
	if len(e.changed()) == 0 {
		t.Error("apply without the preflight made nothing")
	}
}

// The parent's life-cycle warning is the plan's to print: the preflight
// shown before a plan leaves it out, so apply does not say it twice.
func TestPreflightLeavesTheParentWarningToThePlan(t *testing.T) {
	e := newEnv(t)
	e.preflight = preflight.Report{Checks: []preflight.Check{
		{ID: preflight.IDParentLifecycle, Title: "parent image stays available", Status: preflight.Warn, Detail: "deprecated in 9 days"},
		{ID: "quota", Title: "parallel launches", Status: preflight.Warn, Detail: "6 of 40 left"},
	}}
	r := e.runner(baseSpec)
	if _, err := r.Plan(t.Context(), specrun.PlanOptions{Preflight: true}); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	if !strings.Contains(out, "parallel launches") || strings.Contains(out, "parent image stays available") {
		t.Errorf("preflight output before the plan:\n%s", out)
	}
}

// --region other than the spec's is refused before the runner connects or
// calls anything.
func TestRegionMismatchRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	r := e.runner(baseSpec)
	r.Region = "eu-west-1"
	ctx := t.Context()
	p := &pipeline.Plan{}
	steps := map[string]func() error{
		"plan":    func() error { _, err := r.Plan(ctx, applyChecks); return err },
		"apply":   func() error { _, err := r.Apply(ctx, p); return err },
		"build":   func() error { _, err := r.Build(ctx, p, follow); return err },
		"status":  func() error { _, err := r.Status(ctx); return err },
		"destroy": func() error { _, err := r.DestroyPlan(ctx, true); return err },
	}
	for name, step := range steps {
		err := step()
		var re *specrun.RegionError
		if !errors.As(err, &re) || err.Error() != "--region eu-west-1 disagrees with the spec's region us-east-1: the spec decides where the pipeline lives" {
			t.Errorf("%s with --region eu-west-1: %v", name, err)
		}
	}
	if e.connections != 0 || len(e.rec.all()) != 0 || e.counter.Total() != 0 {
		t.Errorf("refused runs connected %d times, called %v and %d SDK operations", e.connections, e.rec.all(), e.counter.Total())
	}
	// The spec's own region is fine.
	r2 := e.runner(baseSpec)
	r2.Region = "us-east-1"
	if _, err := r2.Plan(ctx, specrun.PlanOptions{}); err != nil {
		t.Fatal(err)
	}
}

// A cache image that cannot run on the AMI's build stops apply before it
// makes anything; with --skip-image-check it is a warning and apply goes on.
func TestImageCheckRefusal(t *testing.T) {
	e := newEnv(t)
	e.verdict = images.Incompatible
	r := e.runner(cacheSpec)
	_, err := planAndApply(t.Context(), r, applyChecks)
	if err == nil {
		t.Fatal("apply went on with an incompatible cache image")
	}
	for _, want := range []string{"1 cache image(s) do not run on Windows", "mcr.microsoft.com/windows/servercore:ltsc2022", "--skip-image-check"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !slices.Contains(e.rec.all(), "CheckImages") {
		t.Error("the images were not checked")
	}
	if got := e.changed(); len(got) > 0 {
		t.Errorf("after the image check refused, the runner still called %v", got)
	}

	skip := applyChecks
	skip.SkipImageCheck = true
	applied, err := planAndApply(t.Context(), r, skip)
	if err != nil {
		t.Fatalf("with --skip-image-check: %v", err)
	}
	if applied.Pipeline == "" {
		t.Error("no pipeline after apply with --skip-image-check")
	}
	if !strings.Contains(e.out.String(), "Warning: --skip-image-check: baking 1 image(s) that may not run on Windows") {
		t.Errorf("no warning in:\n%s", e.out.String())
	}
	if !slices.ContainsFunc(e.changed(), func(c string) bool { return strings.HasPrefix(c, "CreateImagePipeline") }) {
		t.Errorf("apply with --skip-image-check made %v", e.changed())
	}
}

// image is a polled build in a state, with the AMIs it distributed.
func image(status types.ImageStatus, amis ...string) *types.Image {
	img := &types.Image{DateCreated: aws.String("2026-12-03T09:00:00Z"), State: &types.ImageState{Status: status}}
	if status == types.ImageStatusFailed {
		img.State.Reason = aws.String("Step Harden failed: exit code 1")
	}
	if len(amis) > 0 {
		img.OutputResources = &types.OutputResources{}
		for _, a := range amis {
			img.OutputResources.Amis = append(img.OutputResources.Amis, types.Ami{Image: aws.String(a), Region: aws.String("us-east-1"), Name: aws.String("winami-ci " + a)})
		}
	}
	return img
}

func buildOnce(t *testing.T, e *env, specText string) (*specrun.BuildResult, error) {
	t.Helper()
	r := e.runner(specText)
	p, err := r.Plan(t.Context(), applyChecks)
	if err != nil {
		t.Fatal(err)
	}
	return r.Build(t.Context(), p, follow)
}

func TestBuild(t *testing.T) {
	const ami = "ami-0123456789abcdef0"
	t.Run("available", func(t *testing.T) {
		e := newEnv(t)
		e.ib.builds = []*types.Image{image(types.ImageStatusBuilding), image(types.ImageStatusTesting), image(types.ImageStatusAvailable, ami)}
		res, err := buildOnce(t, e, baseSpec)
		if err != nil {
			t.Fatal(err)
		}
		if res.State != "AVAILABLE" || len(res.AMIs) != 1 || res.AMIs[0].ImageID != ami {
			t.Errorf("result %+v, want AVAILABLE with %s", res, ami)
		}
		if !strings.Contains(e.out.String(), "Build AVAILABLE") {
			t.Errorf("output:\n%s", e.out.String())
		}
		// Polls back off on the clock, not on the wall: 0.5s, then ×1.5.
		if got := e.clock.Slept(); len(got) != 2 || got[0] != 500*time.Millisecond || got[1] != 750*time.Millisecond {
			t.Errorf("slept %v between polls, want [500ms 750ms]", got)
		}
	})
	t.Run("failed", func(t *testing.T) {
		e := newEnv(t)
		e.ib.builds = []*types.Image{image(types.ImageStatusBuilding), image(types.ImageStatusFailed)}
		res, err := buildOnce(t, e, baseSpec)
		if err == nil {
			t.Fatal("a FAILED build is not an error")
		}
		for _, want := range []string{" FAILED after ", "Step Harden failed: exit code 1", "Logs: CloudWatch log group /aws/imagebuilder/winami-ci"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if res == nil || res.State != "FAILED" {
			t.Errorf("result %+v", res)
		}
		if slices.ContainsFunc(e.rec.all(), func(c string) bool { return strings.HasPrefix(c, "DescribeFastLaunchImages") }) {
			t.Error("Fast Launch was confirmed for a failed build")
		}
	})
	t.Run("fast launch fails after AVAILABLE", func(t *testing.T) {
		e := newEnv(t)
		e.ib.builds = []*types.Image{image(types.ImageStatusAvailable, ami)}
		e.fastLaunch = ec2types.FastLaunchStateCodeEnablingFailed
		res, err := buildOnce(t, e, fastLaunchSpec)
		if err == nil || !strings.Contains(err.Error(), "Fast Launch is not in effect") {
			t.Fatalf("build with Fast Launch failed: %v", err)
		}
		if !slices.Contains(e.rec.all(), "DescribeFastLaunchImages "+ami) {
			t.Errorf("calls %v: Fast Launch not confirmed for the build's AMI", e.rec.all())
		}
		if res == nil || res.State != "AVAILABLE" {
			t.Errorf("result %+v, want the AVAILABLE build", res)
		}
		if want := []fastlaunch.Status{{AMI: ami, Region: "us-east-1", State: "enabling-failed"}}; res == nil ||
			len(res.FastLaunch) != 1 || res.FastLaunch[0].AMI != want[0].AMI || res.FastLaunch[0].State != want[0].State {
			t.Errorf("Fast Launch %+v, want %+v", res.FastLaunch, want)
		}
	})
	t.Run("fast launch not asked", func(t *testing.T) {
		e := newEnv(t)
		e.ib.builds = []*types.Image{image(types.ImageStatusAvailable, ami)}
		if _, err := buildOnce(t, e, baseSpec); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(e.rec.all(), func(c string) bool { return strings.HasPrefix(c, "DescribeFastLaunchImages") }) {
			t.Error("Fast Launch confirmed for a spec without it")
		}
	})
}

// Ctrl-C while following stops following, not the build: the error says so.
func TestFollowInterrupted(t *testing.T) {
	e := newEnv(t)
	e.ib.builds = []*types.Image{image(types.ImageStatusBuilding)}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.ib.onPoll = func(n int) {
		if n == 3 {
			cancel()
		}
	}
	r := e.runner(baseSpec)
	var polled, ended int
	r.Events = specrun.Events{
		BuildPolled: func(*types.Image, pipeline.Step) { polled++ },
		FollowEnded: func() { ended++ },
	}
	p, err := r.Plan(ctx, applyChecks)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Build(ctx, p, follow)
	if err == nil || err.Error() != "stopped following; the build goes on: winami status -f winami.yaml" {
		t.Fatalf("interrupted follow: %v", err)
	}
	if polled != 2 || ended != 1 {
		t.Errorf("the progress heard %d polls and %d ends, want 2 and 1", polled, ended)
	}
	if !slices.Contains(e.rec.all(), "StartImagePipelineExecution") {
		t.Error("no build was started")
	}
}

// An apply that fails on its third create is resumed by running it again:
// the second run creates only what is missing, nothing twice, and ends
// where an apply without the failure ends.
func TestResumeAfterInterruption(t *testing.T) {
	t.Run("the call failed", func(t *testing.T) { testResume(t, false) })
	t.Run("the answer was lost", func(t *testing.T) { testResume(t, true) })
}

// testResume: with lost, the third create is made by the service but its
// answer never reaches winami, which must then find it rather than make
// another.
func testResume(t *testing.T, lost bool) {
	ctx := t.Context()
	whole := newEnv(t)
	if _, err := planAndApply(ctx, whole.runner(baseSpec), applyChecks); err != nil {
		t.Fatal(err)
	}
	want := whole.resources(ctx)

	e := newEnv(t)
	e.ib.failCreate, e.ib.failAfter = 3, lost
	if _, err := planAndApply(ctx, e.runner(baseSpec), applyChecks); !errors.Is(err, errInjected) {
		t.Fatalf("first apply: %v, want the injected failure", err)
	}
	first := e.rec.all()
	e.ib.failCreate = 0
	if _, err := planAndApply(ctx, e.runner(baseSpec), applyChecks); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	second := e.rec.all()[len(first):]

	creates := func(calls []string) []string {
		var out []string
		for _, c := range calls {
			if strings.HasPrefix(c, "Create") {
				out = append(out, c)
			}
		}
		return out
	}
	made := map[string]int{}
	for _, c := range slices.Concat(creates(first), creates(second)) {
		c, _, _ = strings.Cut(c, " (answer lost)")
		if !strings.HasSuffix(c, "(failed)") {
			made[c]++
		}
	}
	for c, n := range made {
		if n != 1 {
			t.Errorf("%s called %d times", c, n)
		}
	}
	missing := 3 // the third create's resource, and the two after it
	if lost {
		missing = 2 // the third was made: only the two after it
	}
	if len(creates(first)) != 3 || len(creates(second)) != missing {
		t.Errorf("creates: first run %v, second %v; want 3 then the %d missing", creates(first), creates(second), missing)
	}
	if slices.ContainsFunc(creates(second), func(c string) bool {
		return strings.HasPrefix(c, "CreateComponent") || strings.HasPrefix(c, "CreateImageRecipe") ||
			(lost && strings.HasPrefix(c, "CreateInfrastructureConfiguration"))
	}) {
		t.Errorf("the second run made again what the first had made: %v", creates(second))
	}
	if got := e.resources(ctx); !slices.Equal(got, want) {
		t.Errorf("after resuming:\n%s\nwant, as after one apply:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// And a plan finds nothing left to do.
	p, err := e.runner(baseSpec).Plan(ctx, specrun.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Errorf("after resuming the plan still has changes: %+v", p.Summary)
	}
}

// The build's duration after AVAILABLE needs only its AMIs' creation: the
// cache record (which the build itself has just written) is not read back.
func TestBuildDurationReadsNoCacheRecord(t *testing.T) {
	e := newEnv(t)
	first, err := buildOnce(t, e, baseSpec)
	if err != nil || len(first.AMIs) != 1 {
		t.Fatalf("%+v, %v", first, err)
	}
	ami := first.AMIs[0].ImageID
	// The AMI records its cache in an SSM parameter, as a long list does.
	e.amiTags = []ec2types.Tag{{Key: aws.String(amimeta.TagCache), Value: aws.String("ssm:/winami/ci/image-cache/0123456789abcdef")}}
	e.ib.builds = []*types.Image{image(types.ImageStatusAvailable, ami)}
	before, said := e.counter.Count("SSM", "GetParameter"), e.out.Len()
	if _, err := buildOnce(t, e, baseSpec); err != nil {
		t.Fatal(err)
	}
	if out := e.out.String()[said:]; !strings.Contains(out, "Build AVAILABLE: its AMIs were registered ") {
		t.Errorf("no duration after the build:\n%s", out)
	}
	if n := e.counter.Count("SSM", "GetParameter") - before; n != 0 {
		t.Errorf("%d SSM GetParameter call(s) for the build's duration, want none", n)
	}
}
