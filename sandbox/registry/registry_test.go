package registry_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/world"
)

// rewrite sends every request to the test server, keeping the Host header
// of the registry the reference names: what winami's rewriting transport does.
type rewrite struct{ target *url.URL }

func (rt rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Host = req.URL.Host
	out.URL.Scheme = rt.target.Scheme
	out.URL.Host = rt.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

var testNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func start(t *testing.T) (*registry.Registry, http.RoundTripper) {
	t.Helper()
	reg, err := registry.New(registry.Options{Seed: 42, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reg.Handler())
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return reg, rewrite{target: u}
}

func ecrAuth(reg *registry.Registry, region string) authn.Authenticator {
	return &authn.Basic{Username: "AWS", Password: reg.Tokens().Issue(world.DefaultAccountID, region, testNow.Add(registry.TokenLifetime))}
}

func TestEverySeededImageVerifies(t *testing.T) {
	reg, tr := start(t)
	images := reg.Images()
	if len(images) < 10 {
		t.Fatalf("seeded %d images, want at least 10", len(images))
	}
	for _, img := range images {
		t.Run(img.Reference(), func(t *testing.T) {
			ref, err := name.ParseReference(img.Reference())
			if err != nil {
				t.Fatal(err)
			}
			opts := []remote.Option{remote.WithTransport(tr), remote.WithContext(t.Context())}
			if strings.Contains(img.Host, ".dkr.ecr.") {
				region := strings.Split(img.Host, ".")[3]
				opts = append(opts, remote.WithAuth(ecrAuth(reg, region)))
			}
			desc, err := remote.Get(ref, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if desc.Digest.String() != img.Digest || string(desc.MediaType) != img.MediaType {
				t.Fatalf("got %s %s, want %s %s", desc.Digest, desc.MediaType, img.Digest, img.MediaType)
			}
			var got []registry.Platform
			if desc.MediaType.IsIndex() {
				idx, err := desc.ImageIndex()
				if err != nil {
					t.Fatal(err)
				}
				if err := validate.Index(idx); err != nil {
					t.Fatalf("index does not verify: %v", err)
				}
				im, err := idx.IndexManifest()
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range im.Manifests {
					got = append(got, registry.Platform{OS: m.Platform.OS, Architecture: m.Platform.Architecture, OSVersion: m.Platform.OSVersion})
					child, err := idx.Image(m.Digest)
					if err != nil {
						t.Fatal(err)
					}
					checkConfig(t, child, *m.Platform)
				}
			} else {
				im, err := desc.Image()
				if err != nil {
					t.Fatal(err)
				}
				if err := validate.Image(im); err != nil {
					t.Fatalf("image does not verify: %v", err)
				}
				cfg, err := im.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, registry.Platform{OS: cfg.OS, Architecture: cfg.Architecture, OSVersion: cfg.OSVersion})
			}
			if len(got) != len(img.Manifests) {
				t.Fatalf("platforms %v, want %d", got, len(img.Manifests))
			}
			for i, p := range got {
				if p != img.Manifests[i].Platform {
					t.Errorf("platform %d = %v, want %v", i, p, img.Manifests[i].Platform)
				}
			}
		})
	}
}

func checkConfig(t *testing.T, img v1.Image, want v1.Platform) {
	t.Helper()
	if err := validate.Image(img); err != nil {
		t.Fatalf("image does not verify: %v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != want.OS || cfg.Architecture != want.Architecture || cfg.OSVersion != want.OSVersion {
		t.Errorf("config platform %s/%s %s, index says %s", cfg.OS, cfg.Architecture, cfg.OSVersion, want.String())
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers {
		if l.Annotations[registry.SimulatedSizeAnnotation] == "" {
			t.Errorf("layer %s has no simulated size", l.Digest)
		}
	}
}

func TestSeededWindowsBuilds(t *testing.T) {
	reg, _ := start(t)
	want := map[string][]string{
		"mcr.microsoft.com/windows/servercore:ltsc2019":                      {"windows/amd64:" + registry.OSVersion2019},
		"mcr.microsoft.com/windows/servercore:ltsc2022":                      {"windows/amd64:" + registry.OSVersion2022},
		"mcr.microsoft.com/windows/servercore:ltsc2025":                      {"windows/amd64:" + registry.OSVersion2025},
		"mcr.microsoft.com/windows/nanoserver:ltsc2022":                      {"windows/amd64:" + registry.OSVersion2022},
		"mcr.microsoft.com/oss/kubernetes/pause:3.9":                         {"linux/amd64", "windows/amd64:" + registry.OSVersion2019, "windows/amd64:" + registry.OSVersion2022, "windows/amd64:" + registry.OSVersion2025},
		"public.ecr.aws/docker/library/nginx:1.27":                           {"linux/amd64", "linux/arm64"},
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2":    {"windows/amd64:" + registry.OSVersion2022},
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/worker:2.0.0": {"windows/amd64:" + registry.OSVersion2019},
	}
	seen := map[string]bool{}
	for _, img := range reg.Images() {
		w, ok := want[img.Reference()]
		if !ok {
			continue
		}
		seen[img.Reference()] = true
		var got []string
		for _, m := range img.Manifests {
			got = append(got, m.Platform.String())
		}
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("%s: platforms %v, want %v", img.Reference(), got, w)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("seeded %d of the %d expected images", len(seen), len(want))
	}
}

func TestECRRequiresToken(t *testing.T) {
	reg, tr := start(t)
	ref, _ := name.ParseReference("111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2")
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		auth authn.Authenticator
	}{
		{"anonymous", authn.Anonymous},
		{"garbage", &authn.Basic{Username: "AWS", Password: "not-a-token"}},
		{"other user", &authn.Basic{Username: "admin", Password: reg.Tokens().Issue(world.DefaultAccountID, "us-east-1", testNow.Add(time.Hour))}},
		{"expired", &authn.Basic{Username: "AWS", Password: reg.Tokens().Issue(world.DefaultAccountID, "us-east-1", testNow.Add(-time.Second))}},
		{"other region", ecrAuth(reg, "eu-west-1")},
		{"other seed", &authn.Basic{Username: "AWS", Password: registry.NewTokens(7).Issue(world.DefaultAccountID, "us-east-1", testNow.Add(time.Hour))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := remote.Get(ref, remote.WithTransport(tr), remote.WithAuth(tc.auth), remote.WithContext(ctx))
			var terr *transport.Error
			if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
				t.Fatalf("got %v, want 401", err)
			}
		})
	}
	if _, err := remote.Get(ref, remote.WithTransport(tr), remote.WithAuth(ecrAuth(reg, "us-east-1")), remote.WithContext(ctx)); err != nil {
		t.Fatalf("with a valid token: %v", err)
	}
}

func TestChallengeIsBasic(t *testing.T) {
	reg, _ := start(t)
	req := httptest.NewRequest(http.MethodGet, "/v2/", nil)
	req.Host = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
	want := `Basic realm="https://111122223333.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"`
	if got := rec.Header().Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate %q, want %q", got, want)
	}
	req = httptest.NewRequest(http.MethodGet, "/v2/", nil)
	req.Host = "mcr.microsoft.com"
	rec = httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("public /v2/: status %d, want 200", rec.Code)
	}
}

