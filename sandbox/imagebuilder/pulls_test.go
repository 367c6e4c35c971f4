package imagebuilder_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/world"
)

// Seeded images of the sandbox registry.
const (
	servercore2019 = "mcr.microsoft.com/windows/servercore:ltsc2019"
	servercore2022 = "mcr.microsoft.com/windows/servercore:ltsc2022"
	nanoserver2022 = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	pause          = "mcr.microsoft.com/oss/kubernetes/pause:3.9"
	nginx          = "public.ecr.aws/docker/library/nginx:1.27"
	paymentsAPI    = "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2"
	// partnerBase is another account's repository whose policy lets the sandbox account pull.
	partnerBase = "444455556666.dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10"
)

// pullDoc is a component whose phase pulls images the way a user might
// write it: the references in a PowerShell array of single-quoted literals,
// pulled with ctr (runtime "containerd") or docker.
func pullDoc(phase, runtime string, refs ...string) string {
	var list []string
	for _, r := range refs {
		list = append(list, "'"+strings.ReplaceAll(r, "'", "''")+"'")
	}
	pull := `& "$env:ProgramFiles\containerd\ctr.exe" -n k8s.io images pull $ref`
	if runtime == "docker" {
		pull = `& docker pull $ref`
	}
	return fmt.Sprintf(`name: pull-images
schemaVersion: 1.0
phases:
  - name: %s
    steps:
      - name: PullImages
        action: ExecutePowerShell
        inputs:
          commands:
            - |
              # Don't let kubelet's garbage collection surprise anyone: 'Stop' on errors.
              $ErrorActionPreference = 'Stop'
              $images = @(%s)
              foreach ($ref in $images) {
                  Write-Output "pulling $ref, it's big"
                  %s
                  if ($LASTEXITCODE -ne 0) { throw "pull of $ref failed" }
              }
`, phase, strings.Join(list, ", "), pull)
}

// eksAMIOf is the newest Core EKS 1.35 AMI of a Windows Server version in us-east-1.
func eksAMIOf(t *testing.T, e *env, windows string) *world.Image {
	t.Helper()
	name := world.EKSWindowsKey{Windows: windows, Edition: "Core", Kubernetes: "1.35"}.AMIName(world.ReleaseDates()[3])
	var found *world.Image
	_ = e.store.View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			if img.Name == name {
				c := *img
				found = &c
			}
		}
		return nil
	})
	if found == nil {
		t.Fatalf("no AMI %s", name)
	}
	return found
}

// grantECRPull attaches AmazonEC2ContainerRegistryPullOnly to the build role.
// grantECRPull makes sure the build role may pull from ECR (the seeded
// winami-build may); revokeECRPull takes that away.
func grantECRPull(e *env) {
	_ = e.store.Update(func(w *world.World) error {
		r := w.IAM.Roles[world.BuildRoleName]
		if !slices.Contains(r.ManagedPolicyARNs, ecrPullOnly) {
			r.ManagedPolicyARNs = append(r.ManagedPolicyARNs, ecrPullOnly)
		}
		return nil
	})
}

func revokeECRPull(e *env) {
	_ = e.store.Update(func(w *world.World) error {
		r := w.IAM.Roles[world.BuildRoleName]
		r.ManagedPolicyARNs = slices.DeleteFunc(r.ManagedPolicyARNs, func(arn string) bool { return strings.Contains(arn, "ContainerRegistry") })
		return nil
	})
}

const ecrPullOnly = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"

// cachedImages is what the world recorded a build pulled.
func cachedImages(t *testing.T, e *env, arn string) []world.CachedImage {
	t.Helper()
	var out []world.CachedImage
	_ = e.store.View(func(w *world.World) error {
		out = slices.Clone(w.Region("us-east-1").ImageBuilder.Images[arn].CachedImages)
		return nil
	})
	return out
}

// seededDigest is the digest the sandbox registry serves for a tag.
func seededDigest(t *testing.T, ref string) string {
	t.Helper()
	reg, err := registry.New(registry.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range reg.Images() {
		if img.Reference() == ref {
			return img.Digest
		}
	}
	t.Fatalf("%s is not seeded", ref)
	return ""
}

func TestPullsOfCompatibleImagesSucceed(t *testing.T) {
	e := start(t)
	grantECRPull(e)
	ctr := createComponent(t, e, "pull-ctr", "1.0.0", pullDoc("build", "containerd", servercore2022, nanoserver2022, pause))
	docker := createComponent(t, e, "pull-docker", "1.0.0", pullDoc("validate", "docker", paymentsAPI, pause, partnerBase))
	s := makeStack(t, e, "cached", stackOptions{components: []types.ComponentConfiguration{
		{ComponentArn: aws.String(ctr)}, {ComponentArn: aws.String(docker)},
	}})
	img := run(t, e, s.pipeline)
	if img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
	got := cachedImages(t, e, aws.ToString(img.Arn))
	var want []world.CachedImage
	for _, ref := range []string{servercore2022, nanoserver2022, pause, paymentsAPI, partnerBase} {
		want = append(want, world.CachedImage{Ref: ref, Digest: seededDigest(t, ref)})
	}
	if !slices.Equal(got, want) {
		t.Errorf("cached images\n got %+v\nwant %+v", got, want)
	}
}

// Process isolation on a 2025 host runs ltsc2022 images (containerd's rule).
func TestLTSC2022ImagesPullOnA2025Parent(t *testing.T) {
	e := start(t)
	parent := eksAMIOf(t, e, "2025")
	if !strings.HasPrefix(parent.OSBuild, "10.0.26100.") {
		t.Fatalf("2025 AMI of build %s", parent.OSBuild)
	}
	c := createComponent(t, e, "pull", "1.0.0", pullDoc("build", "containerd", servercore2022, pause))
	s := makeStack(t, e, "on2025", stackOptions{parent: parent.ImageID, components: []types.ComponentConfiguration{{ComponentArn: aws.String(c)}}})
	if img := run(t, e, s.pipeline); img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
}

// A step that names images without pulling them pulls nothing.
func TestComponentWithoutPullIsUnaffected(t *testing.T) {
	e := start(t)
	doc := strings.ReplaceAll(pullDoc("build", "containerd", "mcr.microsoft.com/windows/servercore:ltsc2030", nginx),
		`& "$env:ProgramFiles\containerd\ctr.exe" -n k8s.io images pull $ref`, `Write-Output "would fetch $ref"`)
	c := createComponent(t, e, "no-pull", "1.0.0", doc)
	s := makeStack(t, e, "nopull", stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(c)}}})
	img := run(t, e, s.pipeline)
	if img.State.Status != types.ImageStatusAvailable {
		t.Fatalf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
	if got := cachedImages(t, e, aws.ToString(img.Arn)); len(got) != 0 {
		t.Errorf("cached %+v", got)
	}
}

