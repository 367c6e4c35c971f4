// Package httpbound bounds what one HTTP exchange may cost: a time limit
// that covers the response headers and the whole body, and a size limit
// on the body. Endpoints that hang, trickle a byte a second or stream a body
// without end would otherwise hold winami (and its memory) for ever; AWS,
// Kubernetes API servers and registries answer in far less of either.
package httpbound

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Limits are the bounds of one request. Zero means unbounded.
type Limits struct {
	// Timeout covers sending the request, the response headers and reading
	// the whole body.
	Timeout time.Duration
	// MaxBody is the most bytes of a response body that are read.
	MaxBody int64
}

// Defaults are the limits when nothing chooses others: generous for any
// API winami calls (a page of 1000 EC2 instances is a few MB and comes in
// seconds), tight enough that a hostile endpoint cannot hold winami.
func Defaults() Limits { return Limits{Timeout: 30 * time.Second, MaxBody: 64 << 20} }

// OrDefaults fills zero fields from Defaults.
func (l Limits) OrDefaults() Limits {
	d := Defaults()
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MaxBody <= 0 {
		l.MaxBody = d.MaxBody
	}
	return l
}

// TimeoutError is a request that did not finish within Limits.Timeout.
type TimeoutError struct {
	Host  string
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not answer within %s (the per-call timeout; raise it with --call-timeout if the endpoint is just slow)", e.Host, e.Limit)
}

// Timeout marks it as a timeout for net.Error checks.
func (e *TimeoutError) Timeout() bool { return true }

// Temporary is false: retrying a hung endpoint at once rarely helps.
func (e *TimeoutError) Temporary() bool { return false }

// TooLargeError is a response body past Limits.MaxBody.
type TooLargeError struct {
	Host    string
	MaxBody int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s sent a reply larger than %d MiB, more than any API winami calls sends: the endpoint is not what it should be", e.Host, e.MaxBody>>20)
}

// Transport wraps base (http.DefaultTransport when nil) with the limits.
func Transport(base http.RoundTripper, l Limits) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base, l: l}
}

type transport struct {
	base http.RoundTripper
	l    Limits
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	var timedOut func() bool
	if t.l.Timeout > 0 {
		var cause context.CancelCauseFunc
		ctx, cause = context.WithCancelCause(req.Context())
		timeout := &TimeoutError{Host: req.URL.Host, Limit: t.l.Timeout} // made here: req is replaced below
		timer := time.AfterFunc(t.l.Timeout, func() { cause(timeout) })
		cancel = func() { timer.Stop(); cause(context.Canceled) }
		timedOut = func() bool { _, ok := context.Cause(ctx).(*TimeoutError); return ok }
		req = req.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if timedOut != nil && timedOut() {
			err = context.Cause(ctx)
		}
		cancel()
		return nil, err
	}
	resp.Body = &body{rc: resp.Body, left: t.l.MaxBody, limited: t.l.MaxBody > 0, host: req.URL.Host,
		max: t.l.MaxBody, cancel: cancel, timedOut: timedOut, ctx: ctx}
	return resp, nil
}

// body enforces the size limit, turns a timeout while reading into a
// TimeoutError, and releases the timer when closed.
type body struct {
	rc       io.ReadCloser
	left     int64
	limited  bool
	host     string
	max      int64
	once     sync.Once
	cancel   context.CancelFunc
	timedOut func() bool
	ctx      context.Context
}

func (b *body) Read(p []byte) (int, error) {
	if b.limited {
		if b.left <= 0 {
			// One byte more tells a body of exactly max from a longer one.
			var one [1]byte
			if n, _ := b.rc.Read(one[:]); n > 0 {
				return 0, &TooLargeError{Host: b.host, MaxBody: b.max}
			}
			return 0, io.EOF
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.timedOut != nil && b.timedOut() {
		err = context.Cause(b.ctx)
	}
	return n, err
}

func (b *body) Close() error {
	err := b.rc.Close()
	b.once.Do(b.cancel)
	return err
}
