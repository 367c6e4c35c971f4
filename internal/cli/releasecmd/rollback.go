package releasecmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/release"
)

type rollbackOptions struct {
	f           specFlag
	channel, to string
	dryRun      bool
	autoApprove bool
}

func newRollbackCmd(app *cmdutil.App) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback -f winami.yaml --channel CHANNEL [--to VERSION|AMI] [--dry-run] [--auto-approve]",
		Short: "Put a channel back on an earlier build in every region",
		Long: `Move a channel back to the build it held before its current one, or --to a version of its
history in the spec's region (a number from 'release history') or an AMI (any region's copy of
a build). The build must exist, be available and not be deprecated in every region; a
deregistered, disabled or deprecated AMI is refused and named. Like promote, it changes every
region or none. Gates are not checked: a rollback is how a bad promotion is undone.`,
		Example: `  winami release rollback -f winami.yaml --channel stable
  winami release rollback -f winami.yaml --channel stable --to 7 --dry-run
  winami release rollback -f winami.yaml --channel stable --to ami-0abcdef1234567890 --auto-approve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRollback(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.channel, "channel", "", "the channel to roll back (required)")
	f.StringVar(&o.to, "to", "", "a version number of the channel's history, or an AMI ID (default: the previous build)")
	f.BoolVar(&o.dryRun, "dry-run", false, "show what would change; write nothing")
	f.BoolVar(&o.autoApprove, "auto-approve", false, "roll back without asking")
	_ = cmd.MarkFlagRequired("channel")
	return cmd
}

func runRollback(ctx context.Context, app *cmdutil.App, o *rollbackOptions) error {
	r, err := o.f.runner(ctx, app)
	if err != nil {
		return err
	}
	plan, err := r.PlanRollback(ctx, o.channel, o.to)
	if err != nil {
		return err
	}
	label := release.Label(plan.Build)
	if len(plan.Changes) == 0 {
		return nothingToDo(app, plan, label)
	}
	fmt.Fprintf(app.IO.ErrOut, "Roll %s back to build %s:\n", plan.Channel, label)
	printChanges(app, plan)
	return carryOut(ctx, app, plan, o.dryRun, o.autoApprove, r.Rollback,
		fmt.Sprintf("Roll %s back to %s in %d region(s)?", plan.Channel, label, len(plan.Changes)),
		func(n int) string {
			return fmt.Sprintf("Rolled %s back to %s in %d region(s).", plan.Channel, label, n)
		})
}
