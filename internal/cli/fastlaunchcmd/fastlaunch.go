// Package fastlaunchcmd is `winami fast-launch`: enable, inspect, wait for,
// disable and audit EC2 Fast Launch so that it is really in effect.
package fastlaunchcmd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/awsapi"
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

// each runs fn for every target at once and returns the results in order
// and the first error.
func each[T any](targets []fastlaunch.Target, fn func(fastlaunch.Target) (T, error)) ([]T, error) {
	out := make([]T, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { out[i], errs[i] = fn(t) })
	}
	wg.Wait()
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
func reporter(app *cmdutil.App, start time.Time) func(fastlaunch.Status) {
	var mu sync.Mutex
	last := map[string]string{}
	return func(s fastlaunch.Status) {
		mu.Lock()
		defer mu.Unlock()
		key := s.AMI + " " + s.Region
		if last[key] == s.State {
			return
		}
		last[key] = s.State
		fmt.Fprintf(app.IO.ErrOut, "%s  %s in %s: %s (%s elapsed)\n", time.Now().UTC().Format(time.RFC3339), s.AMI, s.Region, s.State, time.Since(start).Round(time.Second))
	}
}

// waitAll follows every target to enabled within timeout.
func waitAll(ctx context.Context, e *env, targets []fastlaunch.Target, timeout, interval time.Duration) ([]fastlaunch.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	report := reporter(e.app, time.Now())
	statuses, err := each(targets, func(t fastlaunch.Target) (fastlaunch.Status, error) {
		return fastlaunch.Wait(ctx, e.ec2(t.Region), t, fastlaunch.WaitOptions{Interval: interval, OnPoll: report})
	})
	if ctx.Err() != nil && err != nil {
		return statuses, fmt.Errorf("still not enabled after %s; Fast Launch goes on: winami fast-launch status %s", timeout, amiList(targets))
	}
	return statuses, err
}

func amiList(targets []fastlaunch.Target) string {
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.AMI
	}
	return strings.Join(ids, " ")
}
