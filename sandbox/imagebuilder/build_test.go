package imagebuilder_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	ibsandbox "github.com/winami/winami/sandbox/imagebuilder"
	"github.com/winami/winami/sandbox/world"
)

const pace = ibsandbox.DefaultPace

func TestBuildToAvailable(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	parent := eksAMI(t, e, "us-east-1")
	hello := createComponent(t, e, "hello", "1.0.0", helloDoc)
	assert := createComponent(t, e, "os-build", "1.0.0", assertDoc(parent.OSBuild))
	s := makeStack(t, e, "nodes", stackOptions{
		components: []types.ComponentConfiguration{
			{ComponentArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x")},
			{ComponentArn: aws.String(hello), Parameters: []types.ComponentParameter{{Name: aws.String("Greeting"), Value: []string{"hi"}}}},
			{ComponentArn: aws.String(assert)},
		},
		distributions: []types.Distribution{
			{Region: aws.String("us-east-1"),
				AmiDistributionConfiguration: &types.AmiDistributionConfiguration{
					Name: aws.String("winami-nodes-{{ imagebuilder:buildDate }}"), Description: aws.String("EKS nodes"),
					AmiTags: map[string]string{"winami:spec": "nodes"}, TargetAccountIds: []string{world.PartnerAccountID},
					LaunchPermission: &types.LaunchPermissionConfiguration{UserIds: []string{"777788889999"}},
				},
				SsmParameterConfigurations: []types.SsmParameterConfiguration{{ParameterName: aws.String("/winami/prod/ami"), DataType: types.SsmParameterDataTypeAwsEc2Image}},
				FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true, MaxParallelLaunches: aws.Int32(6),
					SnapshotConfiguration: &types.FastLaunchSnapshotConfiguration{TargetResourceCount: aws.Int32(10)},
					LaunchTemplate:        &types.FastLaunchLaunchTemplateSpecification{LaunchTemplateName: aws.String(world.WindowsNodesLaunchTemplate), LaunchTemplateVersion: aws.String("1")}}},
			},
			{Region: aws.String("us-west-2"),
				AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String("winami-nodes-{{imagebuilder:buildVersion}}-{{ imagebuilder:buildDate }}")},
				SsmParameterConfigurations:   []types.SsmParameterConfiguration{{ParameterName: aws.String("/winami/prod/ami"), DataType: types.SsmParameterDataTypeAwsEc2Image}},
			},
		},
	})
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline), ClientToken: aws.String("build-1")})).must(t).ImageBuildVersionArn)
	if arn != "arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.0.0/1" {
		t.Fatalf("build ARN %s", arn)
	}
	for _, want := range []types.ImageStatus{types.ImageStatusPending, types.ImageStatusBuilding, types.ImageStatusTesting, types.ImageStatusDistributing} {
		img := getImage(t, e, arn)
		if img.State.Status != want {
			t.Fatalf("state %s (%s), want %s", img.State.Status, aws.ToString(img.State.Reason), want)
		}
		if want != types.ImageStatusDistributing && img.OutputResources != nil {
			t.Errorf("%s build has outputs %+v", want, img.OutputResources)
		}
		e.clock.Advance(pace)
	}
	img := getImage(t, e, arn)
	if img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
	if aws.ToString(img.OsVersion) != "Microsoft Windows Server 2022" || img.Platform != types.PlatformWindows ||
		aws.ToString(img.SourcePipelineArn) != s.pipeline || aws.ToString(img.ImageRecipe.Arn) != s.recipe ||
		aws.ToString(img.InfrastructureConfiguration.Arn) != s.infra || aws.ToString(img.DistributionConfiguration.Arn) != s.dist ||
		img.BuildType != types.BuildTypeUserInitiated || img.ImageSource != types.ImageSourceCustom || aws.ToString(img.DateCreated) != "2026-11-28T12:00:00.000Z" {
		t.Errorf("image %+v", img)
	}
	amis := map[string]types.Ami{}
	for _, a := range img.OutputResources.Amis {
		amis[aws.ToString(a.Region)+"/"+aws.ToString(a.AccountId)] = a
	}
	own, copied, west := amis["us-east-1/111122223333"], amis["us-east-1/"+world.PartnerAccountID], amis["us-west-2/111122223333"]
	if len(amis) != 3 || own.Image == nil || copied.Image == nil || west.Image == nil || own.State.Status != types.ImageStatusAvailable {
		t.Fatalf("output AMIs %+v", img.OutputResources.Amis)
	}
	if aws.ToString(own.Name) != "winami-nodes-2026-11-28T12-00-00.000Z" || aws.ToString(west.Name) != "winami-nodes-1-2026-11-28T12-00-00.000Z" {
		t.Errorf("AMI names %s, %s", aws.ToString(own.Name), aws.ToString(west.Name))
	}

	// The AMIs through EC2.
	ec2AMI := describeAMI(t, e, "us-east-1", aws.ToString(own.Image))
	tags := map[string]string{}
	for _, tag := range ec2AMI.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if aws.ToString(ec2AMI.OwnerId) != "111122223333" || ec2AMI.Platform != "windows" || aws.ToString(ec2AMI.Description) != "EKS nodes" ||
		tags["winami:spec"] != "nodes" || tags["Ec2ImageBuilderArn"] != arn || tags["CreatedBy"] != "EC2 Image Builder" {
		t.Errorf("EC2 AMI %+v, tags %v", ec2AMI, tags)
	}
	describeAMI(t, e, "us-west-2", aws.ToString(west.Image))
	worldAMI := amiOf(t, e, "us-east-1", aws.ToString(own.Image))
	if worldAMI.OSBuild != parent.OSBuild || !slices.Equal(worldAMI.LaunchPermissions, []string{"777788889999"}) ||
		len(worldAMI.BlockDevices) != 1 || worldAMI.BlockDevices[0].SnapshotID == parent.BlockDevices[0].SnapshotID {
		t.Errorf("AMI %+v (parent %s, %s)", worldAMI, parent.OSBuild, parent.BlockDevices[0].SnapshotID)
	}
	if cp := amiOf(t, e, "us-east-1", aws.ToString(copied.Image)); cp.OwnerID != world.PartnerAccountID || cp.Public {
		t.Errorf("target account copy %+v", cp)
	}
	fl := worldAMI.FastLaunch["111122223333"]
	if fl == nil || fl.State != world.FastLaunchEnabled || fl.TargetResourceCount != 10 || fl.MaxParallelLaunches != 6 ||
		fl.LaunchTemplate == nil || fl.LaunchTemplate.LaunchTemplateName != world.WindowsNodesLaunchTemplate || fl.LaunchTemplate.Version != "1" ||
		!fl.StateTransitionTime.Equal(e.clock.Now()) {
		t.Errorf("Fast Launch %+v", fl)
	}
	var slr *world.Role
	_ = e.store.View(func(w *world.World) error { slr = w.IAM.Roles["AWSServiceRoleForEC2FastLaunch"]; return nil })
	if slr == nil {
		t.Error("enabling Fast Launch did not create EC2's service-linked role")
	}

	// The parameter in both regions.
	for region, a := range map[string]types.Ami{"us-east-1": own, "us-west-2": west} {
		p := try(e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/winami/prod/ami")},
			func(o *ssm.Options) { o.Region = region })).must(t).Parameter
		if aws.ToString(p.Value) != aws.ToString(a.Image) || aws.ToString(p.DataType) != "aws:ec2:image" || p.Version != 1 {
			t.Errorf("%s parameter %+v", region, p)
		}
	}

	// The pipeline's last run, and its images.
	pl := try(e.ib.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImagePipeline
	if pl.LastRunStatus != types.ImageStatusAvailable || aws.ToString(pl.DateLastRun) != "2026-11-28T12:00:00.000Z" {
		t.Errorf("last run %s at %s", pl.LastRunStatus, aws.ToString(pl.DateLastRun))
	}
	second := run(t, e, s.pipeline)
	if aws.ToString(second.Arn) != "arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.0.0/2" || second.State.Status != types.ImageStatusAvailable {
		t.Fatalf("second build %s %s (%s)", aws.ToString(second.Arn), second.State.Status, aws.ToString(second.State.Reason))
	}
	p := try(e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/winami/prod/ami")})).must(t).Parameter
	if p.Version != 2 || aws.ToString(p.Value) == aws.ToString(own.Image) {
		t.Errorf("after a second build the parameter is %+v", p)
	}
	images := try(e.ib.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageSummaryList
	if len(images) != 2 || aws.ToString(images[0].Arn) != arn || images[1].OutputResources == nil || aws.ToString(images[0].Owner) != "111122223333" {
		t.Errorf("pipeline images %+v", images)
	}
	versions := try(e.ib.ListImages(ctx, &imagebuilder.ListImagesInput{})).must(t).ImageVersionList
	if len(versions) != 1 || aws.ToString(versions[0].Arn) != "arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.0.0" {
		t.Errorf("own image versions %+v", versions)
	}
	builds := try(e.ib.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{
		ImageVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image/nodes/1.0.0")})).must(t).ImageSummaryList
	if len(builds) != 2 {
		t.Errorf("%d builds", len(builds))
	}
}

func TestStartIsIdempotent(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "idem", stackOptions{})
	in := &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(s.pipeline), ClientToken: aws.String("once")}
	first := try(e.ib.StartImagePipelineExecution(ctx, in)).must(t)
	again := try(e.ib.StartImagePipelineExecution(ctx, in)).must(t)
	if aws.ToString(first.ImageBuildVersionArn) != aws.ToString(again.ImageBuildVersionArn) || aws.ToString(again.ClientToken) != "once" {
		t.Errorf("a repeated start answered %s, then %s", aws.ToString(first.ImageBuildVersionArn), aws.ToString(again.ImageBuildVersionArn))
	}
	in.Tags = map[string]string{"other": "request"}
	_, err := e.ib.StartImagePipelineExecution(ctx, in)
	sandboxtest.WantAPIError(t, err, "IdempotentParameterMismatchException", "")
	other := try(e.ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t)
	if !strings.HasSuffix(aws.ToString(other.ImageBuildVersionArn), "/1.0.0/2") {
		t.Errorf("a new token started %s, want build 2", aws.ToString(other.ImageBuildVersionArn))
	}
	_, err = e.ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/nope")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestBuildWithoutTestsSkipsTesting(t *testing.T) {
	e := start(t)
	s := makeStack(t, e, "untested", stackOptions{testsDisabled: true})
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageBuildVersionArn)
	var seen []types.ImageStatus
	for range 5 {
		seen = append(seen, getImage(t, e, arn).State.Status)
		e.clock.Advance(pace)
	}
	want := []types.ImageStatus{"PENDING", "BUILDING", "DISTRIBUTING", "AVAILABLE", "AVAILABLE"}
	if !slices.Equal(seen, want) {
		t.Errorf("states %v, want %v", seen, want)
	}
}

// A build advances when nobody polls: one read long after the start finds it done.
func TestBuildAdvancesWithoutPolling(t *testing.T) {
	e := start(t)
	s := makeStack(t, e, "unwatched", stackOptions{})
	if img := run(t, e, s.pipeline); img.State.Status != types.ImageStatusAvailable || img.OutputResources == nil {
		t.Errorf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
}

func TestBuildFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, e *env) stackOptions
		after func(t *testing.T, e *env) // between making the stack and the build
		want  []string                   // in the reason
	}{{
		name:  "instance profile deleted",
		setup: func(t *testing.T, e *env) stackOptions { return stackOptions{} },
		after: func(t *testing.T, e *env) {
			_ = e.store.Update(func(w *world.World) error { delete(w.IAM.InstanceProfiles, world.BuildRoleName); return nil })
		},
		want: []string{"LaunchBuildInstance", "Value (winami-build) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name"},
	}, {
		name: "role without Systems Manager",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{instanceProfile: world.LegacyBuildRoleName}
		},
		want: []string{"Systems Manager", "legacy-build", "AmazonSSMManagedInstanceCore"},
	}, {
		name: "OS build assertion",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(createComponent(t, e, "os-build", "1.0.0", assertDoc("10.0.20348.1")))}}}
		},
		want: []string{"ApplyBuildComponents", "AssertOSBuild", "validate", "10.0.20348.1", eksOSBuild()},
	}, {
		name: "bad component document",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(createComponent(t, e, "broken", "1.0.0", badDoc))}}}
		},
		want: []string{"ApplyBuildComponents", "Document validation failed", "step 'Install'", "InstallEverything"},
	}, {
		name:  "parent parameter repointed",
		setup: func(t *testing.T, e *env) stackOptions { return stackOptions{parent: "ssm:/winami/demo/image_id"} },
		after: func(t *testing.T, e *env) {
			try(e.ssm.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String("/winami/demo/image_id"),
				Value: aws.String("ami-0000000000000000f"), Overwrite: aws.Bool(true)})).must(t)
		},
		want: []string{"LaunchBuildInstance", "ssm:/winami/demo/image_id", "ami-0000000000000000f"},
	}, {
		name: "Fast Launch template missing in a region",
		setup: func(t *testing.T, e *env) stackOptions {
			return stackOptions{distributions: []types.Distribution{{Region: aws.String("us-east-1")}, {Region: aws.String("eu-west-1"),
				FastLaunchConfigurations: []types.FastLaunchConfiguration{{Enabled: true,
					LaunchTemplate: &types.FastLaunchLaunchTemplateSpecification{LaunchTemplateName: aws.String(world.WindowsNodesLaunchTemplate)}}}}}}
		},
		want: []string{"Distribution to eu-west-1 failed", world.WindowsNodesLaunchTemplate},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			s := makeStack(t, e, "failing", tc.setup(t, e))
			if tc.after != nil {
				tc.after(t, e)
			}
			img := run(t, e, s.pipeline)
			reason := aws.ToString(img.State.Reason)
			if img.State.Status != types.ImageStatusFailed {
				t.Fatalf("state %s (%s), want FAILED", img.State.Status, reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(reason, w) {
					t.Errorf("reason %q lacks %q", reason, w)
				}
			}
			if img.OutputResources != nil {
				t.Errorf("a failed build made AMIs: %+v", img.OutputResources.Amis)
			}
			pl := try(e.ib.GetImagePipeline(t.Context(), &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t)
			if pl.ImagePipeline.LastRunStatus != types.ImageStatusFailed {
				t.Errorf("last run %s", pl.ImagePipeline.LastRunStatus)
			}
		})
	}
}

