package fastlaunch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
)

// DefaultLimit is how many EC2 calls a fan-out makes at once: enough to
// follow a build's regions together, few enough not to be throttled.
const DefaultLimit = 8

// WaitAllOptions tune WaitAll.
type WaitAllOptions struct {
	// Interval between two rounds of reads (default 15 s).
	Interval time.Duration
	// Timeout: targets not enabled by then are reported still in their
	// state; zero looks once. Fast Launch goes on regardless.
	Timeout time.Duration
	// Clock tells the time and waits (default: the wall clock).
	Clock clock.Clock
	// Limit is the most calls made at once (default DefaultLimit).
	Limit int
	// OnChange hears each target's first state and every change after it,
	// one call at a time, in the order of the targets within a round.
	OnChange func(Status)
}

// WaitFailure is one target that did not reach enabled.
type WaitFailure struct {
	Target Target
	// Status is the last state read (zero when none could be read).
	Status Status
	// TimedOut: the target was still in Status.State when Timeout passed;
	// Err is nil then.
	TimedOut bool
	Timeout  time.Duration
	// Err is why the wait for it ended: a *FailedError when EC2 reports a
	// failed state, else the AMI has no Fast Launch, is in a state that
	// does not lead to enabled, or could not be read.
	Err error
}

func (f WaitFailure) String() string {
	if f.TimedOut {
		return fmt.Sprintf("%s in %s: still %s after %s", f.Target.AMI, f.Target.Region, f.Status.State, f.Timeout)
	}
	return f.Err.Error()
}

// WaitError is every target of a WaitAll that did not reach enabled.
type WaitError struct {
	Timeout  time.Duration
	Failures []WaitFailure
}

func (e *WaitError) Error() string {
	lines := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		lines[i] = f.String()
	}
	return "Fast Launch is not enabled: " + strings.Join(lines, "; ")
}

// TimedOut reports whether every failure is only the timeout passing.
func (e *WaitError) TimedOut() bool {
	for _, f := range e.Failures {
		if !f.TimedOut {
			return false
		}
	}
	return len(e.Failures) > 0
}

// Unwrap is the failures' errors, for errors.As (a *FailedError).
func (e *WaitError) Unwrap() []error {
	var errs []error
	for _, f := range e.Failures {
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	return errs
}

// WaitAll follows every target until Fast Launch is enabled, failed, gone
// or the timeout passes, reading all targets still on their way once a
// round (at most Limit calls at once) and sleeping Interval between
// rounds. It returns each target's last status, in the order of targets,
// and a *WaitError naming every target that did not reach enabled; a
// target's failure does not stop the others, whose outcome is part of the
// answer. Only ctx ending stops the wait early, with ctx's error.
func WaitAll(ctx context.Context, ec2For func(region string) awsapi.EC2API, targets []Target, o WaitAllOptions) ([]Status, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultWaitInterval
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Limit <= 0 {
		o.Limit = DefaultLimit
	}
	deadline := o.Clock.Now().Add(o.Timeout)
	statuses := make([]Status, len(targets))
	errs := make([]error, len(targets))
	done := make([]bool, len(targets))
	reported := make([]string, len(targets)) // the state OnChange last heard
	pending := len(targets)
	for pending > 0 {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(o.Limit)
		for i, t := range targets {
			if done[i] {
				continue
			}
			g.Go(func() error {
				st, end, err := look(gctx, ec2For(t.Region), t)
				if err != nil && ctx.Err() != nil {
					return ctx.Err() // interrupted: the round is useless
				}
				if st.AMI != "" {
					statuses[i] = st
				}
				done[i], errs[i] = end, err
				return nil
			})
		}
		// Each goroutine writes only its own index; Wait orders the writes
		// before the reads below.
		if err := g.Wait(); err != nil {
			return statuses, err
		}
		pending = 0
		for i, st := range statuses {
			if o.OnChange != nil && st.AMI != "" && st.State != reported[i] {
				reported[i] = st.State
				o.OnChange(st)
			}
			if !done[i] {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		left := deadline.Sub(o.Clock.Now())
		if left <= 0 {
			break
		}
		if err := o.Clock.Sleep(ctx, min(o.Interval, left)); err != nil {
			return statuses, err
		}
	}
	return statuses, waitError(targets, statuses, done, errs, o.Timeout)
}

func waitError(targets []Target, statuses []Status, done []bool, errs []error, timeout time.Duration) error {
	e := &WaitError{Timeout: timeout}
	for i, t := range targets {
		switch {
		case !done[i]:
			e.Failures = append(e.Failures, WaitFailure{Target: t, Status: statuses[i], TimedOut: true, Timeout: timeout})
		case errs[i] != nil:
			e.Failures = append(e.Failures, WaitFailure{Target: t, Status: statuses[i], Err: errs[i]})
		}
	}
	if len(e.Failures) == 0 {
		return nil
	}
	return e
}

// IsTimeout reports whether err is a WaitAll that ended only by its timeout.
func IsTimeout(err error) bool {
	var we *WaitError
	return errors.As(err, &we) && we.TimedOut()
}
