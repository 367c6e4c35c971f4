package images

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/registry"
)

func TestLoopbackHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4566": "127.0.0.1:4566",
		"127.0.0.1:4566":        "127.0.0.1:4566",
		"http://localhost:4566": "localhost:4566",
		"http://[::1]:4566/":    "[::1]:4566",
		"http://127.0.0.2":      "127.0.0.2:80",
	} {
		if got, ok := LoopbackHostPort(in); !ok || got != want {
			t.Errorf("LoopbackHostPort(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "https://ssm.us-east-1.amazonaws.com", "http://10.0.0.1:4566", "https://127.0.0.1:4566", "http://example.com:4566"} {
		if got, ok := LoopbackHostPort(in); ok {
			t.Errorf("LoopbackHostPort(%q) = %q, true; want not loopback", in, got)
		}
	}
}

// The checker asks a standalone sandbox, found by its announcement alone,
// for images of every host it serves, and refuses, without a request, a
// host it does not serve.
func TestCheckAsksTheAnnouncedSandbox(t *testing.T) {
	e := startSandbox(t)
	addr := strings.TrimPrefix(e.srv.URL(), "http://")
	var asked atomic.Int32
	c := NewChecker(Options{
		ECR:      e.ecrClients(t),
		Keychain: authn.NewMultiKeychain(),
		// Unused: the sandbox's answer replaces it.
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			t.Errorf("request to %s did not go to the sandbox", r.URL)
			return nil, http.ErrUseLastResponse
		}),
		Registries: func(ctx context.Context) (*Registries, error) {
			asked.Add(1)
			sb, err := AskSandbox(ctx, addr)
			if err != nil || sb == nil {
				t.Fatalf("AskSandbox: %v, %v", sb, err)
			}
			return sb.Registries(), nil
		},
	})
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t,
		"mcr.microsoft.com/windows/servercore:ltsc2022",
		registry.ECRHost("111122223333", "us-east-1")+"/payments/api:1.4.2",
		"quay.io/example/app:1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("the sandbox was asked %d times, want once", n)
	}
	for _, r := range rep.Images[:2] {
		if r.Verdict != Compatible {
			t.Errorf("%s: %+v", r.Image, r)
		}
	}
	// The announced size annotation is applied: servercore stands for GBs.
	if rep.Images[0].CompressedBytes < 1<<30 {
		t.Errorf("servercore adds %d bytes: the size annotation was not used", rep.Images[0].CompressedBytes)
	}
	q := rep.Images[2]
	if q.Verdict != Error || q.ErrorKind != Unreachable || !strings.Contains(q.Reason, "serves no registry quay.io") || !strings.Contains(q.Reason, addr) {
		t.Errorf("quay.io: %+v", q)
	}
}

// A server that is no sandbox (another local AWS imitation) is not taken
// for one; a dead address is an error.
func TestAskSandboxOfOtherServers(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	u, _ := url.Parse(other.URL)
	if sb, err := AskSandbox(t.Context(), u.Host); sb != nil || err != nil {
		t.Errorf("AskSandbox(404 server) = %+v, %v; want nil, nil", sb, err)
	}
	other.Close()
	if _, err := AskSandbox(t.Context(), u.Host); err == nil {
		t.Errorf("AskSandbox(closed) succeeded")
	}
	if _, err := AskSandbox(t.Context(), "192.0.2.1:4566"); err == nil || !strings.Contains(err.Error(), "not on loopback") {
		t.Errorf("AskSandbox(off loopback) = %v", err)
	}
}

// A host whose /v2/ is a web page or another API's error is named as not a
// registry, without its page in the reason.
func TestCheckNotARegistry(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>"))
	}))
	defer page.Close()
	e := startSandbox(t)
	host := strings.TrimPrefix(page.URL, "http://")
	sbHost := strings.TrimPrefix(e.srv.URL(), "http://") // the AWS API, not a registry
	c := NewChecker(Options{Keychain: authn.NewMultiKeychain()})
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, host+"/app:1.0", sbHost+"/app:1.0"))
	if err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{"404 Not Found (text/html)", "400 Bad Request (application/json)"} {
		r := rep.Images[i]
		if r.Verdict != Error || r.ErrorKind != NotARegistry || !strings.Contains(r.Reason, "answered GET /v2/ with "+status) ||
			strings.Contains(r.Reason, "<") || strings.Contains(r.Reason, "__type") {
			t.Errorf("%s: %+v", r.Image, r)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// winami and the sandbox each keep their own copy of the announcement's
// path and kind; they must agree.
func TestAnnouncementAgreesWithTheSandbox(t *testing.T) {
	if SandboxAnnouncementPath != sandbox.AnnouncementPath || sandboxKind != sandbox.AnnouncementKind {
		t.Errorf("winami asks %s for kind %q; the sandbox serves %s with kind %q",
			SandboxAnnouncementPath, sandboxKind, sandbox.AnnouncementPath, sandbox.AnnouncementKind)
	}
}
