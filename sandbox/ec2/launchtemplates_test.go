package ec2_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/world"
)

const nodesTemplate = "winami-windows-nodes"

var templateIDRE = regexp.MustCompile(`^lt-[0-9a-f]{17}$`)

func templateID(t *testing.T, c *ec2.Client, opts ...func(*ec2.Options)) string {
	t.Helper()
	out, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{nodesTemplate}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LaunchTemplates) != 1 {
		t.Fatalf("%d templates named %s", len(out.LaunchTemplates), nodesTemplate)
	}
	return aws.ToString(out.LaunchTemplates[0].LaunchTemplateId)
}

func TestDescribeLaunchTemplates(t *testing.T) {
	_, c := start(t)
	out, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	// The other template is the demo EKS cluster's (world.DemoLaunchTemplateName).
	i := slices.IndexFunc(out.LaunchTemplates, func(lt types.LaunchTemplate) bool { return aws.ToString(lt.LaunchTemplateName) == nodesTemplate })
	if len(out.LaunchTemplates) != 2 || i < 0 {
		t.Fatalf("templates %+v", out.LaunchTemplates)
	}
	lt := out.LaunchTemplates[i]
	id := aws.ToString(lt.LaunchTemplateId)
	if !templateIDRE.MatchString(id) || aws.ToString(lt.LaunchTemplateName) != nodesTemplate ||
		aws.ToInt64(lt.DefaultVersionNumber) != 1 || aws.ToInt64(lt.LatestVersionNumber) != 2 ||
		lt.CreateTime == nil || lt.CreateTime.Year() != 2026 ||
		aws.ToString(lt.CreatedBy) != "arn:aws:iam::"+world.DefaultAccountID+":user/sandbox" ||
		len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "team" {
		t.Errorf("template %+v", lt)
	}
	for _, in := range []*ec2.DescribeLaunchTemplatesInput{
		{LaunchTemplateIds: []string{id}},
		{Filters: []types.Filter{filter("launch-template-name", "winami-*")}},
		{Filters: []types.Filter{filter("tag:team", "platform")}},
		{MaxResults: aws.Int32(1), Filters: []types.Filter{filter("launch-template-name", nodesTemplate)}},
	} {
		got, err := c.DescribeLaunchTemplates(t.Context(), in)
		if err != nil || len(got.LaunchTemplates) != 1 || aws.ToString(got.LaunchTemplates[0].LaunchTemplateId) != id {
			t.Errorf("%+v: %+v, %v", in, got, err)
		}
	}
	none, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{}, inRegion("ap-south-1"))
	if err != nil || len(none.LaunchTemplates) != 0 {
		t.Errorf("ap-south-1: %+v, %v", none, err)
	}
	// Each region's template is its own.
	if other := templateID(t, c, inRegion("us-west-2")); other == id {
		t.Errorf("us-west-2 shares the template ID %s", id)
	}
}

func TestDescribeLaunchTemplatesErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"windows"}})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{nodesTemplate}}, inRegion("eu-west-1"))
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{"lt-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{nodesTemplate}})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template, winami-windows-nodes, is malformed.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"a b"}})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateName.MalformedException",
		"A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{MaxResults: aws.Int32(201)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Value ( 201 ) for parameter maxResults is invalid. Expecting a value less than 200.")
	_, err = c.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}

func versionNumbers(vs []types.LaunchTemplateVersion) []int64 {
	var out []int64
	for _, v := range vs {
		out = append(out, aws.ToInt64(v.VersionNumber))
	}
	return out
}

