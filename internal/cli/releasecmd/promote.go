package releasecmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/release"
)

type promoteOptions struct {
	f           specFlag
	to, from    string
	ami         string
	dryRun      bool
	autoApprove bool
}

func newPromoteCmd(app *cmdutil.App) *cobra.Command {
	o := &promoteOptions{}
	cmd := &cobra.Command{
		Use:   "promote -f winami.yaml --to CHANNEL [--from CHANNEL | --ami AMI] [--dry-run] [--auto-approve]",
		Short: "Move a build into a channel once its gates hold in every region",
		Long: `Promote the build the previous channel holds (or --from another channel's, or the build of
--ami, any region's copy) into --to. Every gate of the channel is checked in every region
before anything is written; a failing gate is named with its fix and nothing changes (exit 1).
Then the channel's parameter is written in every region and each new version is labelled with
the build (v1.0.3-2). If a region's write fails, the regions already written are put back and
winami exits 1: a channel is never half-promoted. Promoting the build the channel already holds
changes nothing and exits 0.

Asks for confirmation on a terminal; --auto-approve otherwise.`,
		Example: `  winami release promote -f winami.yaml --to stable
  winami release promote -f winami.yaml --to stable --ami ami-0abcdef1234567890 --dry-run
  winami release promote -f winami.yaml --to stable --auto-approve -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPromote(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "the channel to promote into (required)")
	f.StringVar(&o.from, "from", "", "promote the build this channel holds (default: the channel before --to)")
	f.StringVar(&o.ami, "ami", "", "promote this AMI's build (any distribution region's copy)")
	f.BoolVar(&o.dryRun, "dry-run", false, "check the gates and show what would change; write nothing")
	f.BoolVar(&o.autoApprove, "auto-approve", false, "promote without asking")
	_ = cmd.MarkFlagRequired("to")
	cmd.MarkFlagsMutuallyExclusive("from", "ami")
	return cmd
}

func runPromote(ctx context.Context, app *cmdutil.App, o *promoteOptions) error {
	if o.ami != "" {
		if err := cmdutil.CheckAMIID("--ami", o.ami); err != nil {
			return err
		}
	}
	r, err := o.f.runner(ctx, app)
	if err != nil {
		return err
	}
	plan, err := r.PlanPromotion(ctx, o.to, release.Source{AMI: o.ami, From: o.from})
	if err != nil {
		return err
	}
	fmt.Fprintf(app.IO.ErrOut, "Promote build %s to %s:\n", plan.Label, plan.Channel)
	printGates(app, plan.Gates)
	if b := plan.Blocked(); len(b) > 0 {
		_ = app.Print(plan, changeRows(nil))
		return fmt.Errorf("promotion to %s refused: %d gate(s) do not hold (listed above with their fixes); nothing was written", plan.Channel, len(b))
	}
	if len(plan.Changes) == 0 {
		return nothingToDo(app, plan, plan.Label)
	}
	fmt.Fprintf(app.IO.ErrOut, "\nChanges:\n")
	printChanges(app, plan)
	return carryOut(ctx, app, plan, o.dryRun, o.autoApprove, r.Apply,
		fmt.Sprintf("Promote %s to %s in %d region(s)?", plan.Label, plan.Channel, len(plan.Changes)),
		func(n int) string {
			return fmt.Sprintf("Promoted %s to %s in %d region(s).", plan.Label, plan.Channel, n)
		})
}
