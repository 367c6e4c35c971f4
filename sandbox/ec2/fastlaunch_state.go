package ec2

import (
	"time"

	"github.com/winami/winami/sandbox/world"
)

// DefaultFastLaunchPace is how long EC2 Fast Launch takes to move from
// enabling to enabled (or enabling-failed), and from disabling to removed.
const DefaultFastLaunchPace = 3 * time.Second

// Option configures the EC2 service.
type Option func(*service)

// WithFastLaunchPace sets how long Fast Launch stays enabling or disabling
// before it settles; 0 or less keeps DefaultFastLaunchPace.
func WithFastLaunchPace(d time.Duration) Option {
	return func(s *service) {
		if d > 0 {
			s.fastLaunchPace = d
		}
	}
}

// Lifecycle reasons EC2 reports in StateTransitionReason.
const (
	reasonUserInitiated = "Client.UserInitiated"
	reasonLifecycle     = "Client.UserInitiated - Lifecycle state transition"
)

// settle is Fast Launch state as it stands at now: enabling becomes enabled
// (or enabling-failed, when a failure is pending) and disabling becomes
// removed (nil) once the pace has passed. State advances lazily like this,
// on every read and before every change, so that no timer runs; it never
// changes fl itself.
func settle(fl *world.FastLaunch, now time.Time, pace time.Duration) *world.FastLaunch {
	if fl == nil {
		return nil
	}
	done := fl.StateTransitionTime.Add(pace)
	if now.Before(done) {
		return fl
	}
	switch fl.State {
	case world.FastLaunchEnabling:
		out := *fl
		out.StateTransitionTime, out.PendingFailure = done, ""
		if fl.PendingFailure != "" {
			out.State, out.StateTransitionReason = world.FastLaunchEnablingFailed, fl.PendingFailure
		} else {
			out.State, out.StateTransitionReason = world.FastLaunchEnabled, reasonLifecycle
		}
		return &out
	case world.FastLaunchDisabling:
		return nil
	}
	return fl
}

// settleAll writes settled state back for one account's Fast Launch in a
// region, before a change reads it.
func settleAll(r *world.Region, account string, now time.Time, pace time.Duration) {
	for _, img := range r.Images {
		fl := img.FastLaunch[account]
		if fl == nil {
			continue
		}
		if st := settle(fl, now, pace); st == nil {
			delete(img.FastLaunch, account)
		} else {
			img.FastLaunch[account] = st
		}
	}
}
