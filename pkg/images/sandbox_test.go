package images

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// countingECR counts GetAuthorizationToken calls and checks their input.
type countingECR struct {
	t      *testing.T
	client awsapi.ECRAPI
	region string
	calls  *atomic.Int32
}

func (c countingECR) GetAuthorizationToken(ctx context.Context, in *ecr.GetAuthorizationTokenInput, opts ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	c.calls.Add(1)
	//lint:ignore SA1019 the checker sets the deprecated registryIds on purpose
	if ids := in.RegistryIds; len(ids) != 1 || len(ids[0]) != 12 {
		c.t.Errorf("GetAuthorizationToken in %s with registryIds %v, want the registry's account", c.region, ids)
	}
	return c.client.GetAuthorizationToken(ctx, in, opts...)
}

type env struct {
	srv   *sandbox.Server
	cfg   aws.Config
	tr    http.RoundTripper
	calls *atomic.Int32
}

func startSandbox(t *testing.T) env {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{})
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return env{srv: srv, cfg: cfg, tr: sandbox.RegistryTransport(u.Host, nil), calls: &atomic.Int32{}}
}

func (e env) ecrClients(t *testing.T) func(region string) awsapi.ECRAPI {
	return func(region string) awsapi.ECRAPI {
		c := ecr.NewFromConfig(e.cfg, func(o *ecr.Options) { o.Region = region })
		return countingECR{t: t, client: c, region: region, calls: e.calls}
	}
}

func (e env) checker(t *testing.T, mod func(*Options)) *Checker {
	opts := Options{ECR: e.ecrClients(t), Transport: e.tr, Keychain: authn.NewMultiKeychain(), Concurrency: 3}
	if mod != nil {
		mod(&opts)
	}
	return NewChecker(opts)
}

