package specrun

import (
	"context"
	"fmt"
	"io"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/pipeline"
)

// ParentStatus is `winami status`'s view of the spec's parent: what plan
// would use now, and the warnings about its deprecation and retention.
type ParentStatus struct {
	pipeline.Parent
	Warnings []pipeline.ParentWarning `json:"warnings,omitempty"`
}

// warnParent writes the parent's warnings on Out and returns them.
func (r *Runner) warnParent(p pipeline.Parent) []pipeline.ParentWarning {
	ws := pipeline.ParentWarnings(r.Spec, p, r.Clock.Now())
	writeParentWarnings(r.Out, ws)
	return ws
}

// writeParentWarnings writes each warning with its fix, for people.
func writeParentWarnings(w io.Writer, ws []pipeline.ParentWarning) {
	for _, x := range ws {
		fmt.Fprintf(w, "Warning: %s.\n  Fix: %s\n", x.Message, x.Fix)
	}
}

// statusParent resolves the parent as plan would. A parent that does not
// resolve is news for status, not its failure: it is reported (the next
// build would fail) and the rest of the status stands.
func (r *Runner) statusParent(ctx context.Context, c *Clients, res *Status) {
	if r.Spec.Base.Windows == "" {
		return // only the spec's header was read: no parent to resolve
	}
	p, err := pipeline.ResolveParent(ctx, catalog.NewFinder(c.SSM, c.EC2), r.Spec)
	if err != nil {
		res.ParentError = awsapi.Explain(err).Error()
		fmt.Fprintf(r.Out, "Warning: the parent image does not resolve, so the next build would fail: %s\n", res.ParentError)
		return
	}
	res.Parent = &ParentStatus{Parent: p, Warnings: r.warnParent(p)}
}
