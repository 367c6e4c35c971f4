package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("Sleep waited although the context had ended")
	}
}

func TestSleepWaits(t *testing.T) {
	start := time.Now()
	if err := Sleep(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("Sleep returned early")
	}
}

func TestFakeMovesTime(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	f := NewFake(t0)
	_ = f.Sleep(context.Background(), time.Minute)
	_ = f.Sleep(context.Background(), 2*time.Minute)
	if got := f.Now().Sub(t0); got != 3*time.Minute {
		t.Fatalf("after two sleeps the fake moved %s, want 3m", got)
	}
	if s := f.Slept(); len(s) != 2 || s[1] != 2*time.Minute {
		t.Fatalf("Slept() = %v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Sleep(ctx, time.Hour); err == nil || f.Now().Sub(t0) != 3*time.Minute {
		t.Fatal("a fake sleep on an ended context must fail and not move time")
	}
}