func mustRefs(t *testing.T, refs ...string) []imageref.Ref {
	t.Helper()
	var out []imageref.Ref
	for _, s := range refs {
		r, err := imageref.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// expected is each seeded image's verdict per Windows release: the chosen
// entry's build, or "" when incompatible; reason is the incompatible reason's
// start for every host where it is incompatible, keyed by repository:tag.
var expected = map[string]struct {
	chosen map[string]string // release -> chosen os.version
	reason map[string]string // release -> reason substring
}{
	"windows/servercore:ltsc2019": {
		chosen: map[string]string{"2019": registry.OSVersion2019},
		reason: map[string]string{
			"2022": "built for 10.0.17763, a 10.0.20348 host runs only images built for 10.0.20348",
			"2025": "built for 10.0.17763, a 10.0.26100 host runs only images built for 10.0.20348 to 10.0.26100"},
	},
	"windows/servercore:ltsc2022": {
		chosen: map[string]string{"2022": registry.OSVersion2022, "2025": registry.OSVersion2022},
		reason: map[string]string{"2019": "built for 10.0.20348, a 10.0.17763 host runs only images built for 10.0.17763"},
	},
	"windows/servercore:ltsc2025": {
		chosen: map[string]string{"2025": registry.OSVersion2025},
		reason: map[string]string{
			"2019": "built for 10.0.26100, a 10.0.17763 host runs only images built for 10.0.17763",
			"2022": "built for 10.0.26100, a 10.0.20348 host runs only images built for 10.0.20348"},
	},
	"windows/nanoserver:ltsc2022": {
		chosen: map[string]string{"2022": registry.OSVersion2022, "2025": registry.OSVersion2022},
		reason: map[string]string{"2019": "built for 10.0.20348, a 10.0.17763 host"},
	},
	"oss/kubernetes/pause:3.9": {
		chosen: map[string]string{"2019": registry.OSVersion2019, "2022": registry.OSVersion2022, "2025": registry.OSVersion2025},
	},
	"docker/library/nginx:1.27": {
		reason: map[string]string{"2019": "Linux-only image", "2022": "Linux-only image", "2025": "Linux-only image"},
	},
	"library/nginx:1.27": {
		reason: map[string]string{"2019": "Linux-only image", "2022": "Linux-only image", "2025": "Linux-only image"},
	},
	"payments/api:1.4.2": {
		chosen: map[string]string{"2022": registry.OSVersion2022, "2025": registry.OSVersion2022},
		reason: map[string]string{"2019": "built for 10.0.20348, a 10.0.17763 host"},
	},
	"payments/worker:2.0.0": {
		chosen: map[string]string{"2019": registry.OSVersion2019},
		reason: map[string]string{"2022": "built for 10.0.17763, a 10.0.20348 host", "2025": "built for 10.0.17763, a 10.0.26100 host"},
	},
	"platform/base:2025.10": {
		chosen: map[string]string{"2022": registry.OSVersion2022, "2025": registry.OSVersion2025},
		reason: map[string]string{"2019": "built for 10.0.20348 and 10.0.26100, a 10.0.17763 host runs only images built for 10.0.17763"},
	},
}

func TestCheckSeededImages(t *testing.T) {
	e := startSandbox(t)
	seeded := e.srv.Registry().Images()
	byRef := map[string]registry.Image{}
	var refs []string
	for _, img := range seeded {
		key := img.Repository + ":" + img.Tag
		if _, ok := expected[key]; !ok {
			t.Fatalf("seeded image %s has no expected verdicts; add it to the table", img.Reference())
		}
		refs = append(refs, img.Reference())
		byRef[img.Reference()] = img
	}
	// Docker Hub under the name references use.
	refs = append(refs, "docker.io/library/nginx:1.27")
	for _, img := range seeded {
		if img.Host == registry.DockerHubHost {
			byRef["docker.io/library/nginx:1.27"] = img
		}
	}

	c := e.checker(t, nil)
	for _, release := range []string{"2019", "2022", "2025"} {
		t.Run(release, func(t *testing.T) {
			host, err := ParseHostBuild(release)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := c.Check(t.Context(), host, mustRefs(t, refs...))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Images) != len(refs) {
				t.Fatalf("%d results for %d images", len(rep.Images), len(refs))
			}
			var sum int64
			for i, res := range rep.Images {
				img := byRef[refs[i]]
				want := expected[img.Repository+":"+img.Tag]
				if res.Image != refs[i] || res.Digest != img.Digest {
					t.Errorf("%s: image %q digest %q, want %q", refs[i], res.Image, res.Digest, img.Digest)
				}
				if len(res.Platforms) != len(img.Manifests) {
					t.Errorf("%s: platforms %v, want %d", refs[i], res.Platforms, len(img.Manifests))
				}
				for j, m := range img.Manifests {
					if j < len(res.Platforms) && (res.Platforms[j] != Platform{OS: m.Platform.OS, Architecture: m.Platform.Architecture, OSVersion: m.Platform.OSVersion}) {
						t.Errorf("%s: platform %d = %v, want %v", refs[i], j, res.Platforms[j], m.Platform)
					}
				}
				if v, ok := want.chosen[release]; ok {
					if res.Verdict != Compatible || res.Chosen == nil || res.Chosen.OSVersion != v {
						t.Errorf("%s on %s: %+v, want compatible with %s", refs[i], release, res, v)
						continue
					}
					var m registry.Manifest
					for _, mm := range img.Manifests {
						if mm.Digest == res.Chosen.Digest {
							m = mm
						}
					}
					if m.Platform.OSVersion != v {
						t.Errorf("%s: chosen digest %s is not the %s entry", refs[i], res.Chosen.Digest, v)
					}
					if cfg := res.CompressedBytes - m.Size; cfg <= 0 || cfg > 4096 {
						t.Errorf("%s: %d compressed bytes, layers are %d: config of %d bytes?", refs[i], res.CompressedBytes, m.Size, cfg)
					}
					sum += res.CompressedBytes
					continue
				}
				if res.Verdict != Incompatible || !strings.Contains(res.Reason, want.reason[release]) || want.reason[release] == "" || res.Chosen != nil || res.CompressedBytes != 0 {
					t.Errorf("%s on %s: %+v, want incompatible with %q", refs[i], release, res, want.reason[release])
				}
			}
			if rep.TotalCompressedBytes != sum {
				t.Errorf("total %d, want %d", rep.TotalCompressedBytes, sum)
			}
			if rep.HasErrors() || rep.AllCompatible() {
				t.Errorf("HasErrors %v AllCompatible %v", rep.HasErrors(), rep.AllCompatible())
			}
		})
	}
	// Two ECR registries (us-east-1, the partner's eu-west-1): one token each,
	// however many images and hosts were checked.
	if n := e.calls.Load(); n != 2 {
		t.Errorf("%d GetAuthorizationToken calls, want 2", n)
	}
}

func TestCheckSimulatedSizes(t *testing.T) {
	e := startSandbox(t)
	c := e.checker(t, func(o *Options) { o.SizeAnnotation = registry.SimulatedSizeAnnotation })
	var img registry.Image
	for _, i := range e.srv.Registry().Images() {
		if i.Repository == "payments/api" {
			img = i
		}
	}
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, img.Reference()))
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Images[0]
	if cfg := res.CompressedBytes - img.Manifests[0].SimulatedSize; res.Verdict != Compatible || cfg <= 0 || cfg > 4096 {
		t.Fatalf("%+v, want %d bytes of layers plus the config", res, img.Manifests[0].SimulatedSize)
	}
	if !rep.AllCompatible() || rep.TotalCompressedBytes != res.CompressedBytes {
		t.Errorf("report %+v", rep)
	}
}

