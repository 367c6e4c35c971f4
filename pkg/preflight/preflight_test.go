package preflight_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// run parses a spec and runs preflight against the sandbox as cfg's caller.
func run(t *testing.T, cfg aws.Config, yaml string) preflight.Report {
	t.Helper()
	s, err := spec.Parse("winami.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("spec: %v", err)
	}
	return preflight.Run(t.Context(), preflight.DepsFromClients(awsapi.NewClients(cfg)), s)
}

func check(t *testing.T, rep preflight.Report, id string) preflight.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Fatalf("no check %s in\n%s", id, b)
	return preflight.Check{}
}

func want(t *testing.T, rep preflight.Report, id string, status preflight.Status, method preflight.Method, fixHas ...string) preflight.Check {
	t.Helper()
	c := check(t, rep, id)
	if c.Status != status {
		t.Errorf("%s: status %s (%s), want %s", id, c.Status, c.Detail, status)
	}
	if method != "" && c.Method != method {
		t.Errorf("%s: method %q, want %q", id, c.Method, method)
	}
	for _, s := range fixHas {
		if !strings.Contains(c.Fix, s) {
			t.Errorf("%s: fix lacks %q:\n%s", id, s, c.Fix)
		}
	}
	return c
}

const ecrImage = "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2"

func specFor(profile string, extra string) string {
	return `apiVersion: winami/v1alpha1
kind: ImageSpec
name: pf
region: us-east-1
base: {windows: 2022, edition: core}
kubernetes: {version: "1.35"}
build: {instanceProfile: ` + profile + `}
` + extra
}

func TestCompleteRolePasses(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor("winami-build", "cache: {images: ['"+ecrImage+"']}\ndistribution: {regions: [us-east-1, eu-west-1]}\n"))
	if rep.Failed() {
		b, _ := json.MarshalIndent(rep, "", "  ")
		t.Fatalf("failed:\n%s", b)
	}
	want(t, rep, preflight.IDIdentity, preflight.Pass, "")
	want(t, rep, preflight.IDRegionPrefix+"eu-west-1", preflight.Pass, "")
	want(t, rep, preflight.IDRoleTrust, preflight.Pass, "")
	want(t, rep, preflight.IDRoleImageBuilder, preflight.Pass, preflight.MethodSimulate)
	want(t, rep, preflight.IDRoleSSM, preflight.Pass, preflight.MethodSimulate)
	want(t, rep, preflight.IDRoleECRPull, preflight.Pass, preflight.MethodSimulate)
	want(t, rep, preflight.IDSLRImageBuilder, preflight.Pass, "")
	want(t, rep, preflight.IDParentImage, preflight.Pass, "")
	want(t, rep, preflight.IDCallerPermissions, preflight.Pass, preflight.MethodSimulate)
	want(t, rep, preflight.IDCallerEC2, preflight.Pass, preflight.MethodDryRun)
	if rep.Caller != "arn:aws:iam::111122223333:user/sandbox" {
		t.Errorf("caller %q", rep.Caller)
	}
}

func TestRoleWithoutECRPullFailsWithPolicy(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor(world.NoECRBuildRoleName, "cache: {images: ['"+ecrImage+"']}\n"))
	if !rep.Failed() {
		t.Fatal("not failed")
	}
	c := want(t, rep, preflight.IDRoleECRPull, preflight.Fail, preflight.MethodSimulate,
		`"ecr:GetAuthorizationToken"`, "arn:aws:ecr:us-east-1:111122223333:repository/payments/api",
		"aws iam put-role-policy --role-name winami-build-no-ecr --policy-name winami-ecr-pull",
		"AmazonEC2ContainerRegistryPullOnly")
	if !strings.Contains(c.Detail, "ecr:BatchGetImage") {
		t.Errorf("detail %q", c.Detail)
	}
	// The fix's policy is a valid document.
	start, end := strings.Index(c.Fix, "{"), strings.LastIndex(c.Fix, "}")
	var doc map[string]any
	if err := json.Unmarshal([]byte(c.Fix[start : end+1][:strings.Index(c.Fix[start:], "\nand")]), &doc); err != nil {
		t.Errorf("fix policy: %v", err)
	}
	want(t, rep, preflight.IDRoleSSM, preflight.Pass, "")
}

func TestLegacyRoleFailsSSM(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor(world.LegacyBuildRoleName, ""))
	want(t, rep, preflight.IDRoleSSM, preflight.Fail, preflight.MethodSimulate,
		"aws iam attach-role-policy --role-name legacy-build --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
	want(t, rep, preflight.IDRoleImageBuilder, preflight.Pass, "")
	// The caller may pass only winami-* roles.
	c := want(t, rep, preflight.IDCallerPermissions, preflight.Fail, preflight.MethodSimulate, `"iam:PassRole"`)
	if !strings.Contains(c.Detail, "role/legacy-build") {
		t.Errorf("detail %q", c.Detail)
	}
}

