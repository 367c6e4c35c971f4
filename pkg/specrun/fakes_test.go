package specrun_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/pkg/specrun"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// The fakes below wrap a sandbox's SDK clients: the sandbox keeps the
// state (what exists, versions, tags, client tokens) as AWS would, and the
// fakes record what the runner asked and inject the failures a test needs.

// record is the calls a fake saw, in order.
type record struct {
	mu    sync.Mutex
	calls []string
}

func (r *record) add(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *record) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// fakeIB is Image Builder: the sandbox's, with each Create* recorded
// (operation and name) and the Nth one failed, and builds whose states a
// test may script.
type fakeIB struct {
	awsapi.ImageBuilderAPI
	rec *record

	mu sync.Mutex
	// failCreate fails the Nth Create* call (1-based, 0 never) without
	// passing it on: the resource is not made.
	failCreate int
	// failAfter makes that call fail after the sandbox has made the
	// resource: the answer is lost, as when the connection drops.
	failAfter bool
	creates   int
	// builds, when set, are the states GetImage returns one after another
	// (the last one again and again) for every build.
	builds []*types.Image
	polls  int
	// onPoll is called with each GetImage's count before it answers.
	onPoll func(n int)
}

var errInjected = errors.New("injected: connection reset")

// create records a Create* call and says whether to fail it before it is
// passed on (err), or after (lost).
func (f *fakeIB) create(op, name string) (err, lost error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if f.creates != f.failCreate {
		f.rec.add(op + " " + name)
		return nil, nil
	}
	injected := fmt.Errorf("%s %s: %w", op, name, errInjected)
	if f.failAfter {
		f.rec.add(op + " " + name + " (answer lost)")
		return nil, injected
	}
	f.rec.add(op + " " + name + " (failed)")
	return injected, nil
}

// made passes a create's answer on, or loses it.
func made[T any](out *T, err, lost error) (*T, error) {
	if err == nil && lost != nil {
		return nil, lost
	}
	return out, err
}

func (f *fakeIB) CreateComponent(ctx context.Context, in *ib.CreateComponentInput, o ...func(*ib.Options)) (*ib.CreateComponentOutput, error) {
	err, lost := f.create("CreateComponent", aws.ToString(in.Name)+" "+aws.ToString(in.SemanticVersion))
	if err != nil {
		return nil, err
	}
	out, err := f.ImageBuilderAPI.CreateComponent(ctx, in, o...)
	return made(out, err, lost)
}

func (f *fakeIB) CreateImageRecipe(ctx context.Context, in *ib.CreateImageRecipeInput, o ...func(*ib.Options)) (*ib.CreateImageRecipeOutput, error) {
	err, lost := f.create("CreateImageRecipe", aws.ToString(in.Name)+" "+aws.ToString(in.SemanticVersion))
	if err != nil {
		return nil, err
	}
	out, err := f.ImageBuilderAPI.CreateImageRecipe(ctx, in, o...)
	return made(out, err, lost)
}

