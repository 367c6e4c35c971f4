package ec2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// A new version from a source version differs from it only in what the
// request sets; the template keeps every version's AMI; a retry with the
// same token gets the same version.
func TestCreateLaunchTemplateVersion(t *testing.T) {
	srv, _, c := startServer(t)
	own, _ := ownImage(t, srv)
	id := templateID(t, c)
	create := func(token, image string) (*ec2.CreateLaunchTemplateVersionOutput, error) {
		return c.CreateLaunchTemplateVersion(t.Context(), &ec2.CreateLaunchTemplateVersionInput{
			LaunchTemplateId: aws.String(id), SourceVersion: aws.String("2"), VersionDescription: aws.String("rollout " + image),
			LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(image)}, ClientToken: aws.String(token),
		})
	}
	source, err := c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"2"}})
	if err != nil {
		t.Fatal(err)
	}
	src := source.LaunchTemplateVersions[0].LaunchTemplateData
	out, err := create("tok-1", own)
	if err != nil {
		t.Fatal(err)
	}
	v := out.LaunchTemplateVersion
	if aws.ToInt64(v.VersionNumber) != 3 || aws.ToBool(v.DefaultVersion) || aws.ToString(v.VersionDescription) != "rollout "+own ||
		aws.ToString(v.LaunchTemplateData.ImageId) != own || v.LaunchTemplateData.InstanceType != src.InstanceType ||
		len(v.LaunchTemplateData.BlockDeviceMappings) != len(src.BlockDeviceMappings) || out.Warning != nil {
		t.Errorf("version %+v, data %+v, warning %+v", v, v.LaunchTemplateData, out.Warning)
	}
	again, err := create("tok-1", own)
	if err != nil || aws.ToInt64(again.LaunchTemplateVersion.VersionNumber) != 3 {
		t.Errorf("retry: %+v, %v", again, err)
	}
	_, err = create("tok-1", "ami-0123456789abcdef0")
	sandboxtest.WantAPIError(t, err, "IdempotentParameterMismatch", "")
	// A well-formed AMI EC2 does not know is a warning, not an error.
	unknown, err := create("tok-2", "ami-0123456789abcdef0")
	if err != nil || unknown.Warning == nil || len(unknown.Warning.Errors) != 1 || aws.ToString(unknown.Warning.Errors[0].Code) != "InvalidAMIID.NotFound" {
		t.Errorf("unknown AMI: %+v, %v", unknown, err)
	}
	// Every version keeps its AMI.
	all, err := c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	images := map[int64]string{}
	for _, v := range all.LaunchTemplateVersions {
		images[aws.ToInt64(v.VersionNumber)] = aws.ToString(v.LaunchTemplateData.ImageId)
	}
	if len(images) != 4 || images[3] != own || images[4] != "ami-0123456789abcdef0" || images[2] != aws.ToString(src.ImageId) {
		t.Errorf("versions' AMIs %v", images)
	}
	lt, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil || aws.ToInt64(lt.LaunchTemplates[0].LatestVersionNumber) != 4 || aws.ToInt64(lt.LaunchTemplates[0].DefaultVersionNumber) != 1 {
		t.Errorf("template after: %+v, %v", lt, err)
	}
	// By name, without a source: only what the request sets.
	byName, err := c.CreateLaunchTemplateVersion(t.Context(), &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateName: aws.String(world.DemoLaunchTemplateName), LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(own)}})
	if err != nil || aws.ToInt64(byName.LaunchTemplateVersion.VersionNumber) != 2 || byName.LaunchTemplateVersion.LaunchTemplateData.InstanceType != "" {
		t.Errorf("by name: %+v, %v", byName, err)
	}
}

func TestCreateLaunchTemplateVersionErrors(t *testing.T) {
	_, c := start(t)
	id := templateID(t, c)
	data := &types.RequestLaunchTemplateData{ImageId: aws.String("ami-0123456789abcdef0")}
	cases := []struct {
		what      string
		in        ec2.CreateLaunchTemplateVersionInput
		code, msg string
	}{
		{"unknown ID", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String("lt-0123456789abcdef0")},
			"InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID lt-0123456789abcdef0, does not exist."},
		{"unknown name", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateName: aws.String("no-such-template")},
			"InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name no-such-template, does not exist."},
		{"malformed ID", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String("lt-1")}, "InvalidLaunchTemplateId.Malformed", ""},
		{"neither", ec2.CreateLaunchTemplateVersionInput{}, "MissingParameter", ""},
		{"both", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id), LaunchTemplateName: aws.String(nodesTemplate)}, "InvalidParameterCombination", ""},
		{"source version not found", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id), SourceVersion: aws.String("9")},
			"InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version 9 for launch template " + id + "."},
		{"malformed AMI", ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id), LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("image-1")}},
			"InvalidAMIID.Malformed", `Invalid id: "image-1" (expecting "ami-...")`},
	}
	for _, tc := range cases {
		if tc.in.LaunchTemplateData == nil {
			tc.in.LaunchTemplateData = data
		}
		_, err := c.CreateLaunchTemplateVersion(t.Context(), &tc.in)
		if err == nil {
			t.Errorf("%s: no error", tc.what)
			continue
		}
		sandboxtest.WantAPIError(t, err, tc.code, tc.msg)
	}
	lt, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil || aws.ToInt64(lt.LaunchTemplates[0].LatestVersionNumber) != 2 {
		t.Errorf("a refused call made a version: %+v, %v", lt, err)
	}
}

func TestModifyLaunchTemplateDefaultVersion(t *testing.T) {
	_, c := start(t)
	id := templateID(t, c)
	out, err := c.ModifyLaunchTemplate(t.Context(), &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("2")})
	if err != nil || aws.ToInt64(out.LaunchTemplate.DefaultVersionNumber) != 2 {
		t.Fatalf("%+v, %v", out, err)
	}
	def, err := c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"$Default"}})
	if err != nil || aws.ToInt64(def.LaunchTemplateVersions[0].VersionNumber) != 2 {
		t.Errorf("$Default after: %+v, %v", def, err)
	}
	// Back to 1, by name.
	if _, err := c.ModifyLaunchTemplate(t.Context(), &ec2.ModifyLaunchTemplateInput{LaunchTemplateName: aws.String(nodesTemplate), DefaultVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyLaunchTemplate(t.Context(), &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("7")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.VersionNotFound", "")
	_, err = c.ModifyLaunchTemplate(t.Context(), &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String("lt-0123456789abcdef0"), DefaultVersion: aws.String("1")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.NotFound", "")
	_, err = c.ModifyLaunchTemplate(t.Context(), &ec2.ModifyLaunchTemplateInput{LaunchTemplateName: aws.String("no-such-template"), DefaultVersion: aws.String("1")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateName.NotFoundException", "")
	lt, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil || aws.ToInt64(lt.LaunchTemplates[0].DefaultVersionNumber) != 1 {
		t.Errorf("default after refused calls: %+v, %v", lt, err)
	}
}
