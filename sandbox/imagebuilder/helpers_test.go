package imagebuilder_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// clock is the test's hand-moved clock (sandboxtest.Clock).
type clock = sandboxtest.Clock

// env is a sandbox with the clients the tests use.
type env struct {
	store *state.Store
	clock *clock
	ib    *imagebuilder.Client
	ssm   *ssm.Client
	ec2   *ec2.Client
}

func start(t *testing.T) *env {
	t.Helper()
	c := sandboxtest.NewClock(time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC))
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: c.Now})
	return &env{store: srv.Store(), clock: c, ib: imagebuilder.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg)}
}

func inRegion(region string) func(*imagebuilder.Options) {
	return func(o *imagebuilder.Options) { o.Region = region }
}

// result is an SDK call's answer, for try(call).must(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must is the answer, or the test's end.
func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// AWSTOE documents of the tests.
const (
	helloDoc = `name: hello
description: Says hello.
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: hello
      description: What to say.
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Host '{{ Greeting }}'
`
	testOnlyDoc = `name: smoke
schemaVersion: 1.0
phases:
  - name: test
    steps:
      - name: Smoke
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Host ok
`
	badDoc = `name: broken
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Install
        action: InstallEverything
        inputs:
          commands:
            - Write-Host nope
`
)

// assertDoc asserts an OS build in its validate phase, by the convention
// the package documents.
func assertDoc(build string) string {
	return fmt.Sprintf(`name: os-build
schemaVersion: 1.0
phases:
  - name: validate
    steps:
      - name: AssertOSBuild
        action: ExecutePowerShell
        inputs:
          commands:
            - |
              $expected = '%s'
              $v = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
              $actual = "10.0.$($v.CurrentBuildNumber).$($v.UBR)"
              if ($actual -ne $expected) { throw "OS build is $actual, expected $expected" }
`, build)
}

func createComponent(t *testing.T, e *env, name, version, data string) string {
	t.Helper()
	out := try(e.ib.CreateComponent(t.Context(), &imagebuilder.CreateComponentInput{
		Name: aws.String(name), SemanticVersion: aws.String(version), Platform: types.PlatformWindows, Data: aws.String(data),
	})).must(t)
	return aws.ToString(out.ComponentBuildVersionArn)
}

// eksAMI is the newest Windows Server 2022 Core EKS 1.35 AMI of a region.
func eksAMI(t *testing.T, e *env, region string) *world.Image {
	t.Helper()
	name := world.EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}.AMIName(world.ReleaseDates()[3])
	var found *world.Image
	_ = e.store.View(func(w *world.World) error {
		for _, img := range w.Region(region).Images {
			if img.Name == name {
				c := *img
				found = &c
			}
		}
		return nil
	})
	if found == nil {
		t.Fatalf("no AMI %s in %s", name, region)
	}
	return found
}

// amiOf reads an AMI of the world.
func amiOf(t *testing.T, e *env, region, id string) *world.Image {
	t.Helper()
	var found *world.Image
	_ = e.store.View(func(w *world.World) error {
		if img := w.Region(region).Images[id]; img != nil {
			c := *img
			found = &c
		}
		return nil
	})
	if found == nil {
		t.Fatalf("no AMI %s in %s", id, region)
	}
	return found
}

// describeAMI reads an AMI through EC2, as a user would.
func describeAMI(t *testing.T, e *env, region, id string) ec2types.Image {
	t.Helper()
	out := try(e.ec2.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{id}},
		func(o *ec2.Options) { o.Region = region })).must(t)
	if len(out.Images) != 1 {
		t.Fatalf("DescribeImages %s in %s: %d images", id, region, len(out.Images))
	}
	return out.Images[0]
}

// stack is a recipe, infrastructure, distribution and pipeline ready to build.
type stack struct {
	recipe, infra, dist, pipeline string
}

type stackOptions struct {
	parent          string
	components      []types.ComponentConfiguration
	instanceProfile string
	distributions   []types.Distribution
	testsDisabled   bool
}

func makeStack(t *testing.T, e *env, name string, o stackOptions) stack {
	t.Helper()
	ctx := t.Context()
	if o.parent == "" {
		o.parent = eksAMI(t, e, "us-east-1").ImageID
	}
	if o.instanceProfile == "" {
		o.instanceProfile = world.BuildRoleName
	}
	if o.distributions == nil {
		o.distributions = []types.Distribution{{Region: aws.String("us-east-1")}}
	}
	var s stack
	s.recipe = aws.ToString(try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(o.parent),
		Components: o.components,
	})).must(t).ImageRecipeArn)
	s.infra = aws.ToString(try(e.ib.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String(name), InstanceProfileName: aws.String(o.instanceProfile), InstanceTypes: []string{"m6i.large"},
	})).must(t).InfrastructureConfigurationArn)
	s.dist = aws.ToString(try(e.ib.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{
		Name: aws.String(name), Distributions: o.distributions,
	})).must(t).DistributionConfigurationArn)
	s.pipeline = aws.ToString(try(e.ib.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{
		Name: aws.String(name), ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra),
		DistributionConfigurationArn: aws.String(s.dist),
		ImageTestsConfiguration:      &types.ImageTestsConfiguration{ImageTestsEnabled: aws.Bool(!o.testsDisabled)},
	})).must(t).ImagePipelineArn)
	return s
}

// getImage reads a build's state.
func getImage(t *testing.T, e *env, arn string) *types.Image {
	t.Helper()
	return try(e.ib.GetImage(t.Context(), &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(arn)})).must(t).Image
}

// run starts the pipeline and moves the clock until the build ends.
func run(t *testing.T, e *env, pipeline string) *types.Image {
	t.Helper()
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(pipeline),
	})).must(t).ImageBuildVersionArn)
	e.clock.Advance(time.Hour)
	return getImage(t, e, arn)
}

// amiNamed is the ID of the AMI of a name prefix in us-east-1.
func amiNamed(t *testing.T, e *env, prefix string) string {
	t.Helper()
	var id string
	_ = e.store.View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			if strings.HasPrefix(img.Name, prefix) {
				id = img.ImageID
			}
		}
		return nil
	})
	if id == "" {
		t.Fatalf("no AMI named %s*", prefix)
	}
	return id
}

// partnerSharedAMI is a partner's AMI shared with the account,
// partnerHiddenAMI one it keeps private.
func partnerSharedAMI(t *testing.T, e *env) string { return amiNamed(t, e, "partner-golden-") }
func partnerHiddenAMI(t *testing.T, e *env) string { return amiNamed(t, e, "partner-internal-") }