func TestCrossAccountPull(t *testing.T) {
	reg, tr := start(t)
	ref, _ := name.ParseReference("444455556666.dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10")
	if _, err := remote.Get(ref, remote.WithTransport(tr), remote.WithAuth(ecrAuth(reg, "eu-west-1")), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("the sandbox account may pull the partner's repository: %v", err)
	}
	// A third account's token is valid but its repository policy does not allow it.
	other := &authn.Basic{Username: "AWS", Password: reg.Tokens().Issue("999988887777", "eu-west-1", testNow.Add(time.Hour))}
	_, err := remote.Get(ref, remote.WithTransport(tr), remote.WithAuth(other), remote.WithContext(t.Context()))
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != http.StatusForbidden {
		t.Fatalf("got %v, want 403", err)
	}
}

func TestMissing(t *testing.T) {
	reg, tr := start(t)
	for ref, status := range map[string]int{
		"mcr.microsoft.com/windows/servercore:ltsc2016":                http.StatusNotFound,
		"mcr.microsoft.com/windows/nothing:ltsc2022":                   http.StatusNotFound,
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/nope:1": http.StatusNotFound,
		"222233334444.dkr.ecr.us-east-1.amazonaws.com/anything:1":      http.StatusForbidden,
		"docker.io/library/nginx@sha256:" + strings.Repeat("0", 64):    http.StatusNotFound,
		"index.docker.io/library/nginx:1.27":                           0,
		"ghcr.io/example/unknown:1":                                    http.StatusNotFound,
	} {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		opts := []remote.Option{remote.WithTransport(tr), remote.WithContext(t.Context())}
		if strings.Contains(ref, ".dkr.ecr.") {
			opts = append(opts, remote.WithAuth(ecrAuth(reg, "us-east-1")))
		}
		_, err = remote.Get(r, opts...)
		if status == 0 {
			if err != nil {
				t.Errorf("%s: %v", ref, err)
			}
			continue
		}
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != status {
			t.Errorf("%s: got %v, want %d", ref, err, status)
		}
	}
}

func TestRoute(t *testing.T) {
	reg, _ := start(t)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := reg.Route(api)
	for _, tc := range []struct {
		host, path string
		want       int
	}{
		{"mcr.microsoft.com", "/v2/", http.StatusOK},
		{"mcr.microsoft.com:443", "/v2/windows/servercore/tags/list", http.StatusOK},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com", "/v2/", http.StatusUnauthorized},
		{"127.0.0.1:4566", "/v2/", http.StatusTeapot},
		{"127.0.0.1:4566", "/", http.StatusTeapot},
		{"mcr.microsoft.com", "/CreateComponent", http.StatusTeapot},
	} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Host = tc.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s%s: %d, want %d", tc.host, tc.path, rec.Code, tc.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := registry.New(registry.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := registry.New(registry.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	ia, ib := a.Images(), b.Images()
	if len(ia) != len(ib) {
		t.Fatalf("%d images, then %d", len(ia), len(ib))
	}
	for i := range ia {
		if ia[i].Digest != ib[i].Digest {
			t.Errorf("%s: digest %s, then %s", ia[i].Reference(), ia[i].Digest, ib[i].Digest)
		}
	}
}
