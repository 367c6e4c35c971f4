package pipelinecmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/specrun"
)

// statusOptions are `winami status`'s flags.
type statusOptions struct {
	f specFlag
}

func newStatusCmd(app *cmdutil.App) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status -f winami.yaml",
		Short: "Show the spec's pipeline, its recent builds and the AMIs they made",
		Long: `Show the spec's Image Builder pipeline, its builds newest first with their state, and the
AMIs each distributed. Builds are found by the spec's image name, as destroy --delete-images
finds them: after destroy (which keeps the AMIs) status still shows them.`,
		Example: `  winami status -f winami.yaml
  winami status -f winami.yaml -o json | jq -r '.images[0].amis[] | "\(.region) \(.amiId)"'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	// Status needs only the header; the whole spec, when it loads, also
	// shows the parent's deprecation and retention (a spec that does not
	// load, say its component file is gone, still gets its status).
	o.f.headerOnly, o.f.wholeWhenItLoads = true, true
	return cmd
}

func runStatus(ctx context.Context, app *cmdutil.App, o *statusOptions) error {
	r, err := o.f.runner(app)
	if err != nil {
		return err
	}
	res, err := r.Status(ctx)
	if err != nil {
		return runErr(err)
	}
	return printStatus(app, res)
}

func printStatus(app *cmdutil.App, res *specrun.Status) error {
	f := app.Format()
	if f == output.JSON || f == output.YAML {
		return app.Print(res, output.Rows{})
	}
	rows := output.Rows{Header: []string{"build", "state", "created", "took", "region", "ami id", "windows", "kubernetes", "base", "os build", "cached"}}
	var newest *specrun.AMIInfo // the newest AMI that records a cache
	for _, img := range res.Images {
		if len(img.AMIs) == 0 {
			rows.Add(img.Version, img.State, img.Created, output.Dash(img.Duration), "-", "-", "-", "-", "-", img.Reason, "-")
		}
		for i, a := range img.AMIs {
			cached := "-"
			if len(a.CachedImages) > 0 {
				cached = fmt.Sprintf("%d images", len(a.CachedImages))
				if newest == nil {
					newest = &img.AMIs[i]
				}
			}
			rows.Add(img.Version, img.State, img.Created, output.Dash(img.Duration), a.Region, a.ImageID, output.Dash(strings.TrimSpace(a.Windows+" "+a.Edition)), output.Dash(a.Kubernetes), output.Dash(a.Base), output.Dash(a.OSBuild), cached)
		}
	}
	if f == output.Text {
		return app.Print(res, rows)
	}
	switch p := res.Pipeline; {
	case p == nil && len(res.Images) == 0:
		fmt.Fprintf(app.IO.Out, "Spec %q has no pipeline in %s: run winami apply.\n", res.Spec, res.Region)
		return nil
	case p == nil:
		// After destroy the AMIs stay: say so, rather than hide them.
		fmt.Fprintf(app.IO.Out, "Spec %q has no pipeline in %s (winami apply makes it again); its earlier builds and their AMIs remain (winami destroy --delete-images removes them):\n\n", res.Spec, res.Region)
	default:
		fmt.Fprintf(app.IO.Out, "Pipeline %s (%s)\n  arn:      %s\n", p.Name, p.Status, p.ARN)
		if p.Schedule != "" {
			fmt.Fprintf(app.IO.Out, "  schedule: %s\n", p.Schedule)
		}
		if p.NextRun != "" {
			fmt.Fprintf(app.IO.Out, "  next run: %s\n", p.NextRun)
		}
		if p.LastRun != "" {
			fmt.Fprintf(app.IO.Out, "  last run: %s\n", p.LastRun)
		}
		if res.Parent != nil {
			fmt.Fprintf(app.IO.Out, "  parent:   %s\n", parentText(res.Parent.Parent))
		}
		fmt.Fprintln(app.IO.Out)
		if len(res.Images) == 0 {
			fmt.Fprintln(app.IO.Out, "No builds yet: winami build -f <spec> --wait")
			return nil
		}
	}
	if err := output.PrintTable(app.IO.Out, rows); err != nil {
		return err
	}
	if newest != nil {
		fmt.Fprintf(app.IO.Out, "\nImages cached in %s:\n", newest.ImageID)
		for _, c := range newest.CachedImages {
			fmt.Fprintf(app.IO.Out, "  %s\n", c)
		}
	}
	return nil
}
