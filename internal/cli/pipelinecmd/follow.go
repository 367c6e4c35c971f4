package pipelinecmd

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/specrun"
)

// progressLine shows a followed build's progress on stderr. On a terminal
// it is one live line (state, elapsed time, current step), rewritten at
// every poll and, between polls, every second so that the elapsed time
// runs on its own; elsewhere a timestamped line whenever the state or step
// changes, which logs and CI keep readably. Elapsed time counts from the
// image's creation, as status counts it.
type progressLine struct {
	w    io.Writer
	live bool
	now  func() time.Time

	mu      sync.Mutex
	start   time.Time // the image's creation once seen; until then, when following began
	state   types.ImageStatus
	where   string
	last    string
	open    bool // a live line is on screen without its newline
	stopped bool
}

func newProgressLine(w io.Writer, live bool, now func() time.Time) *progressLine {
	return &progressLine{w: w, live: live, now: now, start: now()}
}

// update takes a polled state.
func (l *progressLine) update(img *types.Image, step pipeline.Step) {
	if img == nil || img.State == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return
	}
	if created, err := time.Parse(time.RFC3339, aws.ToString(img.DateCreated)); err == nil {
		l.start = created
	}
	l.state, l.where = img.State.Status, ""
	if step.Name != "" {
		l.where = "  step " + step.Name
	}
	if !l.live {
		if now := string(l.state) + l.where; now != l.last {
			fmt.Fprintf(l.w, "%s  %-12s %s elapsed%s\n", l.now().UTC().Format(time.RFC3339), l.state, l.elapsedLocked(), l.where)
			l.last = now
		}
		return
	}
	l.drawLocked()
	if pipeline.Terminal(l.state) {
		l.endLocked()
	}
}

// tick redraws the live line with the time that has passed.
func (l *progressLine) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live && l.open && !l.stopped {
		l.drawLocked()
	}
}

// run ticks until ctx ends.
func (l *progressLine) run(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			l.tick()
		}
	}
}

// end closes the live line, so that what is printed next (an error after
// Ctrl-C, the result) starts on a line of its own; it draws nothing more.
func (l *progressLine) end() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.endLocked()
	l.stopped = true
}

func (l *progressLine) elapsedLocked() time.Duration { return specrun.SinceCreated(l.start, l.now()) }

func (l *progressLine) drawLocked() {
	fmt.Fprintf(l.w, "\r\033[K%-12s %s elapsed%s", l.state, l.elapsedLocked(), l.where)
	l.open = true
}

func (l *progressLine) endLocked() {
	if l.open {
		fmt.Fprintln(l.w)
		l.open = false
	}
}
