package pipelinecmd

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/pipeline"
)

// planOptions are `winami plan`'s flags.
type planOptions struct {
	f        specFlag
	detailed bool
}

func newPlanCmd(app *cmdutil.App) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan -f winami.yaml",
		Short: "Show what apply would change in EC2 Image Builder",
		Long: `Read the Image Builder resources of the spec (found by name and winami's tags), compare
them with the spec, and show what apply would do to each: create, update in place, a new
version (components and recipes are immutable), delete, or nothing.

The parent image is resolved now: "latest" means the newest EKS optimized release at the
time of the plan, so a plan shows which release the next build will use.

With --detailed-exitcode the exit code says whether there are changes: 0 none, 2 some,
1 an error.`,
		Example: `  winami plan -f winami.yaml
  winami plan -f winami.yaml -o json | jq '.changes[] | select(.action != "no-op")'
  winami plan -f winami.yaml --detailed-exitcode || echo "changes or an error: $?"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPlan(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	o.f.registerImageCheck(cmd)
	cmd.Flags().BoolVar(&o.detailed, "detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
	return cmd
}

func runPlan(ctx context.Context, app *cmdutil.App, o *planOptions) error {
	_, p, err := o.f.openAndPlan(ctx, app)
	if err != nil {
		return err
	}
	if err := printPlan(app, p); err != nil {
		return err
	}
	if o.detailed && p.HasChanges() {
		return cmdutil.Differences()
	}
	return nil
}

// printPlan prints the plan as data (-o json/yaml) or for people.
func printPlan(app *cmdutil.App, p *pipeline.Plan) error {
	switch app.Format() {
	case output.JSON, output.YAML:
		return app.Print(p, output.Rows{})
	case output.Text:
		rows := output.Rows{}
		for _, c := range p.Changes {
			rows.Add(string(c.Action), string(c.Kind), c.Name, c.Version, c.ARN)
		}
		return app.Print(p, rows)
	}
	renderPlan(app.IO.Out, p)
	return nil
}

// applyOptions are `winami apply`'s flags.
type applyOptions struct {
	f           specFlag
	autoApprove bool
}

func newApplyCmd(app *cmdutil.App) *cobra.Command {
	o := &applyOptions{}
	cmd := &cobra.Command{
		Use:   "apply -f winami.yaml",
		Short: "Create or update the spec's EC2 Image Builder pipeline",
		Long: `Carry out the plan: components, image recipe, infrastructure configuration, distribution
configuration, then the pipeline. Components and recipes are immutable: a changed one gets a
new semantic version, and an unchanged spec changes nothing. Every resource is tagged
winami:spec=<name> and winami:managed=true besides the spec's tags.

On a terminal apply shows the plan and asks; elsewhere it needs --auto-approve. An
interrupted apply can simply be run again: it finds what the first one made.`,
		Example: `  winami apply -f winami.yaml
  winami apply -f winami.yaml --auto-approve -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runApply(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	o.f.registerImageCheck(cmd)
	o.f.registerPreflight(cmd)
	cmd.Flags().BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking")
	return cmd
}

func runApply(ctx context.Context, app *cmdutil.App, o *applyOptions) error {
	r, p, err := o.f.openAndPlan(ctx, app)
	if err != nil {
		return err
	}
	renderPlan(app.IO.ErrOut, p)
	if p.HasChanges() {
		if err := app.Confirm(o.autoApprove, "Apply these changes?"); err != nil {
			return err
		}
	}
	applied, err := r.Apply(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.IO.ErrOut, "\nApply complete: %d added, %d changed, %d destroyed.\n", p.Summary.Add, p.Summary.Change, p.Summary.Destroy)
	return printApplied(app, applied)
}

func printApplied(app *cmdutil.App, a *pipeline.Applied) error {
	rows := output.Rows{Header: []string{"type", "arn"}}
	rows.Add(string(pipeline.KindPipeline), a.Pipeline)
	rows.Add(string(pipeline.KindRecipe), a.Recipe)
	rows.Add(string(pipeline.KindInfrastructure), a.Infrastructure)
	rows.Add(string(pipeline.KindDistribution), a.Distribution)
	// By name: a map's order changes from run to run.
	for _, name := range slices.Sorted(maps.Keys(a.Components)) {
		rows.Add(string(pipeline.KindComponent)+" "+name, a.Components[name])
	}
	return app.Print(a, rows)
}
