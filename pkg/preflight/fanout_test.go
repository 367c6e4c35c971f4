package preflight

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestEachAtOnceIsBoundedAndRunsAll: every check runs, however many, and
// at most maxAtOnce together.
func TestEachAtOnceIsBoundedAndRunsAll(t *testing.T) {
	const n = 3 * maxAtOnce
	var now, peak atomic.Int32
	var mu sync.Mutex
	ran := make([]bool, n)
	eachAtOnce(n, func(i int) {
		c := now.Add(1)
		defer now.Add(-1)
		for m := peak.Load(); c > m && !peak.CompareAndSwap(m, c); m = peak.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		mu.Lock()
		ran[i] = true
		mu.Unlock()
	})
	for i, ok := range ran {
		if !ok {
			t.Errorf("check %d did not run", i)
		}
	}
	if got := peak.Load(); got > maxAtOnce || got < 2 {
		t.Errorf("%d checks at once, want between 2 and %d", got, maxAtOnce)
	}
}
