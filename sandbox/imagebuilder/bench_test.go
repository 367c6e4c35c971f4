package imagebuilder_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// benchStack is a seeded sandbox with a recipe, infrastructure, distribution
// and pipeline, one finished build and one build in progress whose next
// state change is not due: what a user's reads find while a build runs.
func benchStack(b *testing.B) (ib *imagebuilder.Client, pipeline, image string) {
	b.Helper()
	c := sandboxtest.NewClock(time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC))
	srv, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, Now: c.Now})
	ib = imagebuilder.NewFromConfig(cfg)
	ctx := b.Context()
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	var parent string
	_ = srv.Store().View(func(w *world.World) error {
		name := world.EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}.AMIName(world.ReleaseDates()[3])
		for _, img := range w.Region("us-east-1").Images {
			if img.Name == name {
				parent = img.ImageID
			}
		}
		return nil
	})
	recipe, err := ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("bench"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(parent)})
	must(err)
	infra, err := ib.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{
		Name: aws.String("bench"), InstanceProfileName: aws.String(world.BuildRoleName)})
	must(err)
	p, err := ib.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{
		Name: aws.String("bench"), ImageRecipeArn: recipe.ImageRecipeArn,
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	must(err)
	start := func() string {
		out, err := ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: p.ImagePipelineArn})
		must(err)
		return aws.ToString(out.ImageBuildVersionArn)
	}
	image = start()
	c.Advance(time.Hour)
	_, err = ib.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)})
	must(err)
	start()
	return ib, aws.ToString(p.ImagePipelineArn), image
}

func BenchmarkGetImage(b *testing.B) {
	ib, _, image := benchStack(b)
	in := &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)}
	for b.Loop() {
		if _, err := ib.GetImage(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListImageRecipes(b *testing.B) {
	ib, _, _ := benchStack(b)
	for b.Loop() {
		if _, err := ib.ListImageRecipes(b.Context(), &imagebuilder.ListImageRecipesInput{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListImagePipelineImages(b *testing.B) {
	ib, pipeline, _ := benchStack(b)
	in := &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: aws.String(pipeline)}
	for b.Loop() {
		if _, err := ib.ListImagePipelineImages(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTagResource is a write, for comparison: it pays for the store's
// snapshot of the world.
func BenchmarkTagResource(b *testing.B) {
	ib, pipeline, _ := benchStack(b)
	in := &imagebuilder.TagResourceInput{ResourceArn: aws.String(pipeline), Tags: map[string]string{"k": "v"}}
	for b.Loop() {
		if _, err := ib.TagResource(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}
