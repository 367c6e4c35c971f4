package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

const testSpec = `apiVersion: winami/v1alpha1
kind: ImageSpec
name: ci
region: us-east-1
tags: {team: platform}
base:
  windows: 2022
  edition: core
  eksOptimized: {release: latest}
kubernetes: {version: "1.35"}
components:
  - file: hardening.yaml
    parameters: {Level: high}
build:
  instanceProfile: winami-build
distribution:
  regions: [us-east-1, eu-west-1]
  ssmParameter: /winami/ci/ami
`

const hardening = `name: hardening
description: test component
schemaVersion: 1.0
parameters:
  - Level:
      type: string
      default: low
      description: How hard.
phases:
  - name: build
    steps:
      - name: Harden
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Output 'hardened {{ Level }}'
`

// env is a sandbox, winami's clients for it, and a spec on disk.
type env struct {
	srv     *sandbox.Server
	clients *awsapi.Clients
	counter *awsapi.CallCounter
	dir     string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, BuildPace: 20 * time.Millisecond})
	counter := awsapi.NewCallCounter()
	cfg.APIOptions = append(cfg.APIOptions, counter.Middleware())
	e := &env{srv: srv, clients: awsapi.NewClients(cfg), counter: counter, dir: t.TempDir()}
	e.write(t, "hardening.yaml", hardening)
	e.write(t, "winami.yaml", testSpec)
	return e
}

