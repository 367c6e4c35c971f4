package images

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/test/hostile"
)

// TestCheckHostileRegistry: a registry that never answers, or answers with
// a body without end, fails its image within the limits instead of holding
// the check (and its memory) for ever.
func TestCheckHostileRegistry(t *testing.T) {
	hang := strings.TrimPrefix(hostile.Hang(t), "http://")
	endless := strings.TrimPrefix(hostile.Endless(t, "application/json", `{"schemaVersion":2,`), "http://")
	c := NewChecker(Options{Keychain: authn.NewMultiKeychain(), Limits: httpbound.Limits{Timeout: 500 * time.Millisecond, MaxBody: 1 << 20}})
	start := time.Now()
	rep, err := c.Check(t.Context(), HostBuild{Build: 20348}, mustRefs(t, hang+"/app:1.0", endless+"/app:1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the check took %s", took)
	}
	for _, r := range rep.Images {
		if r.Verdict != Error {
			t.Errorf("%s: %+v; want an error", r.Image, r)
		}
		t.Logf("%s: %s", r.Image, r.Reason)
	}
}
