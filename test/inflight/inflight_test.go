package inflight

import (
	"sync"
	"testing"
)

func TestCounter(t *testing.T) {
	var c Counter
	_, leave1 := c.Enter()
	n, leave2 := c.Enter()
	leave2()
	leave1()
	_, leave3 := c.Enter()
	leave3()
	if n != 2 || c.Peak() != 2 || c.Calls() != 3 {
		t.Errorf("second call %d, peak %d, calls %d; want 2, 2, 3", n, c.Peak(), c.Calls())
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, leave := c.Enter(); leave() })
	}
	wg.Wait()
	if c.Calls() != 53 || c.Peak() > 50 {
		t.Errorf("calls %d, peak %d", c.Calls(), c.Peak())
	}
}
