package ami

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/amicopy"
	"github.com/winami/winami/pkg/clock"
)

// TestCopyProgressTimestamped: off a terminal, a line when a region's
// state changes and once a minute while it does not, never a \r.
func TestCopyProgressTimestamped(t *testing.T) {
	var b bytes.Buffer
	c := clock.NewFake(time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC))
	p := newCopyProgress(&b, false, []string{"us-east-1"}, c)
	ev := amicopy.Event{Region: "us-east-1", AMIID: "ami-1", State: "pending"}
	p.event(ev)
	for range 3 { // 45s of unchanged state: quiet
		c.Advance(15 * time.Second)
		p.event(ev)
	}
	c.Advance(15 * time.Second) // a minute since the last line
	ev.Elapsed = time.Minute
	p.event(ev)
	ev.State = "available"
	p.event(ev)
	p.done()
	want := "2026-12-03T12:00:00Z us-east-1 ami-1 pending (0s)\n" +
		"2026-12-03T12:01:00Z us-east-1 ami-1 pending (1m0s)\n" +
		"2026-12-03T12:01:00Z us-east-1 ami-1 available (1m0s)\n"
	if b.String() != want {
		t.Errorf("progress\n%s\nwant\n%s", b.String(), want)
	}
}

// TestCopyProgressLive: on a terminal, one line rewritten with every
// region's state, ended by a newline.
func TestCopyProgressLive(t *testing.T) {
	var b bytes.Buffer
	p := newCopyProgress(&b, true, []string{"us-east-1", "eu-west-1"}, clock.NewFake(time.Now()))
	p.event(amicopy.Event{Region: "eu-west-1", AMIID: "ami-2", State: "available", Reused: true})
	p.event(amicopy.Event{Region: "us-east-1", AMIID: "ami-1", State: "pending"})
	p.done()
	out := b.String()
	if !strings.HasSuffix(out, "\r\033[KCopying: us-east-1 pending, eu-west-1 available (reused)\n") ||
		!strings.Contains(out, "\r\033[KCopying: us-east-1 resolving, eu-west-1 available (reused)") {
		t.Errorf("live progress %q", out)
	}
}
