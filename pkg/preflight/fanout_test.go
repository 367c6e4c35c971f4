package preflight

import (
	"slices"
	"testing"
	"time"

	"github.com/winami/winami/test/inflight"
)

// TestEachAtOnceIsBoundedAndRunsAll: every check runs, however many, and
// at most maxAtOnce together.
func TestEachAtOnceIsBoundedAndRunsAll(t *testing.T) {
	const n = 3 * maxAtOnce
	var c inflight.Counter
	ran := make([]bool, n)
	eachAtOnce(n, func(i int) {
		_, leave := c.Enter()
		defer leave()
		time.Sleep(2 * time.Millisecond)
		ran[i] = true // each i once: no lock needed
	})
	if i := slices.Index(ran, false); i >= 0 {
		t.Errorf("check %d did not run", i)
	}
	if got := c.Peak(); got > maxAtOnce || got < 2 {
		t.Errorf("%d checks at once, want between 2 and %d", got, maxAtOnce)
	}
}
