package rolloutcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/textsafe"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/rollout"
)

// renderer prints a rollout: the plan, its events, the result and the
// closing drift summary. -o json writes one JSON object a line on stdout
// (the plan, each event, the result, the drift summary), for a log
// collector; otherwise the plan and the summaries go to stdout and the
// progress to stderr: on a terminal one live line per group, elsewhere
// timestamped lines.
type renderer struct {
	out, errOut io.Writer
	format      output.Format
	live        bool

	mu     sync.Mutex
	order  []string                 // group IDs as first seen
	lines  map[string]rollout.Event // each group's latest event
	drawn  int                      // live lines on screen
	groups map[string]*rollout.Group
}

func newRenderer(app *cmdutil.App) *renderer {
	return &renderer{
		out: app.IO.Out, errOut: app.IO.ErrOut, format: app.Format(),
		live:  cmdutil.IsTerminal(app.IO.ErrOut),
		lines: map[string]rollout.Event{}, groups: map[string]*rollout.Group{},
	}
}

// jsonLine writes v as one line of JSON.
func (r *renderer) jsonLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(r.out, "%s\n", b)
	return err
}

// plan prints the plan: a table of groups and the waves.
func (r *renderer) plan(p *rollout.Plan) error {
	for _, g := range p.Groups {
		r.groups[g.Name] = g
	}
	if r.format == output.JSON {
		return r.jsonLine(map[string]any{"plan": p})
	}
	rows := output.Rows{Header: []string{"group", "kind", "method", "nodes", "drifted", "change"}}
	for _, g := range p.Groups {
		change := g.Change
		switch {
		case g.UpToDate:
			change = "none: every node is on the target"
		case g.Skip != "":
			change = "skipped: " + g.Skip
		}
		rows.Add(g.Name, string(g.Kind), output.Dash(string(g.Method)), fmt.Sprint(g.Nodes), fmt.Sprint(g.Drifted), output.Dash(change))
	}
	if r.format == output.Text {
		return output.Print(r.out, output.Text, p, rows)
	}
	fmt.Fprintf(r.out, "Rollout of %s to %s\n\n", textsafe.Escape(output.Dash(p.Cluster)), textsafe.Escape(describeTarget(p.Target)))
	if err := output.PrintTable(r.out, rows); err != nil {
		return err
	}
	if len(p.Waves) > 0 {
		fmt.Fprintln(r.out, "\nWaves:")
		for i, w := range p.Waves {
			name := "the rest"
			if i == 0 {
				name = "canary"
				if g := p.Group(w[0]); g != nil && g.CanaryNodes > 0 {
					name = fmt.Sprintf("canary: %d of %d nodes, then a checkpoint", g.CanaryNodes, g.Nodes)
				}
			}
			fmt.Fprintf(r.out, "  %d (%s): %s\n", i+1, name, strings.Join(w, ", "))
		}
	}
	return nil
}

func describeTarget(t rollout.Target) string {
	switch t.Mode {
	case "latest":
		return "each group's newest EKS optimized release"
	case "channel":
		return fmt.Sprintf("AMI %s, release channel %s (%s)", t.AMI, t.Channel, t.Parameter)
	}
	if t.AMIName != "" {
		return fmt.Sprintf("AMI %s (%s)", t.AMI, t.AMIName)
	}
	return "AMI " + t.AMI
}

// event renders one event; the runner may call it from its own goroutine.
func (r *renderer) event(ev rollout.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.format == output.JSON:
		_ = r.jsonLine(ev)
	case r.live:
		r.redraw(ev)
	default:
		fmt.Fprintln(r.errOut, eventLine(ev))
	}
}

