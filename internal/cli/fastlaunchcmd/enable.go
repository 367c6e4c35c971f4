package fastlaunchcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/fastlaunch"
)

type enableOptions struct {
	regions        regionsFlag
	snapshots      int32
	parallel       int32
	launchTemplate string
	quota          int32
	wait           bool
	timeout        time.Duration
	interval       time.Duration
}

func newEnableCmd(app *cmdutil.App) *cobra.Command {
	o := &enableOptions{}
	cmd := &cobra.Command{
		Use:   "enable AMI_ID... [--regions R1,R2] [--target-snapshots N] [--max-parallel N] [--launch-template NAME|ID[:VERSION]] [--wait]",
		Short: "Enable Fast Launch on Windows AMIs, after checking what EC2 would refuse",
		Long: `Enable EC2 Fast Launch on each AMI (looked for in --regions). Before anything is called,
winami checks that the AMI exists and is Windows, that your account owns it or it was shared
with you (Amazon's public EKS AMIs are refused: build your own with 'winami build'), that
--max-parallel is at least 6, that the region has a default VPC when no launch template is
given, that the region's parallel launches stay within the quota, and that the Fast Launch
service-linked role exists or you may create it. Any failure stops everything; nothing changes.

Enabling with the settings an AMI already has changes nothing; other settings reconfigure it,
and settings not given keep their current values (EC2's defaults for a new AMI).
With --wait, winami follows each AMI from enabling to enabled; enabling-failed exits 1 with
EC2's reason.`,
		Example: `  winami fast-launch enable ami-0abcdef1234567890 --wait
  winami fast-launch enable ami-0abc… ami-0def… --regions us-east-1,eu-west-1 --max-parallel 10 --target-snapshots 20
  winami fast-launch enable ami-0abc… --launch-template windows-nodes:3 -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flags not given keep what an AMI already has.
			if !cmd.Flags().Changed("target-snapshots") {
				o.snapshots = 0
			} else if o.snapshots < 1 {
				return cmdutil.Usagef("--target-snapshots %d: keep at least 1 snapshot", o.snapshots)
			}
			if !cmd.Flags().Changed("max-parallel") {
				o.parallel = 0
			}
			return runEnable(cmd.Context(), app, o, args)
		},
	}
	o.regions.register(cmd)
	f := cmd.Flags()
	f.Int32Var(&o.snapshots, "target-snapshots", fastlaunch.DefaultTargetSnapshots, "pre-provisioned snapshots to keep")
	f.Int32Var(&o.parallel, "max-parallel", fastlaunch.MinParallel, "instances EC2 may launch at once to pre-provision snapshots (at least 6)")
	f.StringVar(&o.launchTemplate, "launch-template", "", "launch template (NAME or lt-ID, optionally :VERSION) for the pre-provisioning launches; without one EC2 uses the default VPC")
	f.Int32Var(&o.quota, "region-quota", fastlaunch.DefaultRegionQuota, "your account's parallel-launch quota per region, if Service Quotas raised it")
	f.BoolVar(&o.wait, "wait", false, "follow each AMI until Fast Launch is enabled")
	f.DurationVar(&o.timeout, "timeout", 45*time.Minute, "with --wait, give up after this long (Fast Launch goes on)")
	f.DurationVar(&o.interval, "poll-interval", 15*time.Second, "with --wait, time between two looks")
	cmdutil.NeedsFlag(f, "timeout", "wait")
	cmdutil.NeedsFlag(f, "poll-interval", "wait")
	return cmd
}

// enableResult is `fast-launch enable -o json`.
type enableResult struct {
	Results  []fastlaunch.Result  `json:"results"`
	Warnings []fastlaunch.Finding `json:"warnings,omitempty"`
}

func runEnable(ctx context.Context, app *cmdutil.App, o *enableOptions, args []string) error {
	set := fastlaunch.Settings{TargetSnapshots: o.snapshots, MaxParallel: o.parallel}
	if o.launchTemplate != "" {
		lt, err := fastlaunch.ParseLaunchTemplate(o.launchTemplate)
		if err != nil {
			return &cmdutil.UsageError{Err: err}
		}
		set.LaunchTemplate = &lt
	}
	e, targets, err := o.regions.targets(ctx, app, args)
	if err != nil {
		return err
	}
	caller, err := awsapi.WhoAmI(ctx, e.clients.STS(), e.clients.IAM())
	if err != nil {
		return err
	}
	checker := &fastlaunch.Checker{EC2: func(r string) awsapi.EC2API { return e.ec2(r) }, IAM: e.clients.IAM(), Caller: caller, Quota: o.quota}
	findings, err := checker.Check(ctx, targets, set)
	if err != nil {
		return err
	}
	var failed, warnings []fastlaunch.Finding
	for _, f := range findings {
		if f.Severity == fastlaunch.Fail {
			failed = append(failed, f)
		} else {
			warnings = append(warnings, f)
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(app.IO.ErrOut, "Warning: %s\n", w)
	}
	if len(failed) > 0 {
		return &fastlaunch.CheckError{Findings: failed}
	}
	results, err := each(ctx, targets, false, func(ctx context.Context, t fastlaunch.Target) (fastlaunch.Result, error) {
		return fastlaunch.Enable(ctx, e.ec2(t.Region), t, set)
	})
	for _, r := range results {
		if r.Action != "" {
			fmt.Fprintf(app.IO.ErrOut, "%s in %s: %s (%s)\n", r.Status.AMI, r.Status.Region, r.Action, r.Status.State)
		}
	}
	if err != nil {
		return err
	}
	if o.wait {
		statuses, err := waitAll(ctx, e, targets, o.timeout, o.interval)
		for i := range results {
			if statuses[i].AMI != "" {
				results[i].Status = statuses[i]
			}
		}
		if err != nil {
			return err
		}
	}
	rows := output.Rows{Header: []string{"ami", "region", "action", "state", "snapshots", "parallel", "launch template"}}
	for _, r := range results {
		lt := "-"
		if r.Status.LaunchTemplate != nil {
			lt = r.Status.LaunchTemplate.String()
		}
		rows.Add(r.Status.AMI, r.Status.Region, string(r.Action), r.Status.State, fmt.Sprint(r.Status.TargetSnapshots), fmt.Sprint(r.Status.MaxParallel), lt)
	}
	return app.Print(enableResult{Results: results, Warnings: warnings}, rows)
}
