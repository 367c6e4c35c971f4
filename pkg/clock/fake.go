package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a clock for tests: Sleep returns at once and moves the time on by
// the duration asked, so a poll loop runs through its timeout instantly and
// the test can read how long the workflow would have waited.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	OnWake func(now time.Time) // called after each Sleep, outside the lock
}

// NewFake starts a fake clock at t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now is the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the fake time on by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Sleep moves the time on by d and returns, unless ctx has ended.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.now = f.now.Add(max(d, 0))
	f.slept = append(f.slept, d)
	now, wake := f.now, f.OnWake
	f.mu.Unlock()
	if wake != nil {
		wake(now)
	}
	return nil
}

// Slept is every duration Sleep was asked for, in order.
func (f *Fake) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}