func (e *env) write(t testing.TB, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *env) load(t testing.TB) *spec.Spec {
	t.Helper()
	s, err := spec.Load(filepath.Join(e.dir, "winami.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) plan(t testing.TB, api awsapi.ImageBuilderAPI) *pipeline.Plan {
	t.Helper()
	return e.planSpec(t, api, e.load(t))
}

// planSpec resolves, observes and plans s, as `winami plan` does.
func (e *env) planSpec(t testing.TB, api awsapi.ImageBuilderAPI, s *spec.Spec) *pipeline.Plan {
	t.Helper()
	parent, err := pipeline.ResolveParent(t.Context(), catalog.NewFinderFromClients(e.clients), s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := pipeline.NewDesired(s, parent, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := pipeline.Observe(t.Context(), api, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.NewPlan(d, o)
}

func actions(p *pipeline.Plan) map[string]pipeline.Action {
	out := map[string]pipeline.Action{}
	for _, c := range p.Changes {
		out[string(c.Kind)+" "+c.Name] = c.Action
	}
	return out
}

func TestApplyThenNoOp(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	p := e.plan(t, api)
	if p.Summary != (pipeline.Summary{Add: 5}) {
		t.Fatalf("fresh plan summary %+v, want 5 to add: %+v", p.Summary, actions(p))
	}
	if _, err := pipeline.Apply(t.Context(), api, p, pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	e.counter.Reset()
	again := e.plan(t, api)
	if again.HasChanges() {
		t.Fatalf("plan after apply has changes: %+v", again.Changes)
	}
	if _, err := pipeline.Apply(t.Context(), api, again, pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for op, n := range e.counter.Snapshot() {
		if !strings.Contains(op, ".List") && !strings.Contains(op, ".Get") && !strings.Contains(op, ".Describe") {
			t.Errorf("a no-op plan and apply called %s %d times", op, n)
		}
	}
	t.Logf("no-op plan+apply: %d calls: %v", e.counter.Total(), e.counter.Snapshot())
}

func TestKubernetesChangeMakesNewRecipeVersion(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	e.write(t, "winami.yaml", strings.Replace(testSpec, `"1.35"`, `"1.34"`, 1))
	p := e.plan(t, api)
	got := actions(p)
	if got["image-recipe winami-ci"] != pipeline.ActionNewVersion || got["image-pipeline winami-ci"] != pipeline.ActionUpdate {
		t.Fatalf("actions %v: want a new recipe version and an updated pipeline", got)
	}
	if got["component winami-ci-hardening"] != pipeline.ActionNoOp {
		t.Errorf("the component did not change, yet: %v", got["component winami-ci-hardening"])
	}
	applied, err := pipeline.Apply(t.Context(), api, p, pipeline.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(applied.Recipe, "/1.0.1") {
		t.Errorf("recipe ARN %s, want version 1.0.1", applied.Recipe)
	}
	if e.plan(t, api).HasChanges() {
		t.Error("plan after the second apply still has changes")
	}
}

// failAfter lets n mutating calls through, then fails every call: an apply
// interrupted at that point.
type failAfter struct {
	awsapi.ImageBuilderAPI
	mu sync.Mutex
	n  int
}

var errInterrupted = errors.New("interrupted")

func (f *failAfter) step() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		return errInterrupted
	}
	f.n--
	return nil
}

func (f *failAfter) CreateComponent(ctx context.Context, in *ib.CreateComponentInput, o ...func(*ib.Options)) (*ib.CreateComponentOutput, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.ImageBuilderAPI.CreateComponent(ctx, in, o...)
}

func (f *failAfter) CreateImageRecipe(ctx context.Context, in *ib.CreateImageRecipeInput, o ...func(*ib.Options)) (*ib.CreateImageRecipeOutput, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.ImageBuilderAPI.CreateImageRecipe(ctx, in, o...)
}

func (f *failAfter) CreateInfrastructureConfiguration(ctx context.Context, in *ib.CreateInfrastructureConfigurationInput, o ...func(*ib.Options)) (*ib.CreateInfrastructureConfigurationOutput, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.ImageBuilderAPI.CreateInfrastructureConfiguration(ctx, in, o...)
}

func (f *failAfter) CreateDistributionConfiguration(ctx context.Context, in *ib.CreateDistributionConfigurationInput, o ...func(*ib.Options)) (*ib.CreateDistributionConfigurationOutput, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.ImageBuilderAPI.CreateDistributionConfiguration(ctx, in, o...)
}

func (f *failAfter) CreateImagePipeline(ctx context.Context, in *ib.CreateImagePipelineInput, o ...func(*ib.Options)) (*ib.CreateImagePipelineOutput, error) {
	if err := f.step(); err != nil {
		return nil, err
	}
	return f.ImageBuilderAPI.CreateImagePipeline(ctx, in, o...)
}

// TestInterruptedApplyConverges stops apply after each mutating call in
// turn, applies again, and checks the world holds one of each resource.
func TestInterruptedApplyConverges(t *testing.T) {
	for stopAfter := 0; stopAfter < 5; stopAfter++ {
		e := newEnv(t)
		api := e.clients.ImageBuilder("us-east-1")
		_, err := pipeline.Apply(t.Context(), &failAfter{ImageBuilderAPI: api, n: stopAfter}, e.plan(t, api), pipeline.ApplyOptions{})
		if !errors.Is(err, errInterrupted) {
			t.Fatalf("stop after %d: apply returned %v, want the interruption", stopAfter, err)
		}
		if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
			t.Fatalf("stop after %d: second apply: %v", stopAfter, err)
		}
		assertOneOfEach(t, api)
		if e.plan(t, api).HasChanges() {
			t.Errorf("stop after %d: plan after converging has changes", stopAfter)
		}
	}
}

// TestConcurrentAppliesMakeOneSet runs two applies of one spec at once.
func TestConcurrentAppliesMakeOneSet(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	p1, p2 := e.plan(t, api), e.plan(t, api)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []*pipeline.Plan{p1, p2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = pipeline.Apply(context.WithoutCancel(t.Context()), api, p, pipeline.ApplyOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("apply %d: %v", i, err)
		}
	}
	assertOneOfEach(t, api)
}

func assertOneOfEach(t *testing.T, api awsapi.ImageBuilderAPI) {
	t.Helper()
	ctx := t.Context()
	comps, err := api.ListComponents(ctx, &ib.ListComponentsInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range comps.ComponentVersionList {
		if aws.ToString(c.Name) == "winami-ci-hardening" {
			builds, err := api.ListComponentBuildVersions(ctx, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: c.Arn})
			if err != nil {
				t.Fatal(err)
			}
			n += len(builds.ComponentSummaryList)
		}
	}
	recipes, err := api.ListImageRecipes(ctx, &ib.ListImageRecipesInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatal(err)
	}
	infras, err := api.ListInfrastructureConfigurations(ctx, &ib.ListInfrastructureConfigurationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	dists, err := api.ListDistributionConfigurations(ctx, &ib.ListDistributionConfigurationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	pipes, err := api.ListImagePipelines(ctx, &ib.ListImagePipelinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := []int{n, len(recipes.ImageRecipeSummaryList), len(infras.InfrastructureConfigurationSummaryList),
		len(dists.DistributionConfigurationSummaryList), len(pipes.ImagePipelineList)}
	if got[0] != 1 || got[1] != 1 || got[2] != 1 || got[3] != 1 || got[4] != 1 {
		t.Errorf("component builds, recipes, infrastructure, distribution, pipelines = %v; want one of each", got)
	}
}

// TestTagChangeUpdatesInPlace: new spec tags retag every resource, the
// immutable ones included, without new versions.
func TestTagChangeUpdatesInPlace(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	e.write(t, "winami.yaml", strings.Replace(testSpec, "tags: {team: platform}", "tags: {team: windows, owner: sre}", 1))
	p := e.plan(t, api)
	if p.Summary != (pipeline.Summary{Change: 5}) {
		t.Fatalf("summary %+v, want 5 to change: %v", p.Summary, actions(p))
	}
	for _, c := range p.Changes {
		want := map[string]bool{"tags.team": false, "tags.owner": false}
		for _, d := range c.Diff {
			if _, ok := want[d.Path]; ok {
				want[d.Path] = true
			}
		}
		if !want["tags.team"] || !want["tags.owner"] {
			t.Errorf("%s %s: diff %+v lacks the tag changes", c.Kind, c.Name, c.Diff)
		}
	}
	e.counter.Reset()
	if _, err := pipeline.Apply(t.Context(), api, p, pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := e.counter.Count("imagebuilder", "TagResource"); n != 5 {
		t.Errorf("%d TagResource calls, want 5", n)
	}
	for op := range e.counter.Snapshot() {
		if strings.Contains(op, "Create") {
			t.Errorf("a tag change called %s", op)
		}
	}
	if again := e.plan(t, api); again.HasChanges() {
		t.Errorf("plan after retagging: %+v", again.Changes)
	}
}

// TestDestroyWithImages builds, then destroys with the images: the AMIs are
// deregistered in every region, and nothing of the spec is left.
func TestDestroyWithImages(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	applied, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	arn, err := pipeline.StartBuild(t.Context(), api, applied.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	img, err := pipeline.Wait(t.Context(), api, arn, pipeline.WaitOptions{Interval: 100 * time.Millisecond})
	if err != nil || img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("build: %v, %+v", err, img.State)
	}
	amis := pipeline.AMIs(img)
	if len(amis) != 2 {
		t.Fatalf("AMIs %+v, want one in each of 2 regions", amis)
	}
	images, err := pipeline.ImagesPlan(t.Context(), api, "ci")
	if err != nil {
		t.Fatal(err)
	}
	o, err := pipeline.Observe(t.Context(), api, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := pipeline.Destroy(t.Context(), api, e.clients.EC2, append(images, pipeline.DestroyPlan(o)...), nil); err != nil {
		t.Fatal(err)
	}
	for _, a := range amis {
		_, err := e.clients.EC2(a.Region).DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{a.ImageID}})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidAMIID.NotFound" {
			t.Errorf("AMI %s in %s after destroy: %v", a.ImageID, a.Region, err)
		}
	}
	if left, err := pipeline.ImagesPlan(t.Context(), api, "ci"); err != nil || len(left) != 0 {
		t.Errorf("images left: %+v, %v", left, err)
	}
	if o, err := pipeline.Observe(t.Context(), api, "ci"); err != nil || len(pipeline.DestroyPlan(o)) != 0 {
		t.Errorf("resources left: %+v, %v", pipeline.DestroyPlan(o), err)
	}
}

// TestCacheComponentInRecipe: cache images are checked against the AMI's
// build and pinned to their digests, become a generated component run after
// the spec's own components, and the AMIs record them.
func TestCacheComponentInRecipe(t *testing.T) {
	e := newEnv(t)
	e.write(t, "winami.yaml", testSpec+`cache:
  images:
    - mcr.microsoft.com/windows/servercore:ltsc2022
    - 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2
`)
	s := e.load(t)
	api := e.clients.ImageBuilder("us-east-1")
	checker := images.NewChecker(images.Options{
		ECR:       e.clients.ECR,
		Transport: sandbox.RegistryTransport(strings.TrimPrefix(e.srv.URL(), "http://"), nil),
	})
	check, err := pipeline.CheckCacheImages(t.Context(), checker, s)
	if err != nil || len(check.Problems()) > 0 || len(check.Pins) != 2 {
		t.Fatalf("check: %v, %v, pins %v", err, check.Problems(), check.Pins)
	}
	parent, err := pipeline.ResolveParent(t.Context(), catalog.NewFinderFromClients(e.clients), s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := pipeline.NewDesired(s, parent, check)
	if err != nil {
		t.Fatal(err)
	}
	o, err := pipeline.Observe(t.Context(), api, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.NewPlan(d, o)
	if got := actions(p)["component winami-ci-image-cache"]; got != pipeline.ActionCreate {
		t.Fatalf("image cache component: %q in %v", got, actions(p))
	}
	servercore := check.Pins["mcr.microsoft.com/windows/servercore:ltsc2022"]
	for _, c := range d.Components {
		if c.Name == "winami-ci-image-cache" && !strings.Contains(c.Data, "Pull = 'mcr.microsoft.com/windows/servercore@"+servercore+"'") {
			t.Errorf("the cache component does not pull servercore by its digest %s", servercore)
		}
	}
	applied, err := pipeline.Apply(t.Context(), api, p, pipeline.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recipe, err := api.GetImageRecipe(t.Context(), &ib.GetImageRecipeInput{ImageRecipeArn: aws.String(applied.Recipe)})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range recipe.ImageRecipe.Components {
		order = append(order, aws.ToString(c.ComponentArn))
	}
	if len(order) != 2 || !strings.Contains(order[0], "/winami-ci-hardening/") || !strings.Contains(order[1], "/winami-ci-image-cache/") {
		t.Errorf("recipe components %v: want hardening, then the image cache", order)
	}
	arn, err := pipeline.StartBuild(t.Context(), api, applied.Pipeline)
	if err != nil {
		t.Fatal(err)
	}
	img, err := pipeline.Wait(t.Context(), api, arn, pipeline.WaitOptions{Interval: 50 * time.Millisecond})
	if err != nil || img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("build: %v, %s %s", err, img.State.Status, aws.ToString(img.State.Reason))
	}
	for _, a := range pipeline.AMIs(img) {
		out, err := e.clients.EC2(a.Region).DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{a.ImageID}})
		if err != nil || len(out.Images) != 1 {
			t.Fatalf("%s: %v", a.ImageID, err)
		}
		tags := map[string]string{}
		for _, tag := range out.Images[0].Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		cached, err := amimeta.ReadCacheRecord(t.Context(), e.clients.SSM(a.Region), tags)
		if err != nil || len(cached) != 2 || cached[0].Digest != servercore || cached[1].Digest != check.Pins[cached[1].Image] {
			t.Errorf("%s in %s records %+v, %v", a.ImageID, a.Region, cached, err)
		}
	}
}
