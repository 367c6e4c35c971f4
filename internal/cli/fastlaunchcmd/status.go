package fastlaunchcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/fastlaunch"
)

func newStatusCmd(app *cmdutil.App) *cobra.Command {
	var regions regionsFlag
	cmd := &cobra.Command{
		Use:   "status [AMI_ID...] [--regions R1,R2]",
		Short: "Show Fast Launch of AMIs: state, snapshots, parallel launches, launch template, reason",
		Long: `Show EC2 Fast Launch of the AMIs named, or of every AMI of your account in --regions with
Fast Launch. A failed state (enabling-failed, enabled-failed, disabling-failed) is shown with
EC2's reason and makes the command exit 1.`,
		Example: `  winami fast-launch status
  winami fast-launch status ami-0abcdef1234567890 --regions us-east-1,eu-west-1 -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := checkAMIs(args); err != nil {
				return err
			}
			e, err := newEnv(ctx, app, &regions)
			if err != nil {
				return err
			}
			statuses, err := describe(ctx, e, args)
			if err != nil {
				return err
			}
			if err := app.Print(statuses, statusRows(statuses)); err != nil {
				return err
			}
			return failedError(statuses)
		},
	}
	regions.register(cmd)
	return cmd
}

// describe reads Fast Launch of the AMIs (every AMI when none are named),
// the regions at once.
func describe(ctx context.Context, e *env, amis []string) ([]fastlaunch.Status, error) {
	if len(amis) == 0 {
		return fastlaunch.DescribeAll(ctx, e.ec2, e.regions, 0)
	}
	targets, err := e.locate(ctx, amis)
	if err != nil {
		return nil, err
	}
	return fastlaunch.DescribeTargets(ctx, e.ec2, targets, 0)
}

// failedError is exit 1 when some AMI's Fast Launch failed.
func failedError(statuses []fastlaunch.Status) error {
	var failed []string
	for _, s := range statuses {
		if s.Failed() {
			failed = append(failed, fmt.Sprintf("%s in %s is %s: %s", s.AMI, s.Region, s.State, s.Reason))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return errors.New(strings.Join(failed, "\n"))
}

func newWaitCmd(app *cmdutil.App) *cobra.Command {
	var regions regionsFlag
	var timeout, interval time.Duration
	cmd := &cobra.Command{
		Use:   "wait AMI_ID... [--regions R1,R2] [--timeout 45m]",
		Short: "Wait until Fast Launch of AMIs is enabled",
		Long: `Follow each AMI's Fast Launch from enabling to enabled, printing each change. Exit 0 when
all are enabled; 1 when one fails (with EC2's reason), has no Fast Launch, or the timeout
passes (Fast Launch goes on).`,
		Example: `  winami fast-launch wait ami-0abcdef1234567890 --timeout 1h`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, targets, err := regions.targets(ctx, app, args)
			if err != nil {
				return err
			}
			statuses, err := waitAll(ctx, e, targets, timeout, interval)
			if err != nil {
				return err
			}
			return app.Print(statuses, statusRows(statuses))
		},
	}
	regions.register(cmd)
	cmd.Flags().DurationVar(&timeout, "timeout", 45*time.Minute, "give up after this long")
	cmd.Flags().DurationVar(&interval, "poll-interval", 15*time.Second, "time between two looks")
	return cmd
}

func newDisableCmd(app *cmdutil.App) *cobra.Command {
	var regions regionsFlag
	var force bool
	cmd := &cobra.Command{
		Use:   "disable AMI_ID... [--regions R1,R2] [--force]",
		Short: "Disable Fast Launch on AMIs (EC2 deletes the pre-provisioned snapshots)",
		Long: `Disable EC2 Fast Launch on each AMI; EC2 then deletes its pre-provisioned snapshots. An AMI
without Fast Launch is left as it is. --force disables even while Fast Launch is enabling or
has failed.`,
		Example: `  winami fast-launch disable ami-0abcdef1234567890
  winami fast-launch disable ami-0abc… --force --regions eu-west-1`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, targets, err := regions.targets(ctx, app, args)
			if err != nil {
				return err
			}
			results, err := each(ctx, targets, false, func(ctx context.Context, t fastlaunch.Target) (fastlaunch.Result, error) {
				return fastlaunch.Disable(ctx, e.ec2(t.Region), t, force)
			})
			if err != nil {
				return err
			}
			statuses := make([]fastlaunch.Status, len(results))
			for i, r := range results {
				statuses[i] = r.Status
				fmt.Fprintf(app.IO.ErrOut, "%s in %s: %s\n", r.Status.AMI, r.Status.Region, r.Action)
			}
			return app.Print(results, statusRows(statuses))
		},
	}
	regions.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "disable even while Fast Launch is enabling or has failed")
	return cmd
}
