package images

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// inFlight is a transport that fails every request after a moment and
// records the most requests it ever had in flight.
type inFlight struct{ now, peak atomic.Int32 }

func (f *inFlight) RoundTrip(*http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for m := f.peak.Load(); n > m && !f.peak.CompareAndSwap(m, n); m = f.peak.Load() {
	}
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
	if got := tr.peak.Load(); got != 2 {
		t.Errorf("%d requests in flight at most, want 2 (Concurrency)", got)
	}
}
