// Package inflight counts the calls a test fake has in flight, so that a
// test can tell a fan-out keeps to its limit and stops when it should.
package inflight

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Counter counts calls: how many were made, how many are in flight, and
// the most that ever were at once. Its zero value is ready; it is safe
// for concurrent use.
type Counter struct{ now, peak, calls atomic.Int32 }

// Enter counts a call in and returns its number (1 for the first) and the
// function that counts it out.
func (c *Counter) Enter() (n int32, leave func()) {
	n = c.calls.Add(1)
	now := c.now.Add(1)
	for p := c.peak.Load(); now > p && !c.peak.CompareAndSwap(p, now); p = c.peak.Load() {
	}
	return n, func() { c.now.Add(-1) }
}

// Peak is the most calls that were in flight at once.
func (c *Counter) Peak() int32 { return c.peak.Load() }

// Calls is how many calls were made.
func (c *Counter) Calls() int32 { return c.calls.Load() }

// Hold waits for ctx to end, as a slow call would, and returns ctx.Err().
// A call nobody cancels gives up after a second with another error, so a
// test of cancellation fails rather than hangs.
func Hold(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Second):
		return errors.New("held for a second and nobody cancelled the call")
	}
}
