package pipelinecmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/specrun"
)

type buildOptions struct {
	f       specFlag
	wait    bool
	timeout time.Duration
	poll    time.Duration
	// fastLaunchTimeout bounds the wait for Fast Launch after the build.
	fastLaunchTimeout time.Duration
}

func newBuildCmd(app *cmdutil.App) *cobra.Command {
	o := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build -f winami.yaml [--wait]",
		Short: "Build the spec's AMI: apply if needed, then run the pipeline",
		Long: `Apply the spec when the pipeline is missing or differs from it (the plan is printed), start
one pipeline execution, and with --wait follow it until the AMI is available in every
distribution region: a live line on a terminal, timestamped lines otherwise. With
distribution.fastLaunch, --wait then confirms with DescribeFastLaunchImages that Fast Launch
of every new AMI of your account reached enabled (Image Builder reports AVAILABLE either way),
and exits 1 when it failed or did not get there within --fast-launch-timeout.

A FAILED or CANCELLED build prints the reason and where the logs are, and exits 1.
Ctrl-C stops following, never the build; 'winami status' shows it again. Under --sandbox
the in-process sandbox, and its build, end with winami: a standalone 'winami sandbox' keeps them.`,
		Example: `  winami build -f winami.yaml --wait
  winami build -f winami.yaml --wait --timeout 2h -o json
  winami --sandbox build -f examples/winami.yaml --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runBuild(cmd.Context(), app, o) },
	}
	o.f.register(cmd)
	o.f.registerImageCheck(cmd)
	o.f.registerPreflight(cmd)
	cmd.Flags().BoolVar(&o.wait, "wait", false, "follow the build until it ends")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 3*time.Hour, "with --wait, stop following after this long (the build goes on)")
	cmd.Flags().DurationVar(&o.poll, "poll-interval", 15*time.Second, "with --wait, the longest wait between two looks at the build")
	cmd.Flags().DurationVar(&o.fastLaunchTimeout, "fast-launch-timeout", 45*time.Minute, "with --wait and distribution.fastLaunch, how long to wait for Fast Launch to be enabled after the build")
	for _, name := range []string{"timeout", "poll-interval", "fast-launch-timeout"} {
		cmdutil.NeedsFlag(cmd.Flags(), name, "wait")
	}
	return cmd
}

func runBuild(ctx context.Context, app *cmdutil.App, o *buildOptions) error {
	r, p, err := o.f.openAndPlan(ctx, app)
	if err != nil {
		return err
	}
	if p.HasChanges() {
		renderPlan(app.IO.ErrOut, p)
		fmt.Fprintln(app.IO.ErrOut, "\nApplying the spec before the build.")
	}
	line := newProgressLine(app.IO.ErrOut, cmdutil.IsTerminal(app.IO.ErrOut), time.Now)
	// Whatever ends the wait, the live line ends first, so an error or the
	// result is not printed on it.
	defer line.end()
	if o.wait && line.live {
		ticking, stop := context.WithCancel(ctx)
		defer stop()
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		go line.run(ticking, ticker.C)
	}
	r.Events = specrun.Events{BuildPolled: line.update, FollowEnded: line.end}
	res, err := r.Build(ctx, p, specrun.BuildOptions{
		Wait: o.wait, Timeout: o.timeout, Poll: o.poll, FastLaunchTimeout: o.fastLaunchTimeout, Sandbox: app.Globals.Sandbox,
	})
	if err != nil {
		return err
	}
	if !o.wait {
		return app.Print(res, oneRow(res.ImageBuildVersionARN))
	}
	rows := output.Rows{Header: []string{"region", "ami id", "name"}}
	for _, a := range res.AMIs {
		rows.Add(a.Region, a.ImageID, a.Name)
	}
	if err := app.Print(res, rows); err != nil {
		return err
	}
	if app.Format() == output.Table && len(res.CachedImages) > 0 {
		fmt.Fprintf(app.IO.Out, "\nCached in the AMIs (tag %s):\n", amimeta.TagCache)
		for _, c := range res.CachedImages {
			fmt.Fprintf(app.IO.Out, "  %s\n", c)
		}
	}
	if rel := r.Spec.Release; rel != nil && len(rel.Channels) > 1 {
		first := rel.Channels[0]
		fmt.Fprintf(app.IO.ErrOut, "\nPublished to release channel %s (%s) only; when it has proved itself: winami release promote -f %s --to %s\n",
			first.Name, r.Spec.ChannelParameter(first), o.f.path, rel.Channels[1].Name)
	}
	return nil
}

func oneRow(s string) output.Rows {
	r := output.Rows{}
	r.Add(s)
	return r
}
