package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrInterrupted ends a rollout whose context was cancelled (Ctrl-C): the
// changes in flight go on, and running the same command again follows them.
var ErrInterrupted = errors.New("interrupted: the changes already made go on; run the same command again to follow them")

// follow is a group being followed in a wave.
type follow struct {
	g        *Group
	d        Driver
	verified bool
	last     Event // the last progress event sent, to send changes only
	// kubelet is what the AMI itself says of its kubelet (maybe only the
	// Kubernetes minor): each poll narrows it again to the patch most of
	// the nodes on the AMI run, since one AMI gives all its nodes one.
	kubelet string
}

// Apply makes the plan's changes wave by wave. A wave passes when every
// group of it is done and verified on its nodes; one that fails (a change
// that fails, or nodes that do not verify within the timeout) stops the
// rollout and, unless NoRollback, puts back every change made, newest
// first. A cancelled context stops following at once and changes nothing
// more (ErrInterrupted).
func (r *Runner) Apply(ctx context.Context, p *Plan) (*Result, error) {
	res := &Result{Outcome: "nothing-to-do", Groups: p.Groups}
	var changed []*follow
	for wi, wave := range p.Waves {
		res.Outcome = "succeeded"
		var fs []*follow
		for _, id := range wave {
			g := p.Group(id)
			f := &follow{g: g, d: r.Drivers[g.Method], kubelet: g.Expect.Kubelet}
			if err := r.begin(ctx, f, wi+1); err != nil {
				if ctx.Err() != nil {
					return r.interrupted(res)
				}
				return r.fail(ctx, res, changed, g, err.Error())
			}
			fs = append(fs, f)
			changed = append(changed, f)
		}
		failed, reason, err := r.followWave(ctx, fs, wi+1)
		if err != nil {
			if ctx.Err() != nil {
				return r.interrupted(res)
			}
			return res, err
		}
		if failed != nil {
			return r.fail(ctx, res, changed, failed, reason)
		}
	}
	r.emit(Event{Type: EventDone, Message: res.Outcome})
	return res, nil
}

// begin starts a group's change, or finds it already in flight.
func (r *Runner) begin(ctx context.Context, f *follow, wave int) error {
	inFlight, err := f.d.InFlight(ctx, f.g)
	if err != nil {
		return fmt.Errorf("looking for a change in flight: %w", err)
	}
	if inFlight {
		f.g.State.Resumed = true
		r.emit(Event{Type: EventResume, Group: f.g.Name, Kind: f.g.Kind, Wave: wave, Total: f.g.Nodes, Message: "following the change already in flight"})
		return nil
	}
	if err := f.d.Start(ctx, f.g); err != nil {
		return fmt.Errorf("starting: %w", err)
	}
	r.emit(Event{Type: EventStart, Group: f.g.Name, Kind: f.g.Kind, Wave: wave, Total: f.g.Nodes, Message: f.g.Change})
	return nil
}

// followWave polls the wave's changes and nodes until every group is
// verified, one fails, or the wave's time is up.
func (r *Runner) followWave(ctx context.Context, fs []*follow, wave int) (failed *Group, reason string, err error) {
	deadline := r.Clock.Now().Add(r.timeout())
	for {
		nodes, err := r.Observer.Observe(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("reading the cluster's nodes: %w", err)
		}
		pending := 0
		var late []string
		for _, f := range fs {
			if f.verified {
				continue
			}
			prog, err := f.d.Poll(ctx, f.g)
			if err != nil {
				return nil, "", fmt.Errorf("%s: reading its change: %w", f.g.ID(), err)
			}
			if strings.Count(kubeletCore(f.kubelet), ".") < 2 {
				e := Expect{AMI: f.g.Expect.AMI, Kubelet: f.kubelet, WindowsBuild: f.g.Expect.WindowsBuild}
				fillFromNodes(&e, nodes)
				f.g.Expect.Kubelet = e.Kubelet
			}
			check := r.verify(nodes, f.g)
			r.progress(f, wave, prog, check)
			if prog.Failed != "" {
				return f.g, fmt.Sprintf("%s: %s", f.g.ID(), prog.Failed), nil
			}
			if prog.AtCheckpoint && canaryVerified(f.g, check) {
				if err := f.d.Continue(ctx, f.g); err != nil {
					return nil, "", fmt.Errorf("%s: going on after the canary: %w", f.g.ID(), err)
				}
			}
			if prog.Done && allVerified(check) {
				f.verified = true
				r.emit(Event{Type: EventVerified, Group: f.g.Name, Kind: f.g.Kind, Wave: wave, Phase: prog.Phase,
					Replaced: check.Verified, Total: check.Total, Message: "every node runs " + f.g.Expect.AMI + " and passed its checks"})
				continue
			}
			pending++
			late = append(late, lateReason(f.g, prog, check))
		}
		if pending == 0 {
			return nil, "", nil
		}
		if !r.Clock.Now().Before(deadline) {
			for _, f := range fs {
				if !f.verified {
					return f.g, fmt.Sprintf("wave %d did not verify within %s: %s", wave, r.timeout(), strings.Join(late, "; ")), nil
				}
			}
		}
		if err := r.Clock.Sleep(ctx, r.poll()); err != nil {
			return nil, "", err
		}
	}
}

