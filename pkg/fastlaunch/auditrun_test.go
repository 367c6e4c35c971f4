package fastlaunch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/fastlaunch"
)

const partnerAcct = "444455556666"

func image(id, owner string) types.Image {
	return types.Image{ImageId: aws.String(id), OwnerId: aws.String(owner), Name: aws.String(id + "-name"), RootDeviceName: aws.String("/dev/sda1")}
}

// audit is an AccountAudit of account me in two regions, counting the
// calls of Others.
func audit(f *fakeEC2, others map[string]fastlaunch.OtherAccount, out *strings.Builder) (*fastlaunch.AccountAudit, *int) {
	calls := 0
	return &fastlaunch.AccountAudit{
		EC2: f.ec2, Account: me, Regions: []string{"us-east-1", "eu-west-1"}, Out: out,
		Others: func(context.Context) (map[string]fastlaunch.OtherAccount, error) { calls++; return others, nil },
	}, &calls
}

func kinds(fs []fastlaunch.AuditFinding) string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Severity)+":"+f.Kind)
	}
	return strings.Join(out, " ")
}

func TestAuditTemplatesOnly(t *testing.T) {
	f := newFake()
	f.images["us-east-1"] = []types.Image{image("ami-1", me)}
	f.states["us-east-1/ami-1"] = []string{"enabled"}
	f.versions["us-east-1"] = []types.LaunchTemplateVersion{{
		LaunchTemplateName: aws.String("nodes"), VersionNumber: aws.Int64(2),
		LaunchTemplateData: &types.ResponseLaunchTemplateData{ImageId: aws.String("ami-1"), BlockDeviceMappings: []types.LaunchTemplateBlockDeviceMapping{
			{DeviceName: aws.String("/dev/sda1"), Ebs: &types.LaunchTemplateEbsBlockDevice{VolumeSize: aws.Int32(100)}},
		}},
	}}
	var out strings.Builder
	a, others := audit(f, nil, &out)
	fs, err := a.Run(t.Context(), nil, []fastlaunch.LaunchTemplate{{Name: "nodes"}})
	if err != nil || kinds(fs) != "fail:root-volume-mapping" || fs[0].Subject != "launch template nodes version 2 in us-east-1" {
		t.Fatalf("%+v, %v", fs, err)
	}
	// The template read in both regions, its one AMI's Fast Launch once;
	// no AMI of the account listed, no sharing read, no profile resolved.
	if f.count("DescribeLaunchTemplateVersions") != 2 || f.count("DescribeImages") != 1 || f.count("DescribeFastLaunchImages us-east-1 ami-1") != 1 ||
		f.count("DescribeFastLaunchImages") != 1 || f.count("DescribeImageAttribute") != 0 || *others != 0 || out.Len() != 0 {
		t.Errorf("calls %v, Others called %d times, out %q", f.calls, *others, out.String())
	}
}

func TestAuditNothingWithFastLaunch(t *testing.T) {
	f := newFake()
	var out strings.Builder
	a, others := audit(f, nil, &out)
	fs, err := a.Run(t.Context(), nil, nil)
	if err != nil || len(fs) != 0 {
		t.Fatalf("%+v, %v", fs, err)
	}
	if got := out.String(); got != "No AMI of account "+me+" has Fast Launch in [us-east-1 eu-west-1]: name AMIs with --ami.\n" {
		t.Errorf("notice: %q", got)
	}
	// One listing of each region, nothing else.
	if f.count("DescribeFastLaunchImages us-east-1") != 1 || f.count("DescribeFastLaunchImages eu-west-1") != 1 || len(f.calls) != 2 || *others != 0 {
		t.Errorf("calls %v, Others %d", f.calls, *others)
	}
}

func TestAuditEveryAMIWithFastLaunch(t *testing.T) {
	f := newFake()
	f.images["eu-west-1"] = []types.Image{image("ami-1", me)}
	f.states["eu-west-1/ami-1"] = []string{"enabling-failed"}
	f.reasons["eu-west-1/ami-1"] = "quota"
	var out strings.Builder
	a, _ := audit(f, nil, &out)
	fs, err := a.Run(t.Context(), nil, nil)
	if err != nil || kinds(fs) != "fail:failed" || fs[0].Subject != "ami-1 in eu-west-1" || out.Len() != 0 {
		t.Fatalf("%+v, %v, %q", fs, err, out.String())
	}
}

func TestAuditSharedWithAnAccountWithoutProfile(t *testing.T) {
	f := newFake()
	f.images["us-east-1"] = []types.Image{image("ami-1", me)}
	f.states["us-east-1/ami-1"] = []string{"enabled"}
	f.sharedWith["us-east-1/ami-1"] = []string{partnerAcct}
	a, others := audit(f, map[string]fastlaunch.OtherAccount{}, &strings.Builder{})
	fs, err := a.Run(t.Context(), []string{"ami-1"}, nil)
	if err != nil || kinds(fs) != "warn:shared-unchecked" || fs[0].Subject != "ami-1 in us-east-1, account "+partnerAcct {
		t.Fatalf("%+v, %v", fs, err)
	}
	// Located in 2 regions, its Fast Launch, templates and sharing read once.
	if f.count("DescribeImages") != 2 || f.count("DescribeFastLaunchImages") != 1 || f.count("DescribeLaunchTemplateVersions") != 1 ||
		f.count("DescribeImageAttribute us-east-1 ami-1") != 1 || *others != 1 {
		t.Errorf("calls %v, Others %d", f.calls, *others)
	}
}

func TestAuditSharedWithAProfile(t *testing.T) {
	f := newFake()
	f.images["us-east-1"] = []types.Image{image("ami-1", me)}
	f.states["us-east-1/ami-1"] = []string{"enabled"}
	f.sharedWith["us-east-1/ami-1"] = []string{partnerAcct}
	partner := newFake() // no Fast Launch in the partner account
	a, _ := audit(f, map[string]fastlaunch.OtherAccount{partnerAcct: {Profile: "partner", EC2: partner.ec2}}, &strings.Builder{})
	fs, err := a.Run(t.Context(), []string{"ami-1"}, nil)
	if err != nil || kinds(fs) != "fail:shared-not-enabled" || fs[0].Fix != "winami --profile partner fast-launch enable ami-1 --regions us-east-1 --wait" {
		t.Fatalf("%+v, %v", fs, err)
	}
	if partner.count("DescribeFastLaunchImages us-east-1 ami-1") != 1 || len(partner.calls) != 1 {
		t.Errorf("partner's calls: %v", partner.calls)
	}
	partner.states["us-east-1/ami-1"] = []string{"enabling"}
	if fs, err = a.Run(t.Context(), []string{"ami-1"}, nil); err != nil || len(fs) != 0 {
		t.Errorf("enabling in the partner account: %+v, %v", fs, err)
	}
}

func TestAuditAMINotOwnedSharingNotRead(t *testing.T) {
	f := newFake()
	f.images["us-east-1"] = []types.Image{image("ami-1", partnerAcct)} // shared with me
	f.states["us-east-1/ami-1"] = []string{"enabled"}
	f.sharedWith["us-east-1/ami-1"] = []string{me}
	a, _ := audit(f, nil, &strings.Builder{})
	fs, err := a.Run(t.Context(), []string{"ami-1"}, nil)
	if err != nil || len(fs) != 0 {
		t.Fatalf("%+v, %v", fs, err)
	}
	if n := f.count("DescribeImageAttribute"); n != 0 || f.count("DescribeFastLaunchImages") != 1 {
		t.Errorf("calls %v", f.calls)
	}
}