func (f *fakeIB) CreateInfrastructureConfiguration(ctx context.Context, in *ib.CreateInfrastructureConfigurationInput, o ...func(*ib.Options)) (*ib.CreateInfrastructureConfigurationOutput, error) {
	err, lost := f.create("CreateInfrastructureConfiguration", aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	out, err := f.ImageBuilderAPI.CreateInfrastructureConfiguration(ctx, in, o...)
	return made(out, err, lost)
}

func (f *fakeIB) CreateDistributionConfiguration(ctx context.Context, in *ib.CreateDistributionConfigurationInput, o ...func(*ib.Options)) (*ib.CreateDistributionConfigurationOutput, error) {
	err, lost := f.create("CreateDistributionConfiguration", aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	out, err := f.ImageBuilderAPI.CreateDistributionConfiguration(ctx, in, o...)
	return made(out, err, lost)
}

func (f *fakeIB) CreateImagePipeline(ctx context.Context, in *ib.CreateImagePipelineInput, o ...func(*ib.Options)) (*ib.CreateImagePipelineOutput, error) {
	err, lost := f.create("CreateImagePipeline", aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	out, err := f.ImageBuilderAPI.CreateImagePipeline(ctx, in, o...)
	return made(out, err, lost)
}

func (f *fakeIB) StartImagePipelineExecution(ctx context.Context, in *ib.StartImagePipelineExecutionInput, o ...func(*ib.Options)) (*ib.StartImagePipelineExecutionOutput, error) {
	f.rec.add("StartImagePipelineExecution")
	return f.ImageBuilderAPI.StartImagePipelineExecution(ctx, in, o...)
}

func (f *fakeIB) GetImage(ctx context.Context, in *ib.GetImageInput, o ...func(*ib.Options)) (*ib.GetImageOutput, error) {
	f.mu.Lock()
	f.polls++
	n, builds, onPoll := f.polls, f.builds, f.onPoll
	f.mu.Unlock()
	if onPoll != nil {
		onPoll(n)
	}
	if builds == nil {
		return f.ImageBuilderAPI.GetImage(ctx, in, o...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	img := *builds[min(n, len(builds))-1]
	img.Arn = in.ImageBuildVersionArn
	return &ib.GetImageOutput{Image: &img}, nil
}

// fakeSSM records PutParameter.
type fakeSSM struct {
	awsapi.SSMAPI
	rec *record
}

func (f fakeSSM) PutParameter(ctx context.Context, in *ssm.PutParameterInput, o ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	f.rec.add("PutParameter " + aws.ToString(in.Name))
	return f.SSMAPI.PutParameter(ctx, in, o...)
}

// fakeEC2 is EC2: the sandbox's, with DescribeFastLaunchImages recorded
// (operation and AMIs) and answered with one scripted state for each AMI
// (the scripted builds' AMIs are not the sandbox's).
type fakeEC2 struct {
	awsapi.EC2API
	rec   *record
	state ec2types.FastLaunchStateCode
	tags  []ec2types.Tag
	// lastWindows, when set, is the Windows version of the spec's last build.
	lastWindows string
}

func (f fakeEC2) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, o ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	if f.lastWindows != "" && len(in.Filters) > 0 && aws.ToString(in.Filters[0].Name) == "tag:winami:spec" {
		// The spec's last build, of that Windows version.
		return &ec2.DescribeImagesOutput{Images: []ec2types.Image{{ImageId: aws.String("ami-0aaaaaaaaaaaaaaaa"), CreationDate: aws.String("2026-11-20T10:00:00Z"),
			Tags: []ec2types.Tag{{Key: aws.String("winami:windows"), Value: aws.String(f.lastWindows)}}}}}, nil
	}
	out, err := f.EC2API.DescribeImages(ctx, in, o...)
	if err == nil && len(f.tags) > 0 {
		for i := range out.Images {
			out.Images[i].Tags = append(out.Images[i].Tags, f.tags...)
		}
	}
	return out, err
}

func (f fakeEC2) DescribeFastLaunchImages(_ context.Context, in *ec2.DescribeFastLaunchImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeFastLaunchImagesOutput, error) {
	f.rec.add("DescribeFastLaunchImages " + strings.Join(in.ImageIds, ","))
	out := &ec2.DescribeFastLaunchImagesOutput{}
	for _, id := range in.ImageIds {
		out.FastLaunchImages = append(out.FastLaunchImages, ec2types.DescribeFastLaunchImagesSuccessItem{
			ImageId: aws.String(id), ResourceType: ec2types.FastLaunchResourceTypeSnapshot, State: f.state,
		})
	}
	return out, nil
}

// fakeChecker judges every image with one verdict, as a registry would
// have answered.
type fakeChecker struct {
	rec     *record
	verdict images.Verdict
}

func (f fakeChecker) Check(_ context.Context, host images.HostBuild, refs []imageref.Ref) (images.Report, error) {
	f.rec.add("CheckImages")
	rep := images.Report{Host: host}
	for _, r := range refs {
		res := images.Result{Image: r.String(), Verdict: f.verdict}
		switch f.verdict {
		case images.Compatible:
			res.Digest = "sha256:" + strings.Repeat("ab", 32)
		default:
			res.Reason = "no manifest for windows/amd64 " + host.String()
		}
		rep.Images = append(rep.Images, res)
	}
	return rep, nil
}

// env is one sandbox with the runner's fakes over it.
type env struct {
	t       *testing.T
	dir     string
	counter *awsapi.CallCounter
	clients *awsapi.Clients
	rec     *record
	ib      *fakeIB
	clock   *clock.Fake
	out     strings.Builder

	preflight preflight.Report
	verdict   images.Verdict
	// fastLaunch is the Fast Launch state EC2 reports of every AMI.
	fastLaunch ec2types.FastLaunchStateCode
	// amiTags are added to every AMI DescribeImages returns.
	amiTags     []ec2types.Tag
	connections int
	// lastWindows is the Windows version of the spec's last build ("":
	// none); cluster, when set, checks a cluster's workloads (--cluster).
	lastWindows string
	cluster     images.ClusterCheck
}

func newEnv(t *testing.T) *env {
	t.Helper()
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, BuildPace: 5 * time.Millisecond})
	counter := awsapi.NewCallCounter()
	cfg.APIOptions = append(cfg.APIOptions, counter.Middleware())
	clients := awsapi.NewClients(cfg)
	rec := &record{}
	e := &env{
		t: t, dir: t.TempDir(), counter: counter, clients: clients, rec: rec,
		ib:      &fakeIB{ImageBuilderAPI: clients.ImageBuilder("us-east-1"), rec: rec},
		clock:   clock.NewFake(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)),
		verdict: images.Compatible,
	}
	e.write("hardening.yaml", hardening)
	return e
}

func (e *env) write(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// runner is a runner for the spec text, over this env's fakes.
func (e *env) runner(specText string) *specrun.Runner {
	e.t.Helper()
	e.write("winami.yaml", specText)
	s, err := spec.Load(filepath.Join(e.dir, "winami.yaml"))
	if err != nil {
		e.t.Fatal(err)
	}
	return &specrun.Runner{
		Spec: s, File: "winami.yaml", Clock: e.clock, Out: &e.out,
		Connect: func(context.Context) (*specrun.Clients, error) {
			e.connections++
			return &specrun.Clients{
				ImageBuilder: e.ib,
				SSM:          func(region string) awsapi.SSMAPI { return fakeSSM{SSMAPI: e.clients.SSM(region), rec: e.rec} },
				EC2: func(region string) awsapi.EC2API {
					return fakeEC2{EC2API: e.clients.EC2(region), rec: e.rec, state: e.fastLaunch, tags: e.amiTags, lastWindows: e.lastWindows}
				},
				Preflight: func(_ context.Context, s *spec.Spec) preflight.Report {
					e.rec.add("Preflight")
					rep := e.preflight
					rep.Spec, rep.Region = s.Name, s.Region
					return rep
				},
				ImageChecker: func() (pipeline.ImageChecker, error) {
					return fakeChecker{rec: e.rec, verdict: e.verdict}, nil
				},
				ClusterImages: e.cluster,
			}, nil
		},
	}
}

// changed lists the recorded calls that change something.
func (e *env) changed() []string {
	var out []string
	for _, c := range e.rec.all() {
		if strings.HasPrefix(c, "Create") || strings.HasPrefix(c, "Put") || strings.HasPrefix(c, "Start") {
			out = append(out, c)
		}
	}
	for op, n := range e.counter.Snapshot() {
		_, name, _ := strings.Cut(op, ".")
		for _, verb := range []string{"Create", "Update", "Delete", "Put", "Tag", "Untag", "Start", "Deregister"} {
			if strings.HasPrefix(name, verb) && n > 0 {
				out = append(out, fmt.Sprintf("%s ×%d (SDK)", op, n))
			}
		}
	}
	return out
}

// resources is what exists in Image Builder for the spec, by kind, name
// and version, without the ARNs' account-specific parts.
func (e *env) resources(ctx context.Context) []string {
	e.t.Helper()
	api := e.ib.ImageBuilderAPI
	var out []string
	comps, err := api.ListComponents(ctx, &ib.ListComponentsInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range comps.ComponentVersionList {
		builds, err := api.ListComponentBuildVersions(ctx, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: c.Arn})
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("component %s %s ×%d builds", aws.ToString(c.Name), aws.ToString(c.Version), len(builds.ComponentSummaryList)))
	}
	recipes, err := api.ListImageRecipes(ctx, &ib.ListImageRecipesInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range recipes.ImageRecipeSummaryList {
		out = append(out, "recipe "+aws.ToString(r.Name)+" "+pipeline.BuildVersion(aws.ToString(r.Arn)))
	}
	infra, err := api.ListInfrastructureConfigurations(ctx, &ib.ListInfrastructureConfigurationsInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, i := range infra.InfrastructureConfigurationSummaryList {
		out = append(out, "infrastructure "+aws.ToString(i.Name))
	}
	dist, err := api.ListDistributionConfigurations(ctx, &ib.ListDistributionConfigurationsInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range dist.DistributionConfigurationSummaryList {
		out = append(out, "distribution "+aws.ToString(d.Name))
	}
	pls, err := api.ListImagePipelines(ctx, &ib.ListImagePipelinesInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range pls.ImagePipelineList {
		out = append(out, "pipeline "+aws.ToString(p.Name)+" "+string(p.Status))
	}
	slices.Sort(out)
	return out
}

const hardening = `name: hardening
description: test component
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Harden
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Output 'hardened'
`

const baseSpec = `apiVersion: winami/v1alpha1
kind: ImageSpec
name: ci
region: us-east-1
base:
  windows: 2022
  edition: core
kubernetes: {version: "1.35"}
components:
  - file: hardening.yaml
build:
  instanceProfile: winami-build
distribution:
  regions: [us-east-1]
`

const cacheSpec = baseSpec + `cache:
  images:
    - mcr.microsoft.com/windows/servercore:ltsc2022
`

const fastLaunchSpec = baseSpec + `  fastLaunch: {enabled: true, targetSnapshots: 10, maxParallelLaunches: 6}
`
