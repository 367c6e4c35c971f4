package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/registry"
)

// The announcement names the registries the sandbox really serves: every
// named host, and every host its patterns match, answers /v2/ as a registry.
func TestAnnouncementNamesTheServedRegistries(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566"+sandbox.AnnouncementPath, nil)
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s", sandbox.AnnouncementPath, rec.Code, rec.Body)
	}
	var a sandbox.Announcement
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != sandbox.AnnouncementKind || a.Version != 1 {
		t.Errorf("kind %q version %d", a.Kind, a.Version)
	}
	if a.Registries.Endpoint != "http://127.0.0.1:4566" {
		t.Errorf("endpoint %q, want the address the client reached", a.Registries.Endpoint)
	}
	if a.Registries.SizeAnnotation != registry.SimulatedSizeAnnotation {
		t.Errorf("sizeAnnotation %q", a.Registries.SizeAnnotation)
	}
	for _, h := range []string{registry.MCRHost, registry.ECRPublicHost, registry.DockerHubAlias, registry.ECRHost("999988887777", "eu-west-1")} {
		if !slices.ContainsFunc(a.Registries.Hosts, func(p string) bool { ok, _ := path.Match(p, h); return ok }) {
			t.Errorf("%s matches none of %v", h, a.Registries.Hosts)
		}
		if !srv.Registry().Serves(h) {
			t.Errorf("announced %s is not served", h)
		}
	}
	for _, p := range a.Registries.Hosts {
		if !strings.ContainsAny(p, "*?") && !srv.Registry().Serves(p) {
			t.Errorf("announced %s is not served", p)
		}
	}
	if slices.ContainsFunc(a.Registries.Hosts, func(p string) bool { ok, _ := path.Match(p, "quay.io"); return ok }) {
		t.Errorf("quay.io is announced but not served")
	}

	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566"+sandbox.AnnouncementPath, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}