type fakeECR struct {
	token string
	err   error
}

func (f fakeECR) GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{{AuthorizationToken: aws.String(f.token)}}}, nil
}

func TestCheckErrors(t *testing.T) {
	e := startSandbox(t)
	own := registry.ECRHost(world.DefaultAccountID, "us-east-1")
	partner := registry.ECRHost(world.PartnerAccountID, "eu-west-1")
	cases := []struct {
		name   string
		mod    func(*Options)
		ref    string
		kind   ErrorKind
		reason string
	}{
		{"ECR without credentials", func(o *Options) { o.ECR = nil }, own + "/payments/api:1.4.2", Unauthorized, "docker login " + own},
		{"ECR token refused", func(o *Options) {
			o.ECR = func(string) awsapi.ECRAPI { return fakeECR{token: "QVdTOm5vcGU="} } // AWS:nope
		}, own + "/payments/api:1.4.2", Unauthorized, "refused the ECR token"},
		{"ECR token not obtained", func(o *Options) {
			o.ECR = func(string) awsapi.ECRAPI { return fakeECR{err: errors.New("AccessDeniedException")} }
		}, own + "/payments/api:1.4.2", Unauthorized, "ecr:GetAuthorizationToken"},
		{"other account's repository", nil, partner + "/platform/secret:1", Denied, "ecr:BatchGetImage"},
		{"unknown tag", nil, "mcr.microsoft.com/windows/servercore:ltsc2016", NotFound, "not found"},
		{"unknown repository", nil, "mcr.microsoft.com/windows/nothing:1", NotFound, "not found"},
		{"unknown ECR repository", nil, own + "/payments/nothing:1", NotFound, "not found"},
		{"unknown digest", nil, "mcr.microsoft.com/windows/servercore@sha256:" + strings.Repeat("0", 64), NotFound, "not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := e.checker(t, c.mod).Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, c.ref))
			if err != nil {
				t.Fatal(err)
			}
			res := rep.Images[0]
			if res.Verdict != Error || res.ErrorKind != c.kind || !strings.Contains(res.Reason, c.reason) {
				t.Fatalf("%+v, want %s error with %q", res, c.kind, c.reason)
			}
			if strings.Contains(res.Reason, "winami-ecr-v1") {
				t.Errorf("the reason shows a token: %s", res.Reason)
			}
			if !rep.HasErrors() || rep.AllCompatible() || rep.TotalCompressedBytes != 0 {
				t.Errorf("report %+v", rep)
			}
		})
	}
}

func TestCheckUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := NewChecker(Options{Transport: sandbox.RegistryTransport(addr, nil), Keychain: authn.NewMultiKeychain()})
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, "mcr.microsoft.com/windows/servercore:ltsc2022"))
	if err != nil {
		t.Fatal(err)
	}
	if res := rep.Images[0]; res.Verdict != Error || res.ErrorKind != Unreachable || !strings.Contains(res.Reason, "mcr.microsoft.com") {
		t.Fatalf("%+v, want unreachable", res)
	}
}

func TestCheckCancelled(t *testing.T) {
	e := startSandbox(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := e.checker(t, nil).Check(ctx, HostBuild{Build: 20348}, mustRefs(t, "mcr.microsoft.com/windows/servercore:ltsc2022"))
	if !errors.Is(err, context.Canceled) || len(rep.Images) != 1 || rep.Images[0].Verdict != Error {
		t.Fatalf("%+v, %v; want context.Canceled", rep, err)
	}
}
