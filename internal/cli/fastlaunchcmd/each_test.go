package fastlaunchcmd

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/winami/winami/pkg/fastlaunch"
)

func someTargets(n int) []fastlaunch.Target {
	out := make([]fastlaunch.Target, n)
	for i := range out {
		out[i] = fastlaunch.Target{AMI: fmt.Sprintf("ami-%d", i), Region: "us-east-1"}
	}
	return out
}

// slowUnlessCancelled fails target 0 at once; the others take a second
// unless their context is cancelled first.
func slowUnlessCancelled(ctx context.Context, t fastlaunch.Target) (string, error) {
	if t.AMI == "ami-0" {
		return "", errors.New("ami-0: access denied")
	}
	select {
	case <-ctx.Done():
		return "cancelled", ctx.Err()
	case <-time.After(time.Second):
		return "done", nil
	}
}

func TestEachReadsStopAtTheFirstError(t *testing.T) {
	start := time.Now()
	out, err := each(t.Context(), someTargets(3), true, slowUnlessCancelled)
	if err == nil || err.Error() != "ami-0: access denied" {
		t.Fatalf("err = %v, want the cause, not a sibling's cancellation", err)
	}
	if out[1] != "cancelled" || out[2] != "cancelled" || time.Since(start) > 500*time.Millisecond {
		t.Errorf("siblings were not cancelled: %q after %s", out, time.Since(start))
	}
}

func TestEachChangesRunToTheEnd(t *testing.T) {
	out, err := each(t.Context(), someTargets(3), false, slowUnlessCancelled)
	if err == nil || err.Error() != "ami-0: access denied" {
		t.Fatalf("err = %v", err)
	}
	if out[1] != "done" || out[2] != "done" {
		t.Errorf("a change was cut off by another's error: %q", out)
	}
}

func TestEachLimit(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	_, err := each(t.Context(), someTargets(30), true, func(ctx context.Context, t fastlaunch.Target) (int, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return 0, nil
	})
	if err != nil || most > fastlaunch.DefaultLimit {
		t.Errorf("%d calls at once, limit %d; %v", most, fastlaunch.DefaultLimit, err)
	}
}

func TestWaitFailedWording(t *testing.T) {
	late := fastlaunch.WaitFailure{Target: fastlaunch.Target{AMI: "ami-1", Region: "us-east-1"}, Status: fastlaunch.Status{State: "enabling"}, TimedOut: true, Timeout: time.Minute}
	failed := fastlaunch.WaitFailure{Target: fastlaunch.Target{AMI: "ami-2", Region: "ap-south-1"},
		Err: &fastlaunch.FailedError{Status: fastlaunch.Status{AMI: "ami-2", Region: "ap-south-1", State: "enabling-failed", Reason: "no default VPC"}}}
	err := waitFailed(&fastlaunch.WaitError{Timeout: time.Minute, Failures: []fastlaunch.WaitFailure{late, failed}})
	want := "Fast Launch on ami-2 in ap-south-1 is enabling-failed: no default VPC\n" +
		"ami-1 still not enabled after 1m0s; Fast Launch goes on: winami fast-launch status ami-1"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}
