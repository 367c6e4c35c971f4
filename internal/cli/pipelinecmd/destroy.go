package pipelinecmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
)

// destroyOptions are `winami destroy`'s flags.
type destroyOptions struct {
	f                         specFlag
	autoApprove, deleteImages bool
}

func newDestroyCmd(app *cmdutil.App) *cobra.Command {
	o := &destroyOptions{}
	cmd := &cobra.Command{
		Use:   "destroy -f winami.yaml [--delete-images]",
		Short: "Remove the spec's EC2 Image Builder resources",
		Long: `Remove what this spec created, in the reverse order of apply: the pipeline, the
distribution and infrastructure configurations, every recipe version, every component
version. Only resources tagged as this spec's are touched. The AMIs the pipeline built, and
their snapshots, stay unless --delete-images: then every build's AMIs in this account are
deregistered with their snapshots, and the Image Builder images deleted, first.`,
		Example: `  winami destroy -f winami.yaml
  winami destroy -f winami.yaml --auto-approve
  winami destroy -f winami.yaml --delete-images`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDestroy(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	o.f.headerOnly = true
	cmd.Flags().BoolVar(&o.autoApprove, "auto-approve", false, "destroy without asking")
	cmd.Flags().BoolVar(&o.deleteImages, "delete-images", false, "also deregister the AMIs the spec's builds made (with their snapshots) and delete the builds")
	return cmd
}

func runDestroy(ctx context.Context, app *cmdutil.App, o *destroyOptions) error {
	r, err := o.f.runner(app)
	if err != nil {
		return err
	}
	changes, err := r.DestroyPlan(ctx, o.deleteImages)
	if err != nil {
		return runErr(err)
	}
	if len(changes) == 0 {
		fmt.Fprintf(app.IO.ErrOut, "Nothing to destroy: no Image Builder resource of spec %q in %s.\n", r.Spec.Name, r.Spec.Region)
		return app.Print(changes, output.Rows{})
	}
	for _, c := range changes {
		renderChange(app.IO.ErrOut, c)
	}
	fmt.Fprintf(app.IO.ErrOut, "\nPlan: 0 to add, 0 to change, %d to destroy.\n", len(changes))
	if err := app.Confirm(o.autoApprove, "Destroy these resources?"); err != nil {
		return err
	}
	if err := r.Destroy(ctx, changes); err != nil {
		return err
	}
	kept := " The AMIs stay."
	if o.deleteImages {
		kept = ""
	}
	fmt.Fprintf(app.IO.ErrOut, "\nDestroy complete: %d destroyed.%s\n", len(changes), kept)
	rows := output.Rows{Header: []string{"type", "name", "version", "region", "arn"}}
	for _, c := range changes {
		rows.Add(string(c.Kind), c.Name, c.Version, c.Region, c.ARN)
	}
	return app.Print(changes, rows)
}
