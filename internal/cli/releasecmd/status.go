package releasecmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/release"
)

type statusOptions struct{ f specFlag }

func newStatusCmd(app *cmdutil.App) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status -f winami.yaml",
		Short: "Show each channel's AMI in every region, and the gates for the next channel",
		Long: `For each release channel and distribution region: the AMI it holds, since when and who wrote
it (SSM's LastModifiedUser), and the build it came from. Under each channel but the last, the
gates of the next channel for that build: what 'release promote' would check.`,
		Example: `  winami release status -f winami.yaml
  winami release status -f winami.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runStatus(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	return cmd
}

func runStatus(ctx context.Context, app *cmdutil.App, o *statusOptions) error {
	r, err := o.f.runner(ctx, app)
	if err != nil {
		return err
	}
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	rows := output.Rows{Header: []string{"channel", "region", "ami", "since", "by", "build"}}
	for _, c := range st {
		for _, p := range c.Positions {
			rows.Add(c.Channel, p.Region, p.AMI, since(p.Since), user(p.User), output.Dash(release.Label(p.Build)))
		}
		for _, region := range c.Empty {
			rows.Add(c.Channel, region, "-", "-", "-", "-")
		}
	}
	if err := app.Print(st, rows); err != nil {
		return err
	}
	if app.Format() != output.Table {
		return nil
	}
	for i, c := range st {
		if len(c.Next) == 0 {
			continue
		}
		next := r.Config.Channels[i+1].Name
		fmt.Fprintf(app.IO.ErrOut, "\nGates for promoting %s's build %s to %s:\n", c.Channel, release.Label(c.Positions[0].Build), next)
		printGates(app, c.Next)
	}
	return nil
}
