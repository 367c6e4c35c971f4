package imagebuilder_test

import (
	"strings"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/sandbox/world"
)

func TestManagedWindowsImages(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	versions := try(e.ib.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipAmazon})).must(t).ImageVersionList
	if len(versions) != 24 {
		t.Fatalf("%d managed image versions, want 3 Windows versions x 2 editions x 4 releases", len(versions))
	}
	byName := try(e.ib.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipAmazon, ByName: true})).must(t).ImageVersionList
	var names []string
	for _, v := range byName {
		names = append(names, aws.ToString(v.Name)+"@"+aws.ToString(v.Version))
		if aws.ToString(v.Owner) != "Amazon" || v.ImageSource != types.ImageSourceAmazonManaged || v.Platform != types.PlatformWindows {
			t.Errorf("managed image %+v", v)
		}
	}
	want := "windows-server-2019-english-core-base-x86@2026.11.11 windows-server-2019-english-full-base-x86@2026.11.11 " +
		"windows-server-2022-english-core-base-x86@2026.11.11 windows-server-2022-english-full-base-x86@2026.11.11 " +
		"windows-server-2025-english-core-base-x86@2026.11.11 windows-server-2025-english-full-base-x86@2026.11.11"
	if strings.Join(names, " ") != want {
		t.Errorf("by name:\n got %s\nwant %s", strings.Join(names, " "), want)
	}
	core2022 := try(e.ib.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipAmazon,
		Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"windows-server-2022-english-core-base-x86"}}}})).must(t).ImageVersionList
	var vs []string
	for _, v := range core2022 {
		vs = append(vs, aws.ToString(v.Version))
	}
	if strings.Join(vs, " ") != "2026.8.12 2026.9.9 2026.10.14 2026.11.11" {
		t.Errorf("versions %v", vs)
	}

	// The newest one's AMI is the one SSM publishes as the latest base AMI,
	// and every month has its own OS build.
	latest := try(e.ib.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(windowsBase2022)})).must(t)
	img := latest.Image
	p := try(e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(world.WindowsLatestPath + "/Windows_Server-2022-English-Core-Base")})).must(t)
	if aws.ToString(img.Arn) != "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/2026.11.11/1" ||
		img.State.Status != types.ImageStatusAvailable || aws.ToString(img.OsVersion) != "Microsoft Windows Server 2022" ||
		len(img.OutputResources.Amis) != 1 || aws.ToString(img.OutputResources.Amis[0].Image) != aws.ToString(p.Parameter.Value) {
		t.Errorf("latest managed image %+v (SSM says %s)", img, aws.ToString(p.Parameter.Value))
	}
	if aws.ToString(latest.LatestVersionReferences.LatestMajorVersionArn) != "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/2026.x.x" {
		t.Errorf("references %+v", latest.LatestVersionReferences)
	}
	builds := map[string]bool{}
	for _, v := range vs {
		b := try(e.ib.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{
			ImageVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/" + v)})).must(t).ImageSummaryList
		if len(b) != 1 || b[0].OutputResources == nil {
			t.Fatalf("%s: builds %+v", v, b)
		}
		ami := amiOf(t, e, "us-east-1", aws.ToString(b[0].OutputResources.Amis[0].Image))
		if ami.OwnerID != world.AmazonWindowsOwnerID || !strings.HasPrefix(ami.OSBuild, "10.0.20348.") || builds[ami.OSBuild] ||
			!strings.HasPrefix(ami.Name, "Windows_Server-2022-English-Core-Base-") {
			t.Errorf("%s: AMI %s %s build %s", v, ami.ImageID, ami.Name, ami.OSBuild)
		}
		builds[ami.OSBuild] = true
	}
	if own := try(e.ib.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{})).must(t); len(own.ImageSummaryList) != 0 {
		t.Errorf("without a version ARN, the account's own builds only: %+v", own.ImageSummaryList)
	}
}

func TestWindowsAMIsCarryTheirOSBuild(t *testing.T) {
	e := start(t)
	for region, want := range map[string]string{"us-east-1": "10.0.20348.", "ap-south-1": "10.0.20348."} {
		if got := eksAMI(t, e, region).OSBuild; !strings.HasPrefix(got, want) || got != eksOSBuild() {
			t.Errorf("%s: EKS 2022 AMI build %q, want %s", region, got, eksOSBuild())
		}
	}
	_ = e.store.View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			if img.Platform == "windows" && strings.Contains(img.Name, "EKS_Optimized") && img.OSBuild == "" {
				t.Errorf("%s has no OS build", img.Name)
			}
			if img.Platform != "windows" && img.OSBuild != "" {
				t.Errorf("Linux AMI %s has OS build %s", img.Name, img.OSBuild)
			}
		}
		return nil
	})
}

func TestDeleteImage(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "deleted", stackOptions{})
	img := run(t, e, s.pipeline)
	arn := aws.ToString(img.Arn)
	// A recipe built on the image keeps it.
	recipe := try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("child"),
		SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(arn)})).must(t)
	_, err := e.ib.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceDependencyException", "")
	try(e.ib.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: recipe.ImageRecipeArn})).must(t)

	out := try(e.ib.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: aws.String(arn)})).must(t)
	if aws.ToString(out.ImageBuildVersionArn) != arn {
		t.Errorf("deleted %s", aws.ToString(out.ImageBuildVersionArn))
	}
	_, err = e.ib.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	// The AMI stays, as AWS's DeleteImage leaves it.
	describeAMI(t, e, "us-east-1", aws.ToString(img.OutputResources.Amis[0].Image))
	_, err = e.ib.DeleteImage(ctx, &imagebuilder.DeleteImageInput{
		ImageBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/2026.11.11/1")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image/deleted/1.0.0")})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
}

func TestUnknownRegion(t *testing.T) {
	e := start(t)
	_, err := e.ib.ListComponents(t.Context(), &imagebuilder.ListComponentsInput{}, inRegion("us-east-2"))
	sandboxtest.WantAPIError(t, err, "UnrecognizedClientException", "")
}
