package drift

import (
	"context"
	"sync"
)

// Lookups remembers the desired state's lookups (a spec's newest AMI, a
// channel's AMI, the newest EKS release of a kind), each by region, so
// that the clusters a fleet reads with one account share one lookup of
// each instead of making the same calls once per cluster. A lookup in
// flight is waited for, not repeated; a failed one fails every cluster
// that needed it, as it would have failed each. Safe for concurrent use;
// nil (one cluster) looks everything up each time.
type Lookups struct {
	// ctx bounds the shared lookups: the fleet's, not one cluster's run,
	// whose end (a failure of its own) must not fail the others waiting.
	ctx  context.Context
	mu   sync.Mutex
	done map[string]*lookup
}

// lookup is one lookup's answer: the AMI (and for a release, its
// version and date).
type lookup struct {
	ready chan struct{}
	found LatestRelease
	err   error
}

// NewLookups is an empty memo for one account's clusters, read within ctx.
func NewLookups(ctx context.Context) *Lookups {
	return &Lookups{ctx: ctx, done: map[string]*lookup{}}
}

// do returns what find gives for key, calling it once per key (with the
// memo's context; without a memo, with ctx).
func (l *Lookups) do(ctx context.Context, key string, find func(context.Context) (LatestRelease, error)) (LatestRelease, error) {
	if l == nil {
		return find(ctx)
	}
	l.mu.Lock()
	if e, ok := l.done[key]; ok {
		l.mu.Unlock()
		<-e.ready
		return e.found, e.err
	}
	e := &lookup{ready: make(chan struct{})}
	l.done[key] = e
	l.mu.Unlock()
	e.found, e.err = find(l.ctx)
	close(e.ready)
	return e.found, e.err
}
