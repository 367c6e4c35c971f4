package registry

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Errors of Platforms, each wrapped with the reference.
var (
	// ErrUnknownHost: the registry serves no such host (a client would fail
	// to resolve its name).
	ErrUnknownHost = errors.New("the sandbox serves no registry at this host")
	// ErrRepositoryNotFound: the host has no such repository.
	ErrRepositoryNotFound = errors.New("repository not found")
	// ErrManifestNotFound: the repository has no such tag or digest.
	ErrManifestNotFound = errors.New("manifest not found")
)

// PlatformManifest is one single-platform manifest a reference offers: an
// index entry, or the reference's own manifest with its config's platform.
type PlatformManifest struct {
	Platform
	Digest string
}

// Resolved is what a reference resolves to in the registry.
type Resolved struct {
	// Host is the registry host (go-containerregistry's name for it, e.g.
	// index.docker.io for docker.io) and Repository the repository in it.
	Host       string
	Repository string
	// Account and Region are the ECR account and region of an ECR host;
	// empty for the anonymous public hosts.
	Account string
	Region  string
	// PullAccounts are the accounts other than Account the repository's
	// policy lets pull (set when the repository exists).
	PullAccounts []string
	// Digest is the top-level manifest or index the reference names.
	Digest string
	// Index reports an image index (manifest list).
	Index bool
	// Platforms are the single-platform manifests, in index order.
	Platforms []PlatformManifest
}

// ECR reports a reference to an ECR registry, which needs credentials.
func (r Resolved) ECR() bool { return r.Account != "" }

// PullableBy reports whether an account may pull the repository: anyone
// from a public host, the owner or an account its policy names from ECR.
func (r Resolved) PullableBy(account string) bool {
	return !r.ECR() || account == r.Account || slices.Contains(r.PullAccounts, account)
}

// Platforms resolves an image reference (host/repository:tag, or with
// @digest; a digest wins over a tag) without HTTP, for simulations inside
// the sandbox. It answers the platforms of the index the reference names,
// or of its single manifest. Errors wrap ErrUnknownHost,
// ErrRepositoryNotFound or ErrManifestNotFound; with the last two the
// fields up to PullAccounts are set. It does not check credentials: the
// caller decides who may pull (PullableBy).
func (r *Registry) Platforms(ref string) (Resolved, error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return Resolved{}, fmt.Errorf("resolving %s: %w", ref, err)
	}
	out := Resolved{Host: parsed.Context().RegistryStr(), Repository: parsed.Context().RepositoryStr()}
	h, ok := r.lookupHost(out.Host)
	if !ok {
		return out, fmt.Errorf("resolving %s: %w", ref, ErrUnknownHost)
	}
	out.Account, out.Region = h.account, h.region
	repo := h.repos[out.Repository]
	if repo == nil {
		return out, fmt.Errorf("resolving %s: %w", ref, ErrRepositoryNotFound)
	}
	out.PullAccounts = slices.Clone(h.pullers[out.Repository])
	digest := parsed.Identifier()
	if !strings.HasPrefix(digest, "sha256:") {
		digest = repo.tags[digest]
	}
	top := repo.manifests[digest]
	if top == nil {
		return out, fmt.Errorf("resolving %s: %w", ref, ErrManifestNotFound)
	}
	manifests, err := repo.describe(top)
	if err != nil {
		return out, fmt.Errorf("resolving %s: %w", ref, err)
	}
	out.Digest, out.Index = top.digest, isIndex(top.mediaType)
	for _, m := range manifests {
		out.Platforms = append(out.Platforms, PlatformManifest{Platform: m.Platform, Digest: m.Digest})
	}
	return out, nil
}
