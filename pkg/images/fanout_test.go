package images

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/winami/winami/test/inflight"
)

// inFlight is a transport that fails every request after a moment and
// records the most requests it ever had in flight.
type inFlight struct{ c inflight.Counter }

func (f *inFlight) RoundTrip(*http.Request) (*http.Response, error) {
	_, leave := f.c.Enter()
	defer leave()
	time.Sleep(5 * time.Millisecond)
	return nil, errors.New("connection refused")
}

// TestCheckIsBounded: Concurrency images are read at once, and each
// failure is that image's verdict while the others are still read.
func TestCheckIsBounded(t *testing.T) {
	tr := &inFlight{}
	c := NewChecker(Options{Transport: tr, Keychain: authn.NewMultiKeychain(), Concurrency: 2})
	var refs []string
	for i := range 8 {
		refs = append(refs, fmt.Sprintf("registry.example/team/app-%d:1.0", i))
	}
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, refs...))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Images {
		if r.Verdict != Error || r.Image == "" {
			t.Errorf("%+v, want an error verdict of its own", r)
		}
	}
	if got := tr.c.Peak(); got != 2 {
		t.Errorf("%d requests in flight at most, want 2 (Concurrency)", got)
	}
}