// eksOSBuild is the OS build of the newest EKS Windows Server 2022 AMIs.
func eksOSBuild() string {
	return world.WindowsOSBuild("2022", world.ReleaseDates()[3].Add(12*time.Hour))
}

func TestAMINameInUseFailsTheSecondBuild(t *testing.T) {
	e := start(t)
	s := makeStack(t, e, "static", stackOptions{distributions: []types.Distribution{{Region: aws.String("us-east-1"),
		AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String("always-the-same")}}}})
	first := run(t, e, s.pipeline)
	second := run(t, e, s.pipeline)
	if first.State.Status != types.ImageStatusAvailable || second.State.Status != types.ImageStatusFailed ||
		!strings.Contains(aws.ToString(second.State.Reason), "AMI name 'always-the-same' is already in use by AMI "+aws.ToString(first.OutputResources.Amis[0].Image)) {
		t.Errorf("first %s, second %s (%s)", first.State.Status, second.State.Status, aws.ToString(second.State.Reason))
	}
}

func TestCancelImageCreation(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "cancelled", stackOptions{})
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageBuildVersionArn)
	e.clock.Advance(pace)
	in := &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(arn), ClientToken: aws.String("cancel-1")}
	out := try(e.ib.CancelImageCreation(ctx, in)).must(t)
	if aws.ToString(out.ImageBuildVersionArn) != arn || aws.ToString(out.ClientToken) != "cancel-1" {
		t.Errorf("cancel answered %+v", out)
	}
	e.clock.Advance(time.Hour)
	img := getImage(t, e, arn)
	if img.State.Status != types.ImageStatusCancelled || img.OutputResources != nil {
		t.Errorf("after cancel: %s %+v", img.State.Status, img.OutputResources)
	}
	// The same request again gets the same answer; a new one finds nothing to cancel.
	try(e.ib.CancelImageCreation(ctx, in)).must(t)
	_, err := e.ib.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceInUseException", "")
	_, err = e.ib.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(arn + "0")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}
