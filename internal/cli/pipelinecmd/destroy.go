package pipelinecmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/pipeline"
)

func newDestroyCmd(app *cmdutil.App) *cobra.Command {
	var f specFlag
	var autoApprove, deleteImages bool
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
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := f.open(ctx, app)
			if err != nil {
				return err
			}
			o, err := pipeline.Observe(ctx, s.ib, s.spec.Name)
			if err != nil {
				return err
			}
			var changes []pipeline.Change
			if deleteImages {
				if changes, err = pipeline.ImagesPlan(ctx, s.ib, s.spec.Name); err != nil {
					return err
				}
			}
			changes = append(changes, pipeline.DestroyPlan(o)...)
			if len(changes) == 0 {
				fmt.Fprintf(app.IO.ErrOut, "Nothing to destroy: no Image Builder resource of spec %q in %s.\n", s.spec.Name, s.spec.Region)
				return app.Print(changes, output.Rows{})
			}
			for _, c := range changes {
				renderChange(app.IO.ErrOut, c)
			}
			fmt.Fprintf(app.IO.ErrOut, "\nPlan: 0 to add, 0 to change, %d to destroy.\n", len(changes))
			if err := confirm(app, autoApprove, "Destroy these resources?"); err != nil {
				return err
			}
			if err := pipeline.Destroy(ctx, s.ib, s.clients.EC2, changes, progressTo(app)); err != nil {
				return err
			}
			kept := " The AMIs stay."
			if deleteImages {
				kept = ""
			}
			fmt.Fprintf(app.IO.ErrOut, "\nDestroy complete: %d destroyed.%s\n", len(changes), kept)
			rows := output.Rows{Header: []string{"type", "name", "version", "region", "arn"}}
			for _, c := range changes {
				rows.Add(string(c.Kind), c.Name, c.Version, c.Region, c.ARN)
			}
			return app.Print(changes, rows)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "destroy without asking")
	cmd.Flags().BoolVar(&deleteImages, "delete-images", false, "also deregister the AMIs the spec's builds made (with their snapshots) and delete the builds")
	return cmd
}
