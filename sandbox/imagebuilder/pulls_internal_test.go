package imagebuilder

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/world"
)

func TestSingleQuoted(t *testing.T) {
	script := "# don't read this comment's quotes\n" +
		"Write-Output \"it's a \"\"double\"\" string with `\" and 'quotes'\"\n" +
		"$a = 'don''t stop'; $b = 'mcr.microsoft.com/x:1'\n" +
		"<# a block comment's quote #>\n" +
		"$h = @'\nhere-string's body\n'@\n" +
		"$c = ''"
	want := []string{"don't stop", "mcr.microsoft.com/x:1", ""}
	if got := singleQuoted(script); !slices.Equal(got, want) {
		t.Errorf("singleQuoted = %q, want %q", got, want)
	}
}

func TestImageReference(t *testing.T) {
	for s, want := range map[string]bool{
		"mcr.microsoft.com/windows/servercore:ltsc2022": true,
		"localhost/app:1":      true,
		"localhost:5000/app:1": true,
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api@sha256:" + strings.Repeat("ab", 32): true,
		"a.b/c:t@sha256:" + strings.Repeat("0", 64):                                                    true,
		"mcr.microsoft.com/windows/servercore":                                                         false, // no tag or digest
		"ubuntu:22.04":                                                                                 false, // no registry host
		"library/ubuntu:22.04":                                                                         false,
		"docker.io/nginx:1.27":                                                                         false, // not fully qualified for strict parsing
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com":                                                 false,
		"not found|unauthorized":                                                                       false,
		"Stop":                                                                                         false,
		"":                                                                                             false,
	} {
		if got := imageReference(s); got != want {
			t.Errorf("imageReference(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestRunsOn(t *testing.T) {
	for _, tc := range []struct {
		image string
		host  int
		want  bool
	}{
		{"10.0.17763.7009", 17763, true},
		{"10.0.17763.1", 20348, false},
		{"10.0.20348.3328", 17763, false},
		{"10.0.20348.3328", 20348, true},
		{"10.0.20348.3328", 26100, true},
		{"10.0.26100.3476", 20348, false},
		{"10.0.26100.3476", 26100, true},
		{"10.0.14393.1", 14393, true},
		{"", 20348, true},
		{"garbage", 20348, false},
	} {
		if got := runsOn(tc.image, tc.host); got != tc.want {
			t.Errorf("runsOn(%q, %d) = %v, want %v", tc.image, tc.host, got, tc.want)
		}
	}
}

// fakeImages answers one resolution for every reference.
type fakeImages struct {
	res registry.Resolved
	err error
}

func (f fakeImages) Platforms(string) (registry.Resolved, error) { return f.res, f.err }

// Another account's repository whose policy does not name the sandbox
// account answers 403, even to a role that may pull.
func TestCrossAccountPullDenied(t *testing.T) {
	w := &world.World{AccountID: "111122223333", IAM: world.IAM{
		Roles:            map[string]*world.Role{"r": {Name: "r", ManagedPolicyARNs: []string{ecrReadOnlyPolicy}}},
		InstanceProfiles: map[string]*world.InstanceProfile{"p": {Name: "p", RoleNames: []string{"r"}}},
	}}
	img := &world.ImageBuildVersion{OSBuild: "10.0.20348.1", InfrastructureConfiguration: &world.InfrastructureConfiguration{InstanceProfileName: "p"}}
	ref := "999988887777.dkr.ecr.us-east-1.amazonaws.com/team/app:1"
	res := registry.Resolved{Host: "999988887777.dkr.ecr.us-east-1.amazonaws.com", Repository: "team/app", Account: "999988887777", Region: "us-east-1",
		Digest: "sha256:x", Platforms: []registry.PlatformManifest{{Platform: registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.1"}}}}
	sc := &scope{w: w, images: fakeImages{res: res}}
	_, problem := pullImage(sc, img, 20348, ref)
	want := `pulling ` + ref + `: failed to resolve reference "` + ref + `": unexpected status from HEAD request to ` +
		`https://999988887777.dkr.ecr.us-east-1.amazonaws.com/v2/team/app/manifests/1: 403 Forbidden ` +
		`(the policy of repository 'team/app' of account 999988887777 does not let account 111122223333 perform ecr:BatchGetImage)`
	if problem != want {
		t.Errorf("problem\n got %s\nwant %s", problem, want)
	}
	res.PullAccounts = []string{"111122223333"}
	sc.images = fakeImages{res: res}
	if digest, problem := pullImage(sc, img, 20348, ref); problem != "" || digest != "sha256:x" {
		t.Errorf("allowed pull: %q, %q", digest, problem)
	}
	// A repository that does not exist is not found, whoever owns it.
	sc.images = fakeImages{res: registry.Resolved{Host: res.Host, Repository: "team/app", Account: res.Account}, err: registry.ErrRepositoryNotFound}
	if _, problem := pullImage(sc, img, 20348, ref); !strings.HasSuffix(problem, ref+": not found") {
		t.Errorf("missing repository: %s", problem)
	}
	// Any other error of the resolver is told as it is.
	sc.images = fakeImages{err: errors.New("boom")}
	if _, problem := pullImage(sc, img, 20348, "mcr.microsoft.com/a:1"); problem != "pulling mcr.microsoft.com/a:1: boom" {
		t.Errorf("other error: %s", problem)
	}
}

// An inline policy naming ecr:BatchGetImage (or ecr:*) lets the role pull
// from ECR; a role with neither it nor a managed ECR policy gets a 401.
// Without a resolver, or without the instance's build, nothing is pulled.
func TestECRPullPermissionAndNoSimulation(t *testing.T) {
	ref := "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2"
	res := registry.Resolved{Host: "111122223333.dkr.ecr.us-east-1.amazonaws.com", Repository: "payments/api", Account: "111122223333", Region: "us-east-1",
		Digest: "sha256:y", Platforms: []registry.PlatformManifest{{Platform: registry.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.1"}}}}
	for policy, ok := range map[string]bool{
		`{"Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}]}`: true,
		`{"Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`:                                           true,
		`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`:                                    false,
	} {
		w := &world.World{AccountID: "111122223333", IAM: world.IAM{
			Roles:            map[string]*world.Role{"r": {Name: "r", InlinePolicies: map[string]string{"p": policy}}},
			InstanceProfiles: map[string]*world.InstanceProfile{"p": {Name: "p", RoleNames: []string{"r"}}},
		}}
		img := &world.ImageBuildVersion{OSBuild: "10.0.20348.1", InfrastructureConfiguration: &world.InfrastructureConfiguration{InstanceProfileName: "p"}}
		_, problem := pullImage(&scope{w: w, images: fakeImages{res: res}}, img, 20348, ref)
		if (problem == "") != ok || (!ok && !strings.Contains(problem, "401 Unauthorized")) {
			t.Errorf("inline policy %s: %q", policy, problem)
		}
	}
	doc, _ := parseDocument(`name: x
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Pull
        action: ExecutePowerShell
        inputs:
          commands:
            - ctr images pull 'mcr.microsoft.com/nothing/here:1'
`)
	missing := fakeImages{err: registry.ErrManifestNotFound}
	img := &world.ImageBuildVersion{OSBuild: "10.0.20348.1"}
	if problem := simulatePulls(&scope{images: missing}, img, doc, []string{"build"}); !strings.Contains(problem, "not found") {
		t.Errorf("with a resolver: %q", problem)
	}
	if problem := simulatePulls(&scope{}, img, doc, []string{"build"}); problem != "" {
		t.Errorf("without a resolver: %q", problem)
	}
	if problem := simulatePulls(&scope{images: missing}, &world.ImageBuildVersion{}, doc, []string{"build"}); problem != "" {
		t.Errorf("without the instance's build: %q", problem)
	}
	if problem := simulatePulls(&scope{images: missing}, img, doc, []string{"test"}); problem != "" {
		t.Errorf("in another phase: %q", problem)
	}
}
