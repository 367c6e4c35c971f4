package pipelinecmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

type buildOptions struct {
	f       specFlag
	wait    bool
	timeout time.Duration
	poll    time.Duration
	// fastLaunchTimeout bounds the wait for Fast Launch after the build.
	fastLaunchTimeout time.Duration
}

// buildResult is `winami build -o json`.
type buildResult struct {
	ImageBuildVersionARN string         `json:"imageBuildVersionArn"`
	State                string         `json:"state"`
	Reason               string         `json:"reason,omitempty"`
	AMIs                 []pipeline.AMI `json:"amis"`
	// CachedImages are the container images the AMIs cache, with the
	// digests they were pinned to (what their winami:cache tag records).
	CachedImages []amimeta.CachedImage `json:"cachedImages,omitempty"`
	// FastLaunch is each AMI's Fast Launch once confirmed enabled (with
	// distribution.fastLaunch and --wait).
	FastLaunch []fastlaunch.Status `json:"fastLaunch,omitempty"`
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
	s, p, err := o.f.openAndPlan(ctx, app)
	if err != nil {
		return err
	}
	if p.HasChanges() {
		renderPlan(app.IO.ErrOut, p)
		fmt.Fprintln(app.IO.ErrOut, "\nApplying the spec before the build.")
	}
	applied, err := s.apply(ctx, p)
	if err != nil {
		return err
	}
	imageARN, err := pipeline.StartBuild(ctx, s.ib, applied.Pipeline)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.IO.ErrOut, "Build started: %s\n", imageARN)
	if !o.wait {
		if app.Globals.Sandbox {
			fmt.Fprintf(app.IO.ErrOut, "The in-process sandbox (--sandbox) ends with this command, and the build with it: pass --wait, or run a standalone winami sandbox to follow a build across commands.\n")
		} else {
			fmt.Fprintf(app.IO.ErrOut, "Follow it with: winami status -f %s\n", o.f.path)
		}
		return app.Print(buildResult{ImageBuildVersionARN: imageARN, State: string(types.ImageStatusPending), AMIs: []pipeline.AMI{}}, oneRow(imageARN))
	}
	waitCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	line := newProgressLine(app.IO.ErrOut, isTerminal(app.IO.ErrOut), time.Now)
	// Whatever ends the wait, the live line ends first, so an error or the
	// result is not printed on it.
	defer line.end()
	if line.live {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		go line.run(waitCtx, ticker.C)
	}
	img, err := pipeline.Wait(waitCtx, s.ib, imageARN, pipeline.WaitOptions{
		OnPoll: func(img *types.Image) {
			var step pipeline.Step
			if img != nil && img.State != nil && !pipeline.Terminal(img.State.Status) {
				// Best effort: an identity without imagebuilder:ListWorkflow*
				// still sees the state.
				if st, err := pipeline.CurrentStep(waitCtx, s.ib, imageARN); err == nil {
					step = st
				} else {
					app.Logger().Debug("reading the build's current step", "error", err)
				}
			}
			line.update(img, step)
		},
		Sleep: backoff(o.poll),
	})
	line.end()
	if err != nil {
		return stoppedFollowing(ctx, err, app.Globals.Sandbox, o)
	}
	res := buildResult{ImageBuildVersionARN: imageARN, State: string(img.State.Status), Reason: aws.ToString(img.State.Reason), AMIs: pipeline.AMIs(img)}
	if p.Cache != nil {
		// apply has just made the distribution record exactly this.
		res.CachedImages = p.Cache.Images
	}
	if img.State.Status != types.ImageStatusAvailable {
		return fmt.Errorf("build %s %s after %s: %s\n%s", imageARN, img.State.Status, line.elapsed(), res.Reason, logsHint(s.spec.Build.Logs, s.spec.Name))
	}
	// The live line counted to AVAILABLE; this is the build's duration as
	// status gives it, named so that the two numbers do not look alike.
	if d := took(ctx, s, img); d != "" {
		fmt.Fprintf(app.IO.ErrOut, "Build AVAILABLE: its AMIs were registered %s after it started.\n", d)
	} else {
		fmt.Fprintln(app.IO.ErrOut, "Build AVAILABLE.")
	}
	if res.FastLaunch, err = confirmFastLaunch(ctx, s, imageARN, res.AMIs, o.fastLaunchTimeout); err != nil {
		return err
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
	return nil
}

func oneRow(s string) output.Rows {
	r := output.Rows{}
	r.Add(s)
	return r
}

// backoff polls quickly first (a sandbox build takes seconds) and then
// every max at most.
func backoff(max time.Duration) func(ctx context.Context, d time.Duration) error {
	next := 500 * time.Millisecond
	return func(ctx context.Context, _ time.Duration) error {
		d := next
		next = min(next*3/2, max)
		return clock.Sleep(ctx, d)
	}
}

// stoppedFollowing says why following ended early. Ctrl-C and --timeout
// leave a build in AWS running; the in-process sandbox of --sandbox ends
// with winami, and its build with it.
func stoppedFollowing(ctx context.Context, err error, sandbox bool, o *buildOptions) error {
	goesOn := "the build goes on: winami status -f " + o.f.path
	if sandbox {
		goesOn = "the build ends with it, as the in-process sandbox (--sandbox) ends with winami: to follow a build across commands, run a standalone winami sandbox and point winami at it (AWS_ENDPOINT_URL)"
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("stopped following after %s; %s", o.timeout, goesOn)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped following; %s", goesOn)
	}
	return err
}

// took is the build's duration by the one definition status uses too (the
// image's creation to its last AMI's registration), or "" when the AMIs
// cannot be read.
func took(ctx context.Context, s *session, img *types.Image) string {
	info := newImageInfo(aws.ToString(img.Arn), aws.ToString(img.DateCreated), img.State, img.OutputResources)
	images := []imageInfo{info}
	if err := describeAMIs(ctx, s, images); err != nil {
		s.app.Logger().Debug("reading the AMIs' creation dates", "error", err)
		return ""
	}
	return buildDuration(images[0], time.Now())
}

// logsHint says where a failed build's logs are: the spec's S3 bucket, and
// always CloudWatch Logs, where Image Builder writes under the image's name.
func logsHint(logs *spec.Logs, name string) string {
	hint := "Logs: CloudWatch log group /aws/imagebuilder/" + pipeline.ResourceName(name)
	if logs != nil {
		hint += fmt.Sprintf(", and s3://%s/%s", logs.S3Bucket, logs.S3Prefix)
	}
	return hint
}