// eventLine is an event as one timestamped line.
func eventLine(ev rollout.Event) string {
	var b strings.Builder
	b.WriteString(ev.Time.UTC().Format("15:04:05"))
	if ev.Group != "" {
		fmt.Fprintf(&b, " %s/%s", ev.Kind, textsafe.Escape(ev.Group))
	}
	if ev.Wave > 0 {
		fmt.Fprintf(&b, " wave %d", ev.Wave)
	}
	fmt.Fprintf(&b, " %s", ev.Type)
	if ev.Total > 0 {
		fmt.Fprintf(&b, " %d/%d nodes", ev.Replaced, ev.Total)
	}
	if ev.Phase != "" {
		fmt.Fprintf(&b, " (%s)", textsafe.Escape(ev.Phase))
	}
	if ev.Message != "" {
		fmt.Fprintf(&b, ": %s", textsafe.Escape(ev.Message))
	}
	return b.String()
}

// redraw keeps one line per group on a terminal: the cursor goes back up
// over the lines drawn before and each is rewritten in place.
func (r *renderer) redraw(ev rollout.Event) {
	if ev.Group == "" {
		// A rollout-wide event (done) is a line of its own, below.
		r.drawn = 0
		fmt.Fprintln(r.errOut, eventLine(ev))
		return
	}
	id := string(ev.Kind) + "/" + ev.Group
	if _, ok := r.lines[id]; !ok {
		r.order = append(r.order, id)
	}
	r.lines[id] = ev
	if r.drawn > 0 {
		fmt.Fprintf(r.errOut, "\x1b[%dA", r.drawn)
	}
	for _, gid := range r.order {
		fmt.Fprintf(r.errOut, "\r\x1b[K%s\n", liveLine(r.lines[gid]))
	}
	r.drawn = len(r.order)
}

// liveLine is a group's line on a terminal: replaced / total and phase.
func liveLine(ev rollout.Event) string {
	line := fmt.Sprintf("%-40s %4d/%-4d %-10s", string(ev.Kind)+"/"+textsafe.Escape(ev.Group), ev.Replaced, ev.Total, ev.Type)
	if ev.Phase != "" {
		line += " " + textsafe.Escape(ev.Phase)
	}
	if ev.Message != "" {
		line += ": " + textsafe.Escape(ev.Message)
	}
	return line
}

// finish ends the live block, so what follows starts on its own line.
func (r *renderer) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drawn = 0
}

// result prints how the rollout ended.
func (r *renderer) result(res *rollout.Result) error {
	if r.format == output.JSON {
		return r.jsonLine(map[string]any{"result": res})
	}
	switch res.Outcome {
	case "failed":
		fmt.Fprintf(r.out, "\nRollout failed in %s: %s\n", textsafe.Escape(res.FailedGroup), textsafe.Escape(res.Failure))
		for _, p := range res.PutBack {
			fmt.Fprintf(r.out, "  put back: %s\n", textsafe.Escape(p))
		}
	case "nothing-to-do":
		fmt.Fprintln(r.out, "\nNothing to roll out.")
	default:
		fmt.Fprintf(r.out, "\nRollout %s.\n", res.Outcome)
	}
	// Groups left out keep their nodes where they are: say so here, where
	// the drift that follows would otherwise be a surprise.
	for _, g := range res.Groups {
		if g.Skip != "" {
			fmt.Fprintf(r.out, "  left out: %s: %s\n", textsafe.Escape(g.ID()), textsafe.Escape(g.Skip))
		}
	}
	return nil
}

// drift prints the closing drift report's summary.
func (r *renderer) drift(d *drift.Report) error {
	if r.format == output.JSON {
		return r.jsonLine(map[string]any{"drift": map[string]any{"desired": d.Desired, "summary": d.Summary}})
	}
	verdict := "every Windows node is on the target"
	if !d.Consistent() {
		verdict = "drift remains (winami drift shows where)"
	}
	_, err := fmt.Fprintf(r.out, "Drift: %d Windows nodes, %d drifted: %s.\n", d.Summary.WindowsNodes, d.Summary.Drifted, verdict)
	return err
}