// canaryVerified: a group paused at its checkpoint has at least its
// canary's nodes on the AMI, every one of them passing.
func canaryVerified(g *Group, c Check) bool {
	return c.Verified >= max(g.CanaryNodes, 1) && len(c.Problems) == 0
}

// allVerified: every node of the group is on the AMI and passes.
func allVerified(c Check) bool {
	return c.Total > 0 && c.Old == 0 && len(c.Problems) == 0 && c.Verified == c.Total
}

// lateReason says what a group still waits for.
func lateReason(g *Group, prog Progress, c Check) string {
	s := fmt.Sprintf("%s: %s, %d of %d nodes verified", g.ID(), orDash(prog.Phase), c.Verified, c.Total)
	if c.Old > 0 {
		s += fmt.Sprintf(", %d still on the old AMI", c.Old)
	}
	if len(c.Problems) > 0 {
		s += " (" + strings.Join(c.Problems, "; ") + ")"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progress sends a group's progress when it moved.
func (r *Runner) progress(f *follow, wave int, prog Progress, c Check) {
	e := Event{Type: EventProgress, Group: f.g.Name, Kind: f.g.Kind, Wave: wave, Phase: prog.Phase, Replaced: c.Verified, Total: c.Total}
	if prog.AtCheckpoint {
		e.Message = "paused at the canary checkpoint"
	}
	if len(c.Problems) > 0 {
		e.Message = strings.Join(c.Problems, "; ")
	}
	if e.Phase == f.last.Phase && e.Replaced == f.last.Replaced && e.Total == f.last.Total && e.Message == f.last.Message {
		return
	}
	f.last = e
	r.emit(e)
}

// fail ends a rollout whose wave failed, putting back what changed.
func (r *Runner) fail(ctx context.Context, res *Result, changed []*follow, g *Group, reason string) (*Result, error) {
	res.Outcome, res.Failure, res.FailedGroup = "failed", reason, g.ID()
	r.emit(Event{Type: EventFailed, Group: g.Name, Kind: g.Kind, Message: reason})
	if r.NoRollback {
		res.PutBack = append(res.PutBack, "nothing: --no-rollback leaves every change as it is")
		return res, nil
	}
	for _, f := range slices.Backward(changed) {
		what, err := r.rollback(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				res.PutBack = append(res.PutBack, f.g.ID()+": interrupted while putting back ("+what+")")
				return res, ErrInterrupted
			}
			res.PutBack = append(res.PutBack, fmt.Sprintf("%s: NOT put back: %v", f.g.ID(), err))
			continue
		}
		res.PutBack = append(res.PutBack, f.g.ID()+": "+what)
	}
	return res, nil
}

// rollback calls the driver's Rollback each poll until it is done or the
// timeout passes.
func (r *Runner) rollback(ctx context.Context, f *follow) (string, error) {
	deadline := r.Clock.Now().Add(r.timeout())
	last := ""
	for {
		done, what, err := f.d.Rollback(ctx, f.g)
		if err != nil {
			return last, err
		}
		if what != last {
			r.emit(Event{Type: EventRollback, Group: f.g.Name, Kind: f.g.Kind, Message: what})
			last = what
		}
		if done {
			return what, nil
		}
		if !r.Clock.Now().Before(deadline) {
			return last, fmt.Errorf("still not put back after %s (%s)", r.timeout(), what)
		}
		if err := r.Clock.Sleep(ctx, r.poll()); err != nil {
			return last, err
		}
	}
}

func (r *Runner) interrupted(res *Result) (*Result, error) {
	res.Outcome = "interrupted"
	return res, ErrInterrupted
}

func (r *Runner) emit(e Event) {
	if r.Events == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = r.Clock.Now()
	}
	r.Events(e)
}

func (r *Runner) poll() time.Duration {
	if r.Poll > 0 {
		return r.Poll
	}
	return DefaultPoll
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}
