package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/winami/winami/sandbox/world"
)

// Windows builds of the seeded images, with the revision a current image has.
const (
	OSVersion2019 = "10.0.17763.7009"
	OSVersion2022 = "10.0.20348.3328"
	OSVersion2025 = "10.0.26100.3476"
)

// Registry hosts of the seeded world.
const (
	MCRHost       = "mcr.microsoft.com"
	ECRPublicHost = "public.ecr.aws"
	DockerHubHost = "registry-1.docker.io"
	// DockerHubAlias and DockerHubIndex are the names references and
	// clients use for Docker Hub (go-containerregistry says index.docker.io);
	// they serve the same content as DockerHubHost.
	DockerHubAlias = "docker.io"
	DockerHubIndex = "index.docker.io"
)

// ECRHost is the registry host of an account's ECR in a region.
func ECRHost(account, region string) string {
	return account + ".dkr.ecr." + region + ".amazonaws.com"
}

var ecrHostPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$`)
})

// parseECRHost reports the account and region of an ECR registry host.
func parseECRHost(host string) (account, region string, ok bool) {
	m := ecrHostPattern().FindStringSubmatch(host)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Image is one seeded tag, as tests and the ECR service see it.
type Image struct {
	Host       string
	Repository string
	Tag        string
	// Digest and MediaType are the tag's manifest or index.
	Digest    string
	MediaType string
	// Index reports an image index (manifest list).
	Index bool
	// Manifests are the single-platform manifests: the index's entries, or
	// the tag's own manifest.
	Manifests []Manifest
	// PushedAt is when the tag was pushed.
	PushedAt time.Time
}

// Reference is the image's reference, host/repository:tag.
func (i Image) Reference() string { return i.Host + "/" + i.Repository + ":" + i.Tag }

// Manifest is one single-platform manifest.
type Manifest struct {
	Digest          string
	MediaType       string
	ConfigMediaType string
	Platform        Platform
	// Size is the sum of the layer blobs' sizes; SimulatedSize the sum of
	// the sizes the real image's layers have (SimulatedSizeAnnotation).
	Size          int64
	SimulatedSize int64
}

// Repository is one seeded repository.
type Repository struct {
	Host string
	Name string
	// Account and Region are set for ECR repositories.
	Account string
	Region  string
	// PullAccounts are other accounts the repository policy lets pull.
	PullAccounts []string
	CreatedAt    time.Time
}

// seedTime is when the seeded repositories were created; images were pushed after.
var seedTime = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

const mb = 1 << 20

func win(version string, sizes ...int64) imageSpec {
	return spec("windows", "amd64", version, sizes...)
}

func spec(os, arch, version string, sizes ...int64) imageSpec {
	s := imageSpec{platform: Platform{OS: os, Architecture: arch, OSVersion: version}, created: seedTime}
	for _, n := range sizes {
		s.layers = append(s.layers, layerSpec{simulatedSize: n})
	}
	return s
}

// seedEntry is one tag of the seed.
type seedEntry struct {
	host, repo, tag string
	oci             bool
	index           bool // false: a single manifest, specs has one entry
	specs           []imageSpec
}

func seedEntries(account string) []seedEntry {
	ecr := ECRHost(account, "us-east-1")
	partner := ECRHost(world.PartnerAccountID, "eu-west-1")
	return []seedEntry{
		{host: MCRHost, repo: "windows/servercore", tag: "ltsc2019", index: true,
			specs: []imageSpec{win(OSVersion2019, 1536*mb, 412*mb)}},
		{host: MCRHost, repo: "windows/servercore", tag: "ltsc2022", index: true,
			specs: []imageSpec{win(OSVersion2022, 1482*mb, 398*mb)}},
		{host: MCRHost, repo: "windows/servercore", tag: "ltsc2025", index: true,
			specs: []imageSpec{win(OSVersion2025, 1710*mb, 436*mb)}},
		{host: MCRHost, repo: "windows/nanoserver", tag: "ltsc2022", index: true,
			specs: []imageSpec{win(OSVersion2022, 118*mb)}},
		{host: MCRHost, repo: "oss/kubernetes/pause", tag: "3.9", index: true,
			specs: []imageSpec{
				spec("linux", "amd64", "", 300*1024),
				win(OSVersion2019, 104*mb),
				win(OSVersion2022, 118*mb),
				win(OSVersion2025, 126*mb),
			}},
		{host: ECRPublicHost, repo: "docker/library/nginx", tag: "1.27", index: true, oci: true,
			specs: []imageSpec{spec("linux", "amd64", "", 28*mb, 40*mb), spec("linux", "arm64", "", 27*mb, 39*mb)}},
		{host: DockerHubHost, repo: "library/nginx", tag: "1.27", index: true, oci: true,
			specs: []imageSpec{spec("linux", "amd64", "", 28*mb, 40*mb), spec("linux", "arm64", "", 27*mb, 39*mb)}},
		{host: ecr, repo: "payments/api", tag: "1.4.2", index: true, oci: true,
			specs: []imageSpec{win(OSVersion2022, 1482*mb, 398*mb, 64*mb)}},
		{host: ecr, repo: "payments/worker", tag: "2.0.0",
			specs: []imageSpec{win(OSVersion2019, 1536*mb, 412*mb, 52*mb)}},
		{host: partner, repo: "platform/base", tag: "2025.10", index: true, oci: true,
			specs: []imageSpec{win(OSVersion2022, 1482*mb, 398*mb, 12*mb), win(OSVersion2025, 1710*mb, 436*mb, 12*mb)}},
	}
}

// host is one virtual registry host.
type host struct {
	name    string
	account string // ECR hosts only
	region  string
	repos   map[string]*repository
	// pullers are the accounts other than the owner each repository lets pull.
	pullers map[string][]string
}

func (h *host) ecr() bool { return h.account != "" }

// build seeds the registry's hosts.
func (r *Registry) build(account string) error {
	for i, e := range seedEntries(account) {
		h := r.hosts[e.host]
		if h == nil {
			h = &host{name: e.host, repos: map[string]*repository{}, pullers: map[string][]string{}}
			h.account, h.region, _ = parseECRHost(e.host)
			r.hosts[e.host] = h
		}
		repo := h.repos[e.repo]
		if repo == nil {
			repo = newRepository(e.repo)
			h.repos[e.repo] = repo
			rr := Repository{Host: e.host, Name: e.repo, Account: h.account, Region: h.region, CreatedAt: seedTime}
			if h.account == world.PartnerAccountID {
				rr.PullAccounts = []string{account}
				h.pullers[e.repo] = rr.PullAccounts
			}
			r.repos = append(r.repos, rr)
		}
		label := e.host + "/" + e.repo + ":" + e.tag
		var top *manifestBlob
		var err error
		if e.index {
			top, err = repo.buildIndex(label, e.oci, e.specs)
		} else {
			s := e.specs[0]
			s.oci = e.oci
			top, err = repo.buildImage(label, s)
		}
		if err != nil {
			return err
		}
		repo.tags[e.tag] = top.digest
		img := Image{Host: e.host, Repository: e.repo, Tag: e.tag, Digest: top.digest, MediaType: string(top.mediaType),
			Index: e.index, PushedAt: seedTime.Add(time.Duration(i+1) * time.Hour)}
		if img.Manifests, err = repo.describe(top); err != nil {
			return err
		}
		repo.images = append(repo.images, img)
		r.images = append(r.images, img)
	}
	// Docker Hub answers under both names.
	r.hosts[DockerHubAlias] = r.hosts[DockerHubHost]
	r.hosts[DockerHubIndex] = r.hosts[DockerHubHost]
	return nil
}

// describe lists the single-platform manifests of a tag's manifest or index.
func (r *repository) describe(top *manifestBlob) ([]Manifest, error) {
	if !isIndex(top.mediaType) {
		m, err := r.describeImage(top, nil)
		if err != nil {
			return nil, err
		}
		return []Manifest{m}, nil
	}
	idx, err := parseIndex(top.body)
	if err != nil {
		return nil, err
	}
	var out []Manifest
	for _, d := range idx.Manifests {
		child := r.manifests[d.Digest.String()]
		if child == nil {
			return nil, fmt.Errorf("index of %s names a missing manifest %s", r.name, d.Digest)
		}
		m, err := r.describeImage(child, d.Platform)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (r *repository) describeImage(mb *manifestBlob, p *v1.Platform) (Manifest, error) {
	m, err := parseManifest(mb.body)
	if err != nil {
		return Manifest{}, err
	}
	cfg, err := parseConfig(r.blobs[m.Config.Digest.String()])
	if err != nil {
		return Manifest{}, err
	}
	out := Manifest{Digest: mb.digest, MediaType: string(mb.mediaType), ConfigMediaType: string(m.Config.MediaType),
		Platform: Platform{OS: cfg.OS, Architecture: cfg.Architecture, OSVersion: cfg.OSVersion}}
	if p != nil {
		out.Platform = Platform{OS: p.OS, Architecture: p.Architecture, OSVersion: p.OSVersion}
	}
	for _, l := range m.Layers {
		out.Size += l.Size
		n, _ := strconv.ParseInt(l.Annotations[SimulatedSizeAnnotation], 10, 64)
		out.SimulatedSize += n
	}
	return out, nil
}

// Images lists every seeded tag, in seed order.
func (r *Registry) Images() []Image { return slices.Clone(r.images) }

// Repositories lists every seeded repository, in seed order.
func (r *Registry) Repositories() []Repository { return slices.Clone(r.repos) }

// Hosts lists the registry hosts served, sorted.
func (r *Registry) Hosts() []string {
	var out []string
	for name := range r.hosts {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// ECRHostGlob matches (with path.Match) the ECR registry host of every
// account and region, all of which the registry answers for.
const ECRHostGlob = "????????????.dkr.ecr.*.amazonaws.com"

// HostNames are the registry hosts the registry serves by name, sorted;
// besides them it serves every host ECRHostGlob matches.
func (r *Registry) HostNames() []string {
	names := make([]string, 0, len(r.hosts))
	for n := range r.hosts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
