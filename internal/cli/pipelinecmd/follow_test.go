package pipelinecmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/pipeline"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func building(created time.Time) *types.Image {
	return &types.Image{DateCreated: aws.String(created.Format(time.RFC3339)), State: &types.ImageState{Status: types.ImageStatusBuilding}}
}

// The live line's elapsed time runs between polls: each tick redraws it
// with the clock's time, counted from the image's creation.
func TestProgressLineTicksBetweenPolls(t *testing.T) {
	created := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: created.Add(5 * time.Second)}
	var out strings.Builder
	l := newProgressLine(&out, true, clock.now)
	l.update(building(created), pipeline.Step{Name: "Build"})
	for range 3 {
		clock.t = clock.t.Add(time.Second)
		l.tick()
	}
	for _, want := range []string{"5s elapsed  step Build", "6s elapsed", "7s elapsed", "8s elapsed  step Build"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("live line %q lacks %q", out.String(), want)
		}
	}
}

// run redraws at every tick and stops with its context.
func TestProgressLineRunTicks(t *testing.T) {
	created := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: created}
	var out strings.Builder
	l := newProgressLine(&out, true, clock.now)
	l.update(building(created), pipeline.Step{})
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { l.run(ctx, ticks); close(done) }()
	ticks <- created
	ticks <- created // the first tick has been drawn once the second is taken
	cancel()
	<-done
	if n := strings.Count(out.String(), "\r"); n < 2 {
		t.Errorf("after ticks the line was drawn %d times: %q", n, out.String())
	}
}

// Ending the live line (Ctrl-C, --timeout) closes it with a newline, so
// the error that follows has a line of its own; nothing is drawn after.
func TestProgressLineEndsBeforeTheError(t *testing.T) {
	created := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: created}
	var out strings.Builder
	l := newProgressLine(&out, true, clock.now)
	l.update(building(created), pipeline.Step{})
	l.end()
	l.tick()
	l.end()
	if got := out.String(); !strings.HasSuffix(got, "elapsed\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("after end the output is %q, want the live line closed by one newline", got)
	}
}

// Off a terminal there is no live line: a timestamped line per change, and
// ticks draw nothing.
func TestProgressLineOffTerminal(t *testing.T) {
	created := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: created.Add(2 * time.Second)}
	var out strings.Builder
	l := newProgressLine(&out, false, clock.now)
	l.update(building(created), pipeline.Step{})
	l.tick()
	l.update(building(created), pipeline.Step{})
	l.end()
	if got, want := out.String(), "2026-01-01T09:00:02Z  BUILDING     2s elapsed\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
