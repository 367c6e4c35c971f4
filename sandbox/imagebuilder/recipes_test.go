package imagebuilder_test

import (
	"strings"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

const (
	eksComponent135 = "arn:aws:imagebuilder:us-east-1:aws:component/eks-optimized-ami-windows/1.35.x"
	windowsBase2022 = "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/x.x.x"
)

func TestCreateAndGetImageRecipe(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	hello := createComponent(t, e, "hello", "1.0.0", helloDoc)
	out := try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("Windows Nodes"), SemanticVersion: aws.String("2.1.0"), ParentImage: aws.String(windowsBase2022),
		Description: aws.String("nodes"),
		Components: []types.ComponentConfiguration{
			{ComponentArn: aws.String(eksComponent135)},
			{ComponentArn: aws.String(hello), Parameters: []types.ComponentParameter{{Name: aws.String("Greeting"), Value: []string{"hi"}}}},
		},
		BlockDeviceMappings: []types.InstanceBlockDeviceMapping{{DeviceName: aws.String("/dev/sda1"),
			Ebs: &types.EbsInstanceBlockDeviceSpecification{VolumeSize: aws.Int32(100), VolumeType: types.EbsVolumeTypeGp3, DeleteOnTermination: aws.Bool(true)}}},
		WorkingDirectory: aws.String(`C:\build`),
		AmiTags:          map[string]string{"os": "2022"},
		Tags:             map[string]string{"winami:managed": "true"},
	})).must(t)
	arn := aws.ToString(out.ImageRecipeArn)
	if arn != "arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/windows-nodes/2.1.0" {
		t.Fatalf("ARN %s", arn)
	}
	if aws.ToString(out.LatestVersionReferences.LatestMinorVersionArn) != "arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/windows-nodes/2.1.x" {
		t.Errorf("references %+v", out.LatestVersionReferences)
	}
	r := try(e.ib.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String(arn)})).must(t).ImageRecipe
	if aws.ToString(r.Name) != "Windows Nodes" || aws.ToString(r.Version) != "2.1.0" || r.Platform != types.PlatformWindows ||
		aws.ToString(r.ParentImage) != windowsBase2022 || aws.ToString(r.Owner) != "111122223333" || r.Type != types.ImageTypeAmi ||
		len(r.Components) != 2 || aws.ToString(r.Components[0].ComponentArn) != eksComponent135 ||
		aws.ToString(r.Components[1].Parameters[0].Name) != "Greeting" || r.Components[1].Parameters[0].Value[0] != "hi" ||
		len(r.BlockDeviceMappings) != 1 || aws.ToInt32(r.BlockDeviceMappings[0].Ebs.VolumeSize) != 100 ||
		r.BlockDeviceMappings[0].Ebs.VolumeType != types.EbsVolumeTypeGp3 || aws.ToString(r.WorkingDirectory) != `C:\build` ||
		r.AmiTags["os"] != "2022" || r.Tags["winami:managed"] != "true" || aws.ToString(r.DateCreated) == "" {
		t.Errorf("recipe %+v", r)
	}
	_, err := e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("windows nodes"), SemanticVersion: aws.String("2.1.0"), ParentImage: aws.String(windowsBase2022)})
	sandboxtest.WantAPIError(t, err, "ResourceAlreadyExistsException", "The following resource 'ImageRecipe' already exists: '"+arn+"'.")

	// Auto-versioning: an x as the patch takes the next patch.
	for _, want := range []string{"2.1.1", "2.1.2"} {
		got := try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
			Name: aws.String("Windows Nodes"), SemanticVersion: aws.String("2.1.x"), ParentImage: aws.String(windowsBase2022)})).must(t)
		if !strings.HasSuffix(aws.ToString(got.ImageRecipeArn), "/"+want) {
			t.Errorf("2.1.x made %s, want %s", aws.ToString(got.ImageRecipeArn), want)
		}
	}
	latest := try(e.ib.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{
		ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/windows-nodes/x.x.x")})).must(t)
	if aws.ToString(latest.ImageRecipe.Version) != "2.1.2" {
		t.Errorf("x.x.x is %s", aws.ToString(latest.ImageRecipe.Version))
	}
}

func TestImageRecipeParents(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	ami := eksAMI(t, e, "us-east-1")
	create := func(name, parent string) error {
		_, err := e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
			Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(parent)})
		return err
	}
	for name, parent := range map[string]string{
		"by-ami":          ami.ImageID,
		"by-ssm":          "ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id",
		"by-ssm-arn":      "ssm:arn:aws:ssm:us-east-1::parameter/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id",
		"by-image-arn":    windowsBase2022,
		"by-image-build":  "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2019-english-full-base-x86/2026.9.9/1",
		"by-partner-ami":  partnerSharedAMI(t, e),
		"by-own-ssm-name": "ssm:/winami/demo/image_id",
	} {
		if err := create(name, parent); err != nil {
			t.Errorf("%s: %v", parent, err)
		}
	}
	for _, parent := range []string{
		"ami-0000000000000000f",
		"ssm:/no/such/parameter",
		"ssm:/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35", // a JSON document, not an AMI ID
		"arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-core-base-x86/2020.1.1",
		"arn:aws:imagebuilder:eu-west-1:aws:image/windows-server-2022-english-core-base-x86/x.x.x",
		"prod-abcdefghijklmnopqrstuvwxy",
		partnerHiddenAMI(t, e),
		eksAMI(t, e, "eu-west-1").ImageID, // another region's AMI
	} {
		err := create("bad-parent", parent)
		sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
		if !strings.Contains(err.Error(), "parentImage") {
			t.Errorf("%s: %v", parent, err)
		}
	}
}

