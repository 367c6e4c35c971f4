// Package fastlaunchcmd is `winami fast-launch`: enable, inspect, wait for,
// disable and audit EC2 Fast Launch so that it is really in effect.
package fastlaunchcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
)

// NewCmd builds `winami fast-launch` and its subcommands.
func NewCmd(app *cmdutil.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fast-launch",
		Short: "Enable, inspect, wait for and audit EC2 Fast Launch of Windows AMIs",
		Long: `EC2 Fast Launch keeps pre-provisioned, already sysprepped snapshots of a Windows AMI so
that instances boot faster. It is often silently not in effect: the AMI is not owned, it is not
enabled in the account the AMI was shared to, or a launch template's root volume mapping makes
EC2 build the volume from the base snapshot instead. These commands make sure it is.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newEnableCmd(app), newStatusCmd(app), newWaitCmd(app), newDisableCmd(app), newAuditCmd(app))
	return cmd
}

// regionsFlag is --regions: where the AMIs are looked for.
type regionsFlag struct{ regions []string }

func (f *regionsFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.regions, "regions", nil, "regions to work in, comma-separated (default: --region)")
}

// resolve is the regions to work in, validated.
func (f *regionsFlag) resolve(clients *awsapi.Clients) ([]string, error) {
	regions := f.regions
	if len(regions) == 0 {
		regions = []string{clients.Region()}
	}
	for _, r := range regions {
		if err := cmdutil.CheckRegion("--regions", r); err != nil {
			return nil, err
		}
	}
	return regions, nil
}

// checkAMIs validates AMI ID arguments before anything is called.
func checkAMIs(args []string) error {
	for _, a := range args {
		if err := cmdutil.CheckAMIID("", a); err != nil {
			return err
		}
	}
	return nil
}

// env is what every subcommand works with.
type env struct {
	app     *cmdutil.App
	clients *awsapi.Clients
	regions []string
}

func newEnv(ctx context.Context, app *cmdutil.App, f *regionsFlag) (*env, error) {
	clients, err := app.Clients(ctx)
	if err != nil {
		return nil, err
	}
	regions, err := f.resolve(clients)
	if err != nil {
		return nil, err
	}
	return &env{app: app, clients: clients, regions: regions}, nil
}

func (e *env) ec2(region string) awsapi.EC2API { return e.clients.EC2(region) }

// targets validates AMI ID arguments, then finds each AMI in the regions.
func (f *regionsFlag) targets(ctx context.Context, app *cmdutil.App, args []string) (*env, []fastlaunch.Target, error) {
	if err := checkAMIs(args); err != nil {
		return nil, nil, err
	}
	e, err := newEnv(ctx, app, f)
	if err != nil {
		return nil, nil, err
	}
	targets, err := e.locate(ctx, args)
	if err != nil {
		return nil, nil, err
	}
	return e, targets, nil
}

// locate finds the AMIs in the regions.
func (e *env) locate(ctx context.Context, amis []string) ([]fastlaunch.Target, error) {
	return fastlaunch.Locate(ctx, e.ec2, amis, e.regions)
}

// each runs fn for every target, at most fastlaunch.DefaultLimit at once,
// and returns the results in order and the first error (in the order of
// targets). stopOnError is for reads: the first error fails the command,
// so the others' answers are useless and their calls are cancelled.
// Changes (enable, disable) run to the end, each one reported: a change
// cut off midway would leave its AMI in a state nobody was told about.
func each[T any](ctx context.Context, targets []fastlaunch.Target, stopOnError bool, fn func(context.Context, fastlaunch.Target) (T, error)) ([]T, error) {
	out := make([]T, len(targets))
	errs := make([]error, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	if !stopOnError {
		g, gctx = &errgroup.Group{}, ctx
	}
	g.SetLimit(fastlaunch.DefaultLimit)
	for i, t := range targets {
		g.Go(func() error {
			out[i], errs[i] = fn(gctx, t)
			if stopOnError {
				return errs[i]
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err // the cause: siblings cancelled after it fail with context.Canceled
	}
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// statusRows is the table of statuses.
func statusRows(statuses []fastlaunch.Status) output.Rows {
	rows := output.Rows{Header: []string{"ami", "region", "state", "snapshots", "parallel", "launch template", "since", "reason"}}
	for _, s := range statuses {
		lt := "-"
		if s.LaunchTemplate != nil {
			lt = s.LaunchTemplate.String()
		}
		since := "-"
		if !s.Since.IsZero() {
			since = s.Since.UTC().Format(time.RFC3339)
		}
		rows.Add(s.AMI, s.Region, s.State, fmt.Sprint(s.TargetSnapshots), fmt.Sprint(s.MaxParallel), lt, since, output.Dash(s.Reason))
	}
	return rows
}

// reporter prints a wait's progress on stderr: one line per change.
func reporter(app *cmdutil.App, clk clock.Clock) func(fastlaunch.Status) {
	start := clk.Now()
	return func(s fastlaunch.Status) {
		now := clk.Now()
		fmt.Fprintf(app.IO.ErrOut, "%s  %s in %s: %s (%s elapsed)\n", now.UTC().Format(time.RFC3339), s.AMI, s.Region, s.State, now.Sub(start).Round(time.Second))
	}
}

// waitAll follows every target to enabled within timeout.
func waitAll(ctx context.Context, e *env, targets []fastlaunch.Target, timeout, interval time.Duration) ([]fastlaunch.Status, error) {
	clk := clock.Real{}
	statuses, err := fastlaunch.WaitAll(ctx, e.ec2, targets, fastlaunch.WaitAllOptions{
		Interval: interval, Timeout: timeout, Clock: clk, OnChange: reporter(e.app, clk),
	})
	return statuses, waitFailed(err)
}

// waitFailed words a wait's failures for the command: each AMI that failed
// or cannot get to enabled, with EC2's reason; those the timeout caught
// go on enabling, which status follows.
func waitFailed(err error) error {
	var we *fastlaunch.WaitError
	if !errors.As(err, &we) {
		return err
	}
	var lines, late []string
	for _, f := range we.Failures {
		if f.TimedOut {
			late = append(late, f.Target.AMI)
		} else {
			lines = append(lines, f.String())
		}
	}
	if len(late) > 0 {
		lines = append(lines, fmt.Sprintf("%s still not enabled after %s; Fast Launch goes on: winami fast-launch status %s", strings.Join(late, ", "), we.Timeout, strings.Join(late, " ")))
	}
	return errors.New(strings.Join(lines, "\n"))
}
