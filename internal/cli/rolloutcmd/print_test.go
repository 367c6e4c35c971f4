package rolloutcmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/rollout"
)

// TestLiveLines: on a terminal each group keeps one line, rewritten in
// place (cursor up over the block, line cleared) as its events come.
func TestLiveLines(t *testing.T) {
	var errOut bytes.Buffer
	r := &renderer{errOut: &errOut, format: output.Table, live: true, lines: map[string]rollout.Event{}}
	at := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	r.event(rollout.Event{Time: at, Type: rollout.EventStart, Group: "ng-win", Kind: rollout.KindNodegroup, Total: 4, Phase: "InProgress"})
	r.event(rollout.Event{Time: at, Type: rollout.EventStart, Group: "windows", Kind: rollout.KindKarpenter, Total: 3})
	r.event(rollout.Event{Time: at, Type: rollout.EventProgress, Group: "ng-win", Kind: rollout.KindNodegroup, Replaced: 2, Total: 4, Phase: "InProgress"})
	got := errOut.String()
	if n := strings.Count(got, "\x1b[2A"); n != 1 {
		t.Errorf("cursor moved up over 2 lines %d times, want 1: %q", n, got)
	}
	if n := strings.Count(got, "\x1b[1A"); n != 1 {
		t.Errorf("cursor moved up over 1 line %d times, want 1: %q", n, got)
	}
	last := got[strings.LastIndex(got, "\x1b[2A"):]
	if !strings.Contains(last, "nodegroup/ng-win") || !strings.Contains(last, "2/4") || !strings.Contains(last, "karpenter/windows") {
		t.Errorf("last redraw %q", last)
	}
}

// TestEventLineEscapes: text from the cluster is escaped, so a node name
// cannot move the terminal's cursor.
func TestEventLineEscapes(t *testing.T) {
	ev := rollout.Event{Time: time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC), Type: rollout.EventFailed, Group: "ng", Kind: rollout.KindNodegroup, Wave: 2, Message: "ip-1\x1b[2J: not Ready"}
	got := eventLine(ev)
	if strings.Contains(got, "\x1b") || !strings.HasPrefix(got, "15:04:05 nodegroup/ng wave 2 failed: ip-1") {
		t.Errorf("eventLine = %q", got)
	}
}

// TestPlanTableSkipReasons: a skipped group shows why, an up-to-date one
// that nothing changes.
func TestPlanTableSkipReasons(t *testing.T) {
	var out bytes.Buffer
	r := &renderer{out: &out, format: output.Table, groups: map[string]*rollout.Group{}}
	p := &rollout.Plan{Cluster: "demo", Target: rollout.Target{Mode: "latest"}, Groups: []*rollout.Group{
		{Kind: rollout.KindSelfManaged, Name: "asg", Skip: "no launch template: give the group one"},
		{Kind: rollout.KindKarpenter, Name: "windows", Method: rollout.MethodNodeClass, UpToDate: true},
	}}
	if err := r.plan(p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"each group's newest EKS optimized release", "skipped: no launch template: give the group one", "none: every node is on the target"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
}