func TestImageRecipeComponentChecks(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	linux := try(e.ib.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("linux-thing"),
		SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(helloDoc)})).must(t)
	hello := createComponent(t, e, "hello", "1.0.0", helloDoc)
	for name, cc := range map[string]types.ComponentConfiguration{
		"missing component":   {ComponentArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:component/nope/1.0.0/1")},
		"platform mismatch":   {ComponentArn: linux.ComponentBuildVersionArn},
		"undeclared param":    {ComponentArn: aws.String(hello), Parameters: []types.ComponentParameter{{Name: aws.String("Nope"), Value: []string{"x"}}}},
		"bad ARN":             {ComponentArn: aws.String("update-windows")},
		"other region's ARN":  {ComponentArn: aws.String("arn:aws:imagebuilder:eu-west-1:aws:component/update-windows/1.0.3/1")},
		"nonexistent version": {ComponentArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:component/update-windows/9.x.x")},
	} {
		_, err := e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("checks"),
			SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(windowsBase2022),
			Components: []types.ComponentConfiguration{cc}})
		t.Run(name, func(t *testing.T) { sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "") })
	}
	for _, v := range []string{"1.x.x", "x.x.x", "1.0", "01.0.0x"} {
		_, err := e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("checks"),
			SemanticVersion: aws.String(v), ParentImage: aws.String(windowsBase2022)})
		sandboxtest.WantAPIError(t, err, "InvalidVersionNumberException", "")
	}
	_, err := e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("checks"),
		SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(windowsBase2022),
		BlockDeviceMappings: []types.InstanceBlockDeviceMapping{{DeviceName: aws.String("/dev/sda1"),
			Ebs: &types.EbsInstanceBlockDeviceSpecification{VolumeSize: aws.Int32(0)}}}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
}

func TestListAndDeleteImageRecipes(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "listed", stackOptions{})
	spare := try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("spare"),
		SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(windowsBase2022), Tags: map[string]string{"k": "v"}})).must(t)
	all := try(e.ib.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{})).must(t).ImageRecipeSummaryList
	if len(all) != 2 || aws.ToString(all[0].Arn) != s.recipe || aws.ToString(all[1].Arn) != aws.ToString(spare.ImageRecipeArn) ||
		all[1].Platform != types.PlatformWindows || aws.ToString(all[1].ParentImage) != windowsBase2022 || all[1].Tags["k"] != "v" {
		t.Errorf("recipes %+v", all)
	}
	filtered := try(e.ib.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{
		Filters: []types.Filter{{Name: aws.String("parentImage"), Values: []string{windowsBase2022}}}})).must(t).ImageRecipeSummaryList
	if len(filtered) != 1 {
		t.Errorf("parentImage filter: %+v", filtered)
	}
	if amazon := try(e.ib.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{Owner: types.OwnershipAmazon})).must(t); len(amazon.ImageRecipeSummaryList) != 0 {
		t.Errorf("Amazon owns recipes: %+v", amazon.ImageRecipeSummaryList)
	}

	_, err := e.ib.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(s.recipe)})
	sandboxtest.WantAPIError(t, err, "ResourceDependencyException",
		"Resource dependency error: The resource ARN '"+s.recipe+"' has other resources depended on it.")
	try(e.ib.DeleteImagePipeline(ctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t)
	try(e.ib.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(s.recipe)})).must(t)
	_, err = e.ib.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String(s.recipe)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "The resource ARN '"+s.recipe+"' cannot be found.")
	_, err = e.ib.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(s.recipe)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}