func TestDescribeLaunchTemplateVersions(t *testing.T) {
	_, c := start(t)
	id := templateID(t, c)
	out, err := c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String(nodesTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if got := versionNumbers(out.LaunchTemplateVersions); !slices.Equal(got, []int64{2, 1}) {
		t.Fatalf("versions %v, want newest first [2 1]", got)
	}
	v2, v1 := out.LaunchTemplateVersions[0], out.LaunchTemplateVersions[1]
	for _, v := range out.LaunchTemplateVersions {
		d := v.LaunchTemplateData
		if aws.ToString(v.LaunchTemplateId) != id || aws.ToString(v.LaunchTemplateName) != nodesTemplate || d == nil ||
			d.InstanceType != types.InstanceTypeM6iLarge || !regexp.MustCompile(`^ami-[0-9a-f]{17}$`).MatchString(aws.ToString(d.ImageId)) ||
			v.CreateTime == nil || aws.ToString(v.VersionDescription) == "" {
			t.Errorf("version %+v / %+v", v, d)
		}
	}
	if !aws.ToBool(v1.DefaultVersion) || aws.ToBool(v2.DefaultVersion) {
		t.Errorf("default flags: v1 %v, v2 %v", aws.ToBool(v1.DefaultVersion), aws.ToBool(v2.DefaultVersion))
	}
	if len(v1.LaunchTemplateData.BlockDeviceMappings) != 0 {
		t.Errorf("v1 maps %+v", v1.LaunchTemplateData.BlockDeviceMappings)
	}
	bdm := v2.LaunchTemplateData.BlockDeviceMappings
	if len(bdm) != 1 || aws.ToString(bdm[0].DeviceName) != "/dev/sda1" || bdm[0].Ebs == nil ||
		aws.ToInt32(bdm[0].Ebs.VolumeSize) != 100 || bdm[0].Ebs.VolumeType != types.VolumeTypeGp3 ||
		!aws.ToBool(bdm[0].Ebs.DeleteOnTermination) || !aws.ToBool(bdm[0].Ebs.Encrypted) || bdm[0].Ebs.SnapshotId != nil {
		t.Errorf("v2 root mapping %+v", bdm)
	}
}

func TestDescribeLaunchTemplateVersionsSelection(t *testing.T) {
	_, c := start(t)
	id := templateID(t, c)
	cases := []struct {
		what string
		in   *ec2.DescribeLaunchTemplateVersionsInput
		want []int64
	}{
		{"$Default", &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"$Default"}}, []int64{1}},
		{"$Latest", &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"$Latest"}}, []int64{2}},
		{"numbers", &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"1", "2"}}, []int64{2, 1}},
		{"min", &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), MinVersion: aws.String("2")}, []int64{2}},
		{"max", &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), MaxVersion: aws.String("1")}, []int64{1}},
		{"is-default-version", &ec2.DescribeLaunchTemplateVersionsInput{
			LaunchTemplateId: aws.String(id), Filters: []types.Filter{filter("is-default-version", "false")},
		}, []int64{2}},
		// The demo EKS cluster's template (one version), then winami-windows-nodes.
		{"$Latest of every template", &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest"}}, []int64{1, 2}},
	}
	for _, tt := range cases {
		out, err := c.DescribeLaunchTemplateVersions(t.Context(), tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.what, err)
		}
		if got := versionNumbers(out.LaunchTemplateVersions); !slices.Equal(got, tt.want) {
			t.Errorf("%s: versions %v, want %v", tt.what, got, tt.want)
		}
	}
}

func TestDescribeLaunchTemplateVersionsPages(t *testing.T) {
	_, c := start(t)
	pager := ec2.NewDescribeLaunchTemplateVersionsPaginator(c, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateName: aws.String(nodesTemplate), MaxResults: aws.Int32(1),
	})
	var got []int64
	pages := 0
	for pager.HasMorePages() {
		out, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, versionNumbers(out.LaunchTemplateVersions)...)
	}
	if !slices.Equal(got, []int64{2, 1}) || pages != 2 {
		t.Errorf("%v in %d pages, want [2 1] in 2", got, pages)
	}
}

func TestDescribeLaunchTemplateVersionsErrors(t *testing.T) {
	_, c := start(t)
	id := templateID(t, c)
	_, err := c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String("windows")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name windows, does not exist.")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("lt-0123456789abcdef0")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String("nodes")})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.Malformed", "The specified ID for the launch template, nodes, is malformed.")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"3"}})
	sandboxtest.WantAPIError(t, err, "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version 3 for launch template "+id+".")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), Versions: []string{"latest"}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Value (latest) for parameter version is invalid.")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"1"}})
	sandboxtest.WantAPIError(t, err, "MissingParameter", "The request must contain the parameter launchTemplateName or launchTemplateId")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: aws.String(id), LaunchTemplateName: aws.String(nodesTemplate),
	})
	sandboxtest.WantAPIError(t, err, "InvalidParameterCombination", "The parameters launchTemplateId and launchTemplateName cannot be used together.")
	_, err = c.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(id), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}
