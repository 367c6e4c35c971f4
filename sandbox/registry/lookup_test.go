package registry_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/world"
)

// The in-process lookup answers what a client pulling over HTTP sees: the
// same top-level digest and the same platforms.
func TestPlatformsAgreesWithHTTP(t *testing.T) {
	reg, tr := start(t)
	for _, img := range reg.Images() {
		t.Run(img.Reference(), func(t *testing.T) {
			got, err := reg.Platforms(img.Reference())
			if err != nil {
				t.Fatal(err)
			}
			ref, _ := name.ParseReference(img.Reference())
			auth := authn.Anonymous
			if got.ECR() {
				auth = ecrAuth(reg, got.Region)
			}
			desc, err := remote.Get(ref, remote.WithTransport(tr), remote.WithAuth(auth))
			if err != nil {
				t.Fatal(err)
			}
			if got.Digest != desc.Digest.String() || got.Index != img.Index || len(got.Platforms) != len(img.Manifests) {
				t.Fatalf("lookup %+v, HTTP digest %s, seed %+v", got, desc.Digest, img)
			}
			for i, m := range img.Manifests {
				if got.Platforms[i].Platform != m.Platform || got.Platforms[i].Digest != m.Digest {
					t.Errorf("platform %d: %+v, want %+v", i, got.Platforms[i], m)
				}
			}
			// By digest, the same answer.
			byDigest, err := reg.Platforms(got.Host + "/" + got.Repository + "@" + got.Digest)
			if err != nil || byDigest.Digest != got.Digest || len(byDigest.Platforms) != len(got.Platforms) {
				t.Errorf("by digest: %+v, %v", byDigest, err)
			}
		})
	}
}

func TestPlatformsErrors(t *testing.T) {
	reg, _ := start(t)
	own := registry.ECRHost(world.DefaultAccountID, "us-east-1")
	for ref, want := range map[string]error{
		"registry.example.com/app:1":                    registry.ErrUnknownHost,
		"mcr.microsoft.com/windows/nothing:ltsc2022":    registry.ErrRepositoryNotFound,
		"mcr.microsoft.com/windows/servercore:ltsc2030": registry.ErrManifestNotFound,
		"mcr.microsoft.com/windows/servercore@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": registry.ErrManifestNotFound,
		own + "/payments/api:9.9.9":                                       registry.ErrManifestNotFound,
		registry.ECRHost("999988887777", "us-east-1") + "/payments/api:1": registry.ErrRepositoryNotFound,
	} {
		got, err := reg.Platforms(ref)
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", ref, err, want)
		}
		if errors.Is(err, registry.ErrManifestNotFound) && got.Repository == "" {
			t.Errorf("%s: not found without the repository: %+v", ref, got)
		}
	}
}

func TestPlatformsECRAccess(t *testing.T) {
	reg, _ := start(t)
	own, err := reg.Platforms(registry.ECRHost(world.DefaultAccountID, "us-east-1") + "/payments/worker:2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if !own.ECR() || own.Index || len(own.Platforms) != 1 || own.Platforms[0].OSVersion != registry.OSVersion2019 ||
		!own.PullableBy(world.DefaultAccountID) || own.PullableBy("999988887777") {
		t.Errorf("own repository %+v", own)
	}
	partner, err := reg.Platforms(registry.ECRHost(world.PartnerAccountID, "eu-west-1") + "/platform/base:2025.10")
	if err != nil {
		t.Fatal(err)
	}
	if !partner.PullableBy(world.DefaultAccountID) || partner.PullableBy("999988887777") ||
		!slices.Equal(partner.PullAccounts, []string{world.DefaultAccountID}) {
		t.Errorf("partner repository %+v", partner)
	}
	public, err := reg.Platforms("public.ecr.aws/docker/library/nginx:1.27")
	if err != nil || public.ECR() || !public.PullableBy("999988887777") {
		t.Errorf("public repository %+v, %v", public, err)
	}
}
