package iam_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var clock = time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC)

const account = world.DefaultAccountID

func start(t *testing.T) (*sandbox.Server, *iam.Client) {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }})
	return srv, iam.NewFromConfig(cfg)
}

// wantError checks the AWS error code, message and HTTP status.
func wantError(t *testing.T, err error, code, msg string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want AWS error %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("got %s: %q\nwant %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("status: got %v, want %d", err, status)
	}
}

var (
	roleIDPattern    = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	profileIDPattern = regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`)
)

// decodePolicy undoes IAM's URL encoding of policy documents and parses the JSON.
func decodePolicy(t *testing.T, enc string) map[string]any {
	t.Helper()
	if strings.ContainsAny(enc, `{}" :`) {
		t.Fatalf("policy document %q is not URL-encoded", enc)
	}
	raw, err := url.QueryUnescape(enc)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("policy %q: %v", raw, err)
	}
	return doc
}

func trustedService(t *testing.T, enc string) string {
	t.Helper()
	doc := decodePolicy(t, enc)
	stmts, _ := doc["Statement"].([]any)
	if len(stmts) != 1 {
		t.Fatalf("trust policy %v", doc)
	}
	st := stmts[0].(map[string]any)
	principal, _ := st["Principal"].(map[string]any)
	if st["Effect"] != "Allow" || st["Action"] != "sts:AssumeRole" {
		t.Fatalf("trust statement %v", st)
	}
	svc, _ := principal["Service"].(string)
	return svc
}

func TestGetRole(t *testing.T) {
	_, c := start(t)
	out, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("winami-build")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.RoleName) != "winami-build" || aws.ToString(r.Path) != "/" ||
		aws.ToString(r.Arn) != "arn:aws:iam::"+account+":role/winami-build" ||
		!roleIDPattern.MatchString(aws.ToString(r.RoleId)) || aws.ToInt32(r.MaxSessionDuration) != 3600 ||
		r.CreateDate == nil || r.CreateDate.Year() != 2026 || r.RoleLastUsed == nil {
		t.Errorf("role %+v", r)
	}
	if svc := trustedService(t, aws.ToString(r.AssumeRolePolicyDocument)); svc != "ec2.amazonaws.com" {
		t.Errorf("trusts %q", svc)
	}
}

func TestGetRoleServiceLinked(t *testing.T) {
	_, c := start(t)
	out, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForImageBuilder")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Path) != "/aws-service-role/imagebuilder.amazonaws.com/" ||
		aws.ToString(r.Arn) != "arn:aws:iam::"+account+":role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder" {
		t.Errorf("role %+v", r)
	}
	if svc := trustedService(t, aws.ToString(r.AssumeRolePolicyDocument)); svc != "imagebuilder.amazonaws.com" {
		t.Errorf("trusts %q", svc)
	}
	_, err = c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForEC2FastLaunch")})
	wantError(t, err, "NoSuchEntity", "The role with name AWSServiceRoleForEC2FastLaunch cannot be found.", 404)
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("%T is not the SDK's NoSuchEntityException", err)
	}
}

func TestGetRoleErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("nope")})
	wantError(t, err, "NoSuchEntity", "The role with name nope cannot be found.", 404)
	_, err = c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("bad name")})
	wantError(t, err, "ValidationError",
		`1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
	_, err = c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(strings.Repeat("r", 65))})
	wantError(t, err, "ValidationError",
		"1 validation error detected: Value '"+strings.Repeat("r", 65)+"' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64", 400)
}

func TestGetInstanceProfile(t *testing.T) {
	_, c := start(t)
	for _, tt := range []struct {
		name     string
		policies []string
	}{
		{"winami-build", []string{"AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder"}},
		{"legacy-build", []string{"EC2InstanceProfileForImageBuilder"}},
		{"winami-build-no-ecr", []string{"AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder"}},
	} {
		out, err := c.GetInstanceProfile(t.Context(), &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(tt.name)})
		if err != nil {
			t.Fatal(err)
		}
		p := out.InstanceProfile
		if aws.ToString(p.InstanceProfileName) != tt.name || aws.ToString(p.Path) != "/" ||
			aws.ToString(p.Arn) != "arn:aws:iam::"+account+":instance-profile/"+tt.name ||
			!profileIDPattern.MatchString(aws.ToString(p.InstanceProfileId)) || p.CreateDate == nil {
			t.Errorf("profile %+v", p)
		}
		if len(p.Roles) != 1 || aws.ToString(p.Roles[0].RoleName) != tt.name {
			t.Fatalf("roles %+v", p.Roles)
		}
		if svc := trustedService(t, aws.ToString(p.Roles[0].AssumeRolePolicyDocument)); svc != "ec2.amazonaws.com" {
			t.Errorf("%s trusts %q", tt.name, svc)
		}
		att, err := c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(tt.name)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range att.AttachedPolicies {
			names = append(names, aws.ToString(a.PolicyName))
			if aws.ToString(a.PolicyArn) != "arn:aws:iam::aws:policy/"+aws.ToString(a.PolicyName) {
				t.Errorf("policy %s has ARN %s", aws.ToString(a.PolicyName), aws.ToString(a.PolicyArn))
			}
		}
		if !slices.Equal(names, tt.policies) || att.IsTruncated {
			t.Errorf("%s: attached %v (truncated %v), want %v", tt.name, names, att.IsTruncated, tt.policies)
		}
	}
	_, err := c.GetInstanceProfile(t.Context(), &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("missing")})
	wantError(t, err, "NoSuchEntity", "Instance Profile missing cannot be found.", 404)
}

func TestListInstanceProfilesPages(t *testing.T) {
	_, c := start(t)
	var names []string
	pages := 0
	pager := iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(1)})
	for pager.HasMorePages() {
		out, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, p := range out.InstanceProfiles {
			names = append(names, aws.ToString(p.InstanceProfileName))
		}
		if pages < 3 && (!out.IsTruncated || aws.ToString(out.Marker) == "") {
			t.Errorf("page %d: truncated %v marker %q", pages, out.IsTruncated, aws.ToString(out.Marker))
		}
	}
	if want := []string{"legacy-build", "winami-build", "winami-build-no-ecr"}; !slices.Equal(names, want) || pages != 3 {
		t.Errorf("got %v in %d pages, want %v in 3", names, pages, want)
	}
	out, err := c.ListInstanceProfiles(t.Context(), &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/team/")})
	if err != nil || len(out.InstanceProfiles) != 0 || out.IsTruncated {
		t.Errorf("path /team/: %+v, %v", out, err)
	}
	_, err = c.ListInstanceProfiles(t.Context(), &iam.ListInstanceProfilesInput{Marker: aws.String("!!")})
	wantError(t, err, "ValidationError", "Invalid Marker.", 400)
	_, err = c.ListInstanceProfiles(t.Context(), &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(1001)})
	wantError(t, err, "ValidationError",
		"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", 400)
}

func TestListInstanceProfilesForRole(t *testing.T) {
	_, c := start(t)
	out, err := c.ListInstanceProfilesForRole(t.Context(), &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("legacy-build")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceProfiles) != 1 || aws.ToString(out.InstanceProfiles[0].InstanceProfileName) != "legacy-build" {
		t.Errorf("profiles %+v", out.InstanceProfiles)
	}
	out, err = c.ListInstanceProfilesForRole(t.Context(), &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("AWSServiceRoleForImageBuilder")})
	if err != nil || len(out.InstanceProfiles) != 0 {
		t.Errorf("service-linked role in profiles %+v, %v", out, err)
	}
	_, err = c.ListInstanceProfilesForRole(t.Context(), &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ghost")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)
}

func TestInlinePolicies(t *testing.T) {
	_, c := start(t)
	list, err := c.ListRolePolicies(t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String("winami-build")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.PolicyNames, []string{"winami-build-logs"}) || list.IsTruncated {
		t.Fatalf("inline policies %v", list.PolicyNames)
	}
	got, err := c.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String("winami-build"), PolicyName: aws.String("winami-build-logs")})
	if err != nil {
		t.Fatal(err)
	}
	doc := decodePolicy(t, aws.ToString(got.PolicyDocument))
	if doc["Version"] != "2012-10-17" || aws.ToString(got.RoleName) != "winami-build" || aws.ToString(got.PolicyName) != "winami-build-logs" {
		t.Errorf("policy %+v: %v", got, doc)
	}
	_, err = c.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String("winami-build"), PolicyName: aws.String("other")})
	wantError(t, err, "NoSuchEntity", "The role policy with name other cannot be found.", 404)
	_, err = c.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("other")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)
	empty, err := c.ListRolePolicies(t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String("legacy-build")})
	if err != nil || len(empty.PolicyNames) != 0 {
		t.Errorf("legacy-build inline policies %+v, %v", empty, err)
	}
	_, err = c.ListRolePolicies(t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String("ghost")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)
}

func TestListAttachedRolePoliciesPathPrefix(t *testing.T) {
	_, c := start(t)
	out, err := c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{
		RoleName: aws.String("AWSServiceRoleForImageBuilder"), PathPrefix: aws.String("/aws-service-role/"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AttachedPolicies) != 1 || aws.ToString(out.AttachedPolicies[0].PolicyName) != "AWSServiceRoleForImageBuilder" {
		t.Errorf("attached %+v", out.AttachedPolicies)
	}
	out, err = c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{
		RoleName: aws.String("winami-build"), PathPrefix: aws.String("/aws-service-role/"),
	})
	if err != nil || len(out.AttachedPolicies) != 0 {
		t.Errorf("winami-build under /aws-service-role/: %+v, %v", out, err)
	}
	_, err = c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ghost")})
	wantError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)
	_, err = c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("winami-build"), PathPrefix: aws.String("no-slash")})
	wantError(t, err, "ValidationError",
		`1 validation error detected: Value 'no-slash' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`, 400)
}

func TestCreateServiceLinkedRole(t *testing.T) {
	srv, c := start(t)
	out, err := c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ec2fastlaunch.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.RoleName) != "AWSServiceRoleForEC2FastLaunch" || aws.ToString(r.Path) != "/aws-service-role/ec2fastlaunch.amazonaws.com/" ||
		!roleIDPattern.MatchString(aws.ToString(r.RoleId)) || r.CreateDate == nil || !r.CreateDate.Equal(clock) {
		t.Errorf("role %+v", r)
	}
	got, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForEC2FastLaunch")})
	if err != nil || aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) {
		t.Fatalf("GetRole after create: %+v, %v", got, err)
	}
	att, err := c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
	if err != nil || len(att.AttachedPolicies) != 1 ||
		aws.ToString(att.AttachedPolicies[0].PolicyArn) != "arn:aws:iam::aws:policy/aws-service-role/EC2FastLaunchServiceRolePolicy" {
		t.Errorf("attached %+v, %v", att, err)
	}
	var slr *world.Role
	_ = srv.Store().View(func(w *world.World) error { slr = w.IAM.Roles["AWSServiceRoleForEC2FastLaunch"]; return nil })
	if slr == nil || !slr.ServiceLinked {
		t.Errorf("world role %+v", slr)
	}

	_, err = c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ec2fastlaunch.amazonaws.com")})
	wantError(t, err, "InvalidInput",
		"Service role name AWSServiceRoleForEC2FastLaunch has been taken in this account, please try a different suffix.", 400)
	_, err = c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("imagebuilder.amazonaws.com")})
	wantError(t, err, "InvalidInput",
		"Service role name AWSServiceRoleForImageBuilder has been taken in this account, please try a different suffix.", 400)
	_, err = c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{
		AWSServiceName: aws.String("imagebuilder.amazonaws.com"), CustomSuffix: aws.String("x"),
	})
	wantError(t, err, "InvalidInput", "Custom suffix is not allowed for imagebuilder.amazonaws.com", 400)
}

// The role EC2 creates on first use has the same ID in every sandbox.
func TestServiceLinkedRoleIDIsStable(t *testing.T) {
	var ids []string
	for range 2 {
		_, c := start(t)
		out, err := c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ec2fastlaunch.amazonaws.com")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.Role.RoleId))
	}
	if ids[0] != ids[1] {
		t.Errorf("IDs %v differ", ids)
	}
}

// IAM is global: a client of any region sees the same roles.
func TestIAMIsGlobal(t *testing.T) {
	_, c := start(t)
	out, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("winami-build")}, func(o *iam.Options) { o.Region = "ap-south-1" })
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Role.Arn) != "arn:aws:iam::"+account+":role/winami-build" {
		t.Errorf("ARN %s", aws.ToString(out.Role.Arn))
	}
}

// TestSecondAccountIAM: the partner account has its own IAM, without the
// default account's roles and without the Fast Launch service-linked role.
func TestSecondAccountIAM(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }})
	c := iam.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))
	for _, role := range []string{"winami-build", "AWSServiceRoleForEC2FastLaunch"} {
		_, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(role)})
		wantError(t, err, "NoSuchEntity", "The role with name "+role+" cannot be found.", 404)
	}
	out, err := c.CreateServiceLinkedRole(t.Context(), &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ec2fastlaunch.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(out.Role.Arn); arn != "arn:aws:iam::"+world.PartnerAccountID+":role/aws-service-role/ec2fastlaunch.amazonaws.com/AWSServiceRoleForEC2FastLaunch" {
		t.Errorf("ARN %s", arn)
	}
	// The default account still lacks it.
	_, err = iam.NewFromConfig(cfg).GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForEC2FastLaunch")})
	wantError(t, err, "NoSuchEntity", "The role with name AWSServiceRoleForEC2FastLaunch cannot be found.", 404)
}
