package drift

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestLookupsOnceAKey: many clusters asking for one key at once make one
// lookup and share its answer, error included; another key is its own
// lookup; without a memo every call looks up.
func TestLookupsOnceAKey(t *testing.T) {
	var calls atomic.Int32
	find := func(context.Context) (LatestRelease, error) {
		calls.Add(1)
		return LatestRelease{AMI: "ami-1"}, nil
	}
	l := NewLookups(t.Context())
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if got, err := l.do(t.Context(), "spec\x00us-east-1\x00a", find); err != nil || got.AMI != "ami-1" {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d lookups for one key, want 1", calls.Load())
	}
	if _, err := l.do(t.Context(), "spec\x00us-west-2\x00a", find); err != nil || calls.Load() != 2 {
		t.Errorf("another region's key: %d lookups, %v", calls.Load(), err)
	}
	failing := func(context.Context) (LatestRelease, error) {
		calls.Add(1)
		return LatestRelease{}, errors.New("AccessDenied")
	}
	for range 2 {
		if _, err := l.do(t.Context(), "channel\x00us-east-1\x00/p", failing); err == nil || err.Error() != "AccessDenied" {
			t.Errorf("err = %v", err)
		}
	}
	if calls.Load() != 3 {
		t.Errorf("%d lookups, want 3 (a failure is shared too)", calls.Load())
	}
	var none *Lookups
	for range 2 {
		_, _ = none.do(t.Context(), "k", find)
	}
	if calls.Load() != 5 {
		t.Errorf("without a memo: %d lookups, want 5", calls.Load())
	}
}

// TestLookupsOutliveOneCluster: the shared lookup runs with the memo's
// context, so the cluster that started it ending (its own failure
// cancelling its run) does not fail the others waiting for the answer.
func TestLookupsOutliveOneCluster(t *testing.T) {
	l := NewLookups(t.Context())
	first, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := l.do(first, "k", func(ctx context.Context) (LatestRelease, error) {
		return LatestRelease{AMI: "ami-1"}, ctx.Err()
	})
	if err != nil || got.AMI != "ami-1" {
		t.Errorf("got %+v, %v", got, err)
	}
}