func TestMissingInstanceProfile(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rep := run(t, cfg, specFor("no-such-profile", ""))
	want(t, rep, preflight.IDInstanceProfile, preflight.Fail, "", "aws iam create-instance-profile --instance-profile-name no-such-profile")
	for _, c := range rep.Checks {
		if c.ID == preflight.IDRoleSSM {
			t.Errorf("role checks ran without a role: %+v", c)
		}
	}
}

func TestNetwork(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	var subnet, subnetC, sg string
	// A second VPC with its own group: the seeded world has one VPC per
	// region, so the test adds what a real account often has.
	err := srv.Store().Update(func(w *world.World) error {
		r := w.Regions["us-east-1"]
		for id, s := range r.Subnets {
			if strings.HasSuffix(s.AvailabilityZone, "a") {
				subnet = id
			}
			if strings.HasSuffix(s.AvailabilityZone, "c") {
				subnetC = id
			}
		}
		for id := range r.SecurityGroups {
			sg = id
		}
		r.VPCs["vpc-0aaaaaaaaaaaaaaaa"] = &world.VPC{VPCID: "vpc-0aaaaaaaaaaaaaaaa", CIDRBlock: "10.0.0.0/16"}
		r.SecurityGroups["sg-0bbbbbbbbbbbbbbbb"] = &world.SecurityGroup{GroupID: "sg-0bbbbbbbbbbbbbbbb", GroupName: "other", Description: "other", VPCID: "vpc-0aaaaaaaaaaaaaaaa"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	build := func(body string) string {
		return `apiVersion: winami/v1alpha1
kind: ImageSpec
name: pf
region: us-east-1
base: {windows: 2022, edition: core}
kubernetes: {version: "1.35"}
build: {instanceProfile: winami-build, ` + body + `}
`
	}
	t.Run("ok", func(t *testing.T) {
		rep := run(t, cfg, build("subnetId: "+subnet+", securityGroupIds: ["+sg+"], instanceTypes: [m5.xlarge, "+world.UnofferedInstanceType+"]"))
		want(t, rep, preflight.IDSubnet, preflight.Pass, "")
		want(t, rep, preflight.IDSecurityGroups, preflight.Pass, "")
		want(t, rep, preflight.IDInstanceTypes, preflight.Pass, "")
	})
	t.Run("other VPC", func(t *testing.T) {
		rep := run(t, cfg, build("subnetId: "+subnet+", securityGroupIds: [sg-0bbbbbbbbbbbbbbbb]"))
		c := want(t, rep, preflight.IDSecurityGroups, preflight.Fail, "", "Name=vpc-id")
		if !strings.Contains(c.Detail, "vpc-0aaaaaaaaaaaaaaaa") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("missing", func(t *testing.T) {
		rep := run(t, cfg, build("subnetId: subnet-0123456789abcdef0, securityGroupIds: [sg-0123456789abcdef0]"))
		want(t, rep, preflight.IDSubnet, preflight.Fail, "", "aws ec2 describe-subnets")
		want(t, rep, preflight.IDSecurityGroups, preflight.Fail, "")
	})
	t.Run("instance type not offered in the zone", func(t *testing.T) {
		rep := run(t, cfg, build("subnetId: "+subnetC+", securityGroupIds: ["+sg+"], instanceTypes: [m5.xlarge, "+world.UnofferedInstanceType+"]"))
		c := want(t, rep, preflight.IDInstanceTypes, preflight.Fail, "", "describe-instance-type-offerings")
		if !strings.Contains(c.Detail, world.UnofferedInstanceType) || strings.Contains(c.Detail, "m5.xlarge") {
			t.Errorf("detail %q", c.Detail)
		}
	})
	t.Run("instance type unknown in the region", func(t *testing.T) {
		rep := run(t, cfg, build("instanceTypes: [m5.xlarge, x9.huge]"))
		want(t, rep, preflight.IDInstanceTypes, preflight.Fail, "")
	})
}

func TestFastLaunch(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	fl := func(lt string) string {
		return "distribution: {regions: [us-east-1, eu-west-1], fastLaunch: {enabled: true, targetSnapshots: 5, maxParallelLaunches: 6" + lt + "}}\n"
	}
	t.Run("creatable role, template missing in one region", func(t *testing.T) {
		rep := run(t, cfg, specFor("winami-build", fl(", launchTemplate: winami-windows-nodes")))
		want(t, rep, preflight.IDSLRFastLaunch, preflight.Pass, preflight.MethodSimulate)
		want(t, rep, preflight.IDLaunchTemplate+"us-east-1", preflight.Pass, "")
		want(t, rep, preflight.IDLaunchTemplate+"eu-west-1", preflight.Fail, "", "aws ec2 create-launch-template --region eu-west-1")
	})
	t.Run("role missing and not creatable", func(t *testing.T) {
		rep := run(t, sandboxtest.AsAccount(cfg, world.PartnerAccountID), specFor("winami-build", fl("")))
		want(t, rep, preflight.IDSLRFastLaunch, preflight.Fail, preflight.MethodSimulate,
			"aws iam create-service-linked-role --aws-service-name ec2fastlaunch.amazonaws.com")
		want(t, rep, preflight.IDSLRImageBuilder, preflight.Fail, preflight.MethodSimulate,
			"aws iam create-service-linked-role --aws-service-name imagebuilder.amazonaws.com")
	})
}

// noSimulation is the sandbox's IAM as seen by a caller that may not call
// iam:SimulatePrincipalPolicy. The sandbox answers every caller (it
// enforces no caller policy), so the refusal is IAM's, injected here.
type noSimulation struct{ awsapi.IAMAPI }

func (noSimulation) SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "IAM", OperationName: "SimulatePrincipalPolicy", Err: &smithy.GenericAPIError{
		Code: "AccessDenied", Message: "User: arn:aws:iam::111122223333:user/sandbox is not authorized to perform: iam:SimulatePrincipalPolicy"}}
}

// Without iam:SimulatePrincipalPolicy the role's policies are read and
// matched instead, and the caller's own permissions are a warning.
func TestWithoutSimulation(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	runNoSim := func(yaml string) preflight.Report {
		s, err := spec.Parse("winami.yaml", []byte(yaml))
		if err != nil {
			t.Fatalf("spec: %v", err)
		}
		d := preflight.DepsFromClients(awsapi.NewClients(cfg))
		d.IAM = noSimulation{d.IAM}
		return preflight.Run(t.Context(), d, s)
	}
	rep := runNoSim(specFor(world.LegacyBuildRoleName, ""))
	want(t, rep, preflight.IDRoleSSM, preflight.Fail, preflight.MethodAttachedPolicies, "AmazonSSMManagedInstanceCore")
	want(t, rep, preflight.IDRoleImageBuilder, preflight.Pass, preflight.MethodAttachedPolicies)
	want(t, rep, preflight.IDCallerPermissions, preflight.Warn, preflight.MethodUnknown, "winami iam policy --for build")
	want(t, rep, preflight.IDSLRImageBuilder, preflight.Pass, "")
	if !rep.Failed() {
		t.Error("not failed")
	}
	rep = runNoSim(specFor(world.BuildRoleName, "cache: {images: ['"+ecrImage+"']}\n"))
	want(t, rep, preflight.IDRoleECRPull, preflight.Pass, preflight.MethodAttachedPolicies)
	rep = runNoSim(specFor(world.NoECRBuildRoleName, "cache: {images: ['"+ecrImage+"']}\n"))
	want(t, rep, preflight.IDRoleECRPull, preflight.Fail, preflight.MethodAttachedPolicies, "winami-ecr-pull")
}

// brokenSTS refuses the credentials, as STS does for a deleted access key.
type brokenSTS struct{}

func (brokenSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity", Err: &smithy.GenericAPIError{
		Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}}
}

// Without working credentials the report is the one line that says so.
func TestBadCredentials(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	s, err := spec.Parse("winami.yaml", []byte(specFor("winami-build", "")))
	if err != nil {
		t.Fatal(err)
	}
	d := preflight.DepsFromClients(awsapi.NewClients(cfg))
	d.STS = brokenSTS{}
	rep := preflight.Run(t.Context(), d, s)
	if len(rep.Checks) != 1 || !rep.Failed() {
		t.Fatalf("checks %+v", rep.Checks)
	}
	c := want(t, rep, preflight.IDIdentity, preflight.Fail, "", "aws sts get-caller-identity")
	if !strings.Contains(c.Detail, "AWS rejected the credentials") {
		t.Errorf("detail %q", c.Detail)
	}
}

// A partner's repository: the role may pull as far as its own account
// decides, and the repository's policy is a warning with its fix.
func TestCrossAccountRepository(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	partner := world.PartnerAccountID + ".dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10"
	rep := run(t, cfg, specFor("winami-build", "cache: {images: ['"+ecrImage+"', '"+partner+"']}\n"))
	want(t, rep, preflight.IDRoleECRPull, preflight.Pass, preflight.MethodSimulate)
	want(t, rep, preflight.IDECRCrossAccount+world.PartnerAccountID+"/platform/base", preflight.Warn, preflight.MethodUnknown,
		"in account 444455556666: aws ecr set-repository-policy --region eu-west-1 --repository-name platform/base", "arn:aws:iam::111122223333:root")
	if rep.Failed() {
		t.Errorf("failed: %+v", rep.Failures())
	}
}

// A caller whose policies do not allow ec2:DescribeImages is told so by
// EC2's DryRun, without any IAM read.
func TestCallerEC2DryRunDenied(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	_ = srv.Store().Update(func(w *world.World) error {
		u := w.IAMOf(w.AccountID).Users[w.UserNameOf(w.AccountID)]
		u.InlinePolicies = map[string]string{"no-ec2": `{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": ["iam:*", "sts:*", "ssm:*", "imagebuilder:*"], "Resource": "*"},
			{"Effect": "Deny", "Action": "ec2:DescribeImages", "Resource": "*"}]}`}
		u.ManagedPolicyARNs = nil
		return nil
	})
	rep := run(t, cfg, specFor("winami-build", ""))
	want(t, rep, preflight.IDCallerEC2, preflight.Fail, preflight.MethodDryRun, "allow ec2:DescribeImages")
}
