package preflight_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// Preflight runs fast-launch enable's checks in every distribution region:
// a region without a default VPC and no launch template fails here, not
// after the whole build (issue 10, item 2).
func TestFastLaunchEveryRegion(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	fl := func(extra string) string {
		return "distribution: {regions: [us-east-1, " + world.NoDefaultVPCRegion + "], fastLaunch: {enabled: true, targetSnapshots: 5, maxParallelLaunches: 6" + extra + "}}\n"
	}
	rep := run(t, cfg, specFor("winami-build", fl("")))
	want(t, rep, preflight.IDFastLaunchVPC+"us-east-1", preflight.Pass, "")
	c := want(t, rep, preflight.IDFastLaunchVPC+world.NoDefaultVPCRegion, preflight.Fail, "",
		"name a launch template in distribution.fastLaunch.launchTemplate whose network interface names a subnet of ap-south-1",
		"aws ec2 create-default-vpc --region ap-south-1")
	if !strings.Contains(c.Detail, "ap-south-1 has no default VPC") {
		t.Errorf("detail %q", c.Detail)
	}
	q := want(t, rep, preflight.IDFastLaunchQuota+world.NoDefaultVPCRegion, preflight.Pass, "")
	if q.Detail != "6 for the new AMI + 0 in use by other AMIs = 6 of 40" {
		t.Errorf("quota detail %q", q.Detail)
	}
	if !rep.Failed() {
		t.Error("the report does not fail, so apply and build would go on")
	}

	// The AMIs with Fast Launch already count against the region's quota.
	own, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "us-east-1" }).DescribeImages(t.Context(), &ec2.DescribeImagesInput{
		Owners: []string{"self"}, Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"winami-demo-*"}}},
	})
	if err != nil || len(own.Images) == 0 {
		t.Fatalf("own AMI: %v", err)
	}
	_, err = awsapi.NewClients(cfg).EC2("us-east-1").EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{
		ImageId: own.Images[0].ImageId, MaxParallelLaunches: aws.Int32(36), ResourceType: aws.String("snapshot"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rep = run(t, cfg, specFor("winami-build", fl("")))
	c = want(t, rep, preflight.IDFastLaunchQuota+"us-east-1", preflight.Fail, "", "disable Fast Launch on an AMI you no longer launch")
	if !strings.Contains(c.Detail, "(36 in use by other AMIs), above the quota of 40") {
		t.Errorf("quota detail %q", c.Detail)
	}
}

// A launch template is looked for in each region, by name or ID.
func TestFastLaunchTemplateEveryRegion(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor("winami-build",
		"distribution: {regions: [us-east-1, ap-south-1], fastLaunch: {enabled: true, maxParallelLaunches: 6, launchTemplate: '"+world.WindowsNodesLaunchTemplate+":1'}}\n"))
	want(t, rep, preflight.IDLaunchTemplate+"us-east-1", preflight.Pass, "")
	want(t, rep, preflight.IDLaunchTemplate+"ap-south-1", preflight.Fail, "", "aws ec2 create-launch-template --region ap-south-1 --launch-template-name "+world.WindowsNodesLaunchTemplate)
	for _, ch := range rep.Checks {
		if strings.HasPrefix(ch.ID, preflight.IDFastLaunchVPC) {
			t.Errorf("with a launch template the default VPC is not needed: %+v", ch)
		}
	}
}

// Another account of fastLaunch.accounts cannot be read with the caller's
// credentials: a warning says what to check there, and the caller's own
// regions are not checked when the caller's account is not listed.
func TestFastLaunchOtherAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor("winami-build",
		"distribution: {regions: [us-east-1, ap-south-1], fastLaunch: {enabled: true, maxParallelLaunches: 6, accounts: ['"+world.PartnerAccountID+"']}}\n"))
	c := want(t, rep, preflight.IDFastLaunchAccount+world.PartnerAccountID, preflight.Warn, preflight.MethodUnknown,
		"aws ec2 describe-vpcs --filters Name=is-default,Values=true --region R", "aws iam get-role --role-name AWSServiceRoleForEC2FastLaunch")
	if !strings.Contains(c.Detail, "us-east-1, ap-south-1") {
		t.Errorf("detail %q", c.Detail)
	}
	for _, ch := range rep.Checks {
		if strings.HasPrefix(ch.ID, preflight.IDFastLaunchVPC) || ch.ID == preflight.IDSLRFastLaunch {
			t.Errorf("the caller's account gets no Fast Launch: %+v", ch)
		}
	}
	rep = run(t, cfg, specFor("winami-build",
		"distribution: {regions: [us-east-1, ap-south-1], fastLaunch: {enabled: true, maxParallelLaunches: 6, accounts: ['111122223333', '"+world.PartnerAccountID+"']}}\n"))
	want(t, rep, preflight.IDFastLaunchVPC+"ap-south-1", preflight.Fail, "")
	want(t, rep, preflight.IDFastLaunchAccount+world.PartnerAccountID, preflight.Warn, "")
}
