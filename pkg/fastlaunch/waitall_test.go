package fastlaunch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func targets(keys ...string) []fastlaunch.Target {
	var out []fastlaunch.Target
	for _, k := range keys {
		region, ami, _ := strings.Cut(k, "/")
		out = append(out, fastlaunch.Target{AMI: ami, Region: region})
	}
	return out
}

func TestWaitAllUntilEnabled(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabling", "enabling", "enabled"}
	f.states["eu-west-1/ami-2"] = []string{"enabling", "enabled"}
	clk := clock.NewFake(t0)
	var heard []string
	statuses, err := fastlaunch.WaitAll(t.Context(), f.ec2, targets("us-east-1/ami-1", "eu-west-1/ami-2"), fastlaunch.WaitAllOptions{
		Interval: 10 * time.Second, Timeout: time.Hour, Clock: clk,
		OnChange: func(s fastlaunch.Status) { heard = append(heard, s.AMI+":"+s.State) },
	})
	if err != nil || statuses[0].State != "enabled" || statuses[1].State != "enabled" || statuses[1].Region != "eu-west-1" {
		t.Fatalf("%+v, %v", statuses, err)
	}
	// 3 reads of ami-1 and 2 of ami-2 over 3 rounds, 2 sleeps between.
	if a, b := f.count("DescribeFastLaunchImages us-east-1 ami-1"), f.count("DescribeFastLaunchImages eu-west-1 ami-2"); a != 3 || b != 2 {
		t.Errorf("DescribeFastLaunchImages: %d of ami-1, %d of ami-2; want 3 and 2", a, b)
	}
	if got := f.methods(); got != "DescribeFastLaunchImages" {
		t.Errorf("calls: %s", got)
	}
	if s := clk.Slept(); !slices.Equal(s, []time.Duration{10 * time.Second, 10 * time.Second}) {
		t.Errorf("slept %v", s)
	}
	// Once per change, not once per read.
	if got := strings.Join(heard, " "); got != "ami-1:enabling ami-2:enabling ami-2:enabled ami-1:enabled" {
		t.Errorf("OnChange heard %s", got)
	}
}

func TestWaitAllFailedNamesAMIRegionAndReason(t *testing.T) {
	f := newFake()
	f.states["ap-south-1/ami-1"] = []string{"enabling", "enabling-failed"}
	f.reasons["ap-south-1/ami-1"] = "no default VPC"
	f.states["us-east-1/ami-2"] = []string{"enabling", "enabling", "enabled"}
	statuses, err := fastlaunch.WaitAll(t.Context(), f.ec2, targets("ap-south-1/ami-1", "us-east-1/ami-2"), fastlaunch.WaitAllOptions{
		Interval: 10 * time.Second, Timeout: time.Hour, Clock: clock.NewFake(t0),
	})
	var we *fastlaunch.WaitError
	var failed *fastlaunch.FailedError
	if !errors.As(err, &we) || len(we.Failures) != 1 || !errors.As(err, &failed) || failed.Status.AMI != "ami-1" {
		t.Fatalf("%v", err)
	}
	if got := we.Failures[0].String(); got != "Fast Launch on ami-1 in ap-south-1 is enabling-failed: no default VPC" {
		t.Errorf("failure: %s", got)
	}
	// The failure stops neither the other AMI's wait nor its answer.
	if statuses[1].State != "enabled" || f.count("DescribeFastLaunchImages us-east-1 ami-2") != 3 || f.count("DescribeFastLaunchImages ap-south-1 ami-1") != 2 {
		t.Errorf("%+v; calls %v", statuses, f.calls)
	}
	if we.TimedOut() {
		t.Error("a failure counted as a timeout")
	}
}

func TestWaitAllTimeout(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabling"}
	f.states["us-east-1/ami-2"] = []string{"enabling", "enabled"}
	clk := clock.NewFake(t0)
	statuses, err := fastlaunch.WaitAll(t.Context(), f.ec2, targets("us-east-1/ami-1", "us-east-1/ami-2"), fastlaunch.WaitAllOptions{
		Timeout: 45 * time.Minute, Clock: clk,
	})
	if !fastlaunch.IsTimeout(err) || !strings.Contains(err.Error(), "ami-1 in us-east-1: still enabling after 45m") || strings.Contains(err.Error(), "ami-2") {
		t.Fatalf("%v", err)
	}
	if statuses[0].State != "enabling" || statuses[1].State != "enabled" {
		t.Errorf("%+v", statuses)
	}
	// Reads every 15 s (the default) from 0 to 45 min: 181 of ami-1; ami-2
	// is read no more once enabled.
	if n, m := f.count("DescribeFastLaunchImages us-east-1 ami-1"), f.count("DescribeFastLaunchImages us-east-1 ami-2"); n != 181 || m != 2 {
		t.Errorf("reads: %d of ami-1, %d of ami-2; want 181 and 2", n, m)
	}
	if got := clk.Now().Sub(t0); got != 45*time.Minute {
		t.Errorf("waited %s", got)
	}
}

func TestWaitAllWithoutFastLaunch(t *testing.T) {
	f := newFake()
	_, err := fastlaunch.WaitAll(t.Context(), f.ec2, targets("us-east-1/ami-1"), fastlaunch.WaitAllOptions{Timeout: time.Hour, Clock: clock.NewFake(t0)})
	if err == nil || !strings.Contains(err.Error(), "ami-1 in us-east-1 has no Fast Launch: enable it first") || fastlaunch.IsTimeout(err) {
		t.Fatalf("%v", err)
	}
	f.states["us-east-1/ami-1"] = []string{"disabling"}
	if _, err = fastlaunch.WaitAll(t.Context(), f.ec2, targets("us-east-1/ami-1"), fastlaunch.WaitAllOptions{Timeout: time.Hour, Clock: clock.NewFake(t0)}); err == nil || !strings.Contains(err.Error(), "not on its way to enabled") {
		t.Fatalf("disabling: %v", err)
	}
}

func TestWaitAllLimit(t *testing.T) {
	f := newFake()
	f.delay = 5 * time.Millisecond
	var keys []string
	for i := range 20 {
		k := fmt.Sprintf("us-east-1/ami-%d", i)
		keys = append(keys, k)
		f.states[k] = []string{"enabling", "enabled"}
	}
	_, err := fastlaunch.WaitAll(t.Context(), f.ec2, targets(keys...), fastlaunch.WaitAllOptions{Timeout: time.Hour, Clock: clock.NewFake(t0), Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if f.maxInFlight > 3 || f.count("DescribeFastLaunchImages") != 40 {
		t.Errorf("%d calls at once (limit 3), %d calls (want 40: 20 AMIs over 2 rounds)", f.maxInFlight, f.count("DescribeFastLaunchImages"))
	}
}

func TestWaitAllEndsWithContext(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabling"}
	ctx, cancel := context.WithCancel(t.Context())
	clk := clock.NewFake(t0)
	clk.OnWake = func(time.Time) { cancel() }
	_, err := fastlaunch.WaitAll(ctx, f.ec2, targets("us-east-1/ami-1"), fastlaunch.WaitAllOptions{Timeout: time.Hour, Clock: clk})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}