func TestPullFailures(t *testing.T) {
	missing := "mcr.microsoft.com/windows/servercore:ltsc2030"
	for _, tc := range []struct {
		name    string
		doc     string
		test    bool // a test component
		prepare func(e *env)
		want    string // the reason after "Step 'PullImages' of phase '<phase>' failed: "
	}{{
		name: "missing tag",
		doc:  pullDoc("build", "containerd", servercore2022, missing),
		want: `pulling ` + missing + `: failed to resolve reference "` + missing + `": ` + missing + `: not found`,
	}, {
		name: "missing repository, docker",
		doc:  pullDoc("build", "docker", "mcr.microsoft.com/windows/nothing:1.0"),
		want: `pulling mcr.microsoft.com/windows/nothing:1.0: failed to resolve reference "mcr.microsoft.com/windows/nothing:1.0": mcr.microsoft.com/windows/nothing:1.0: not found`,
	}, {
		name: "unknown registry host",
		doc:  pullDoc("build", "containerd", "registry.example.com/team/app:1.0"),
		want: `pulling registry.example.com/team/app:1.0: failed to resolve reference "registry.example.com/team/app:1.0": failed to do request: ` +
			`Head "https://registry.example.com/v2/team/app/manifests/1.0": dial tcp: lookup registry.example.com: no such host`,
	}, {
		name: "2019 image on a 2022 host",
		doc:  pullDoc("validate", "containerd", servercore2019),
		want: `pulling ` + servercore2019 + `: no match for platform in manifest: not found (the instance is windows/amd64 build 20348 (` +
			eksOSBuild() + `); the image offers windows/amd64:` + registry.OSVersion2019 + `)`,
	}, {
		name: "Linux-only image",
		doc:  pullDoc("build", "containerd", nginx),
		want: `pulling ` + nginx + `: no match for platform in manifest: not found (the instance is windows/amd64 build 20348 (` +
			eksOSBuild() + `); the image offers linux/amd64, linux/arm64)`,
	}, {
		name:    "ECR without pull permission",
		doc:     pullDoc("build", "containerd", paymentsAPI),
		prepare: revokeECRPull,
		want: `pulling ` + paymentsAPI + `: failed to resolve reference "` + paymentsAPI + `": unexpected status from HEAD request to ` +
			`https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/payments/api/manifests/1.4.2: 401 Unauthorized ` +
			`(the role of instance profile 'winami-build' is not authorized to perform ecr:GetAuthorizationToken and ecr:BatchGetImage: attach AmazonEC2ContainerRegistryPullOnly)`,
	}, {
		name:    "ECR image of a 2019 build",
		doc:     pullDoc("build", "containerd", "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/worker:2.0.0"),
		prepare: grantECRPull,
		want: `pulling 111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/worker:2.0.0: no match for platform in manifest: not found ` +
			`(the instance is windows/amd64 build 20348 (` + eksOSBuild() + `); the image offers windows/amd64:` + registry.OSVersion2019 + `)`,
	}, {
		name: "test phase",
		doc:  pullDoc("test", "containerd", missing),
		test: true,
		want: `pulling ` + missing + `: failed to resolve reference "` + missing + `": ` + missing + `: not found`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			if tc.prepare != nil {
				tc.prepare(e)
			}
			c := createComponent(t, e, "pull", "1.0.0", tc.doc)
			s := makeStack(t, e, "pulling", stackOptions{components: []types.ComponentConfiguration{{ComponentArn: aws.String(c)}}})
			img := run(t, e, s.pipeline)
			reason := aws.ToString(img.State.Reason)
			if img.State.Status != types.ImageStatusFailed {
				t.Fatalf("state %s (%s), want FAILED", img.State.Status, reason)
			}
			phase, workflowStep := "build", "ApplyBuildComponents"
			switch {
			case tc.test:
				phase, workflowStep = "test", "ApplyTestComponents"
			case strings.Contains(tc.doc, "name: validate"):
				phase = "validate"
			}
			want := fmt.Sprintf("Workflow Step '%s' failed: Document %s failed! Step 'PullImages' of phase '%s' failed: %s", workflowStep, c, phase, tc.want)
			if reason != want {
				t.Errorf("reason\n got %s\nwant %s", reason, want)
			}
			if img.OutputResources != nil {
				t.Errorf("a failed build made AMIs: %+v", img.OutputResources.Amis)
			}
		})
	}
}
