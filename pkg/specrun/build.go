package specrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

// BuildResult is `winami build -o json`.
type BuildResult struct {
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

// BuildOptions shape Build.
type BuildOptions struct {
	// Wait follows the build until it ends, for at most Timeout, looking at
	// it at most Poll apart.
	Wait    bool
	Timeout time.Duration
	Poll    time.Duration
	// FastLaunchTimeout bounds the wait for Fast Launch after the build.
	FastLaunchTimeout time.Duration
	// Sandbox says the endpoint is the in-process sandbox, which ends with
	// winami and its build with it.
	Sandbox bool
}

// Build applies the plan (nothing is changed when it has no changes),
// starts one pipeline execution and, with Wait, follows it to its end and
// confirms Fast Launch. A build that ends other than AVAILABLE is an error
// that says where its logs are; the result comes with it.
func (r *Runner) Build(ctx context.Context, p *pipeline.Plan, o BuildOptions) (*BuildResult, error) {
	applied, err := r.Apply(ctx, p)
	if err != nil {
		return nil, err
	}
	c := r.clients
	imageARN, err := pipeline.StartBuild(ctx, c.ImageBuilder, applied.Pipeline)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(r.Out, "Build started: %s\n", imageARN)
	if !o.Wait {
		if o.Sandbox {
			fmt.Fprintf(r.Out, "The in-process sandbox (--sandbox) ends with this command, and the build with it: pass --wait, or run a standalone winami sandbox to follow a build across commands.\n")
		} else {
			fmt.Fprintf(r.Out, "Follow it with: winami status -f %s\n", r.File)
		}
		return &BuildResult{ImageBuildVersionARN: imageARN, State: string(types.ImageStatusPending), AMIs: []pipeline.AMI{}}, nil
	}
	img, elapsed, err := r.follow(ctx, c, imageARN, o)
	if err != nil {
		return nil, r.stoppedFollowing(ctx, err, o)
	}
	res := &BuildResult{ImageBuildVersionARN: imageARN, State: string(img.State.Status), Reason: aws.ToString(img.State.Reason), AMIs: pipeline.AMIs(img)}
	if p.Cache != nil {
		// Apply has just made the distribution record exactly this.
		res.CachedImages = p.Cache.Images
	}
	if img.State.Status != types.ImageStatusAvailable {
		return res, fmt.Errorf("build %s %s after %s: %s\n%s", imageARN, img.State.Status, elapsed, res.Reason, logsHint(r.Spec.Build.Logs, r.Spec.Name))
	}
	// The progress counted to AVAILABLE; this is the build's duration as
	// status gives it, named so that the two numbers do not look alike.
	if d := r.took(ctx, c, img); d != "" {
		fmt.Fprintf(r.Out, "Build AVAILABLE: its AMIs were registered %s after it started.\n", d)
	} else {
		fmt.Fprintln(r.Out, "Build AVAILABLE.")
	}
	if fl := r.Spec.Distribution.FastLaunch; fl != nil && fl.Enabled {
		if res.FastLaunch, err = r.confirmFastLaunch(ctx, c, imageARN, res.AMIs, o.FastLaunchTimeout); err != nil {
			return res, err
		}
	}
	return res, nil
}

// confirmFastLaunch checks that Fast Launch of each of the build's AMIs
// reached enabled within timeout (fastlaunch.ConfirmBuild: Image Builder
// reports a build AVAILABLE whatever became of it), printing its progress.
func (r *Runner) confirmFastLaunch(ctx context.Context, c *Clients, imageARN string, amis []pipeline.AMI, timeout time.Duration) ([]fastlaunch.Status, error) {
	b := fastlaunch.Build{
		Account:  pipeline.AccountOf(imageARN), // the build's, and the caller's
		Accounts: r.Spec.Distribution.FastLaunch.Accounts,
		Regions:  r.Spec.Distribution.Regions,
	}
	for _, a := range amis {
		b.AMIs = append(b.AMIs, fastlaunch.BuiltAMI{Region: a.Region, ImageID: a.ImageID, Account: a.Account})
	}
	return fastlaunch.ConfirmBuild(ctx, c.EC2, b, fastlaunch.ConfirmOptions{Timeout: timeout, Clock: r.Clock, Out: r.Out})
}

// follow polls the build until it ends or Timeout passes, and says how
// long it had run when following ended (from the image's creation, as
// status counts it).
func (r *Runner) follow(ctx context.Context, c *Clients, imageARN string, o BuildOptions) (*types.Image, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	start := r.Clock.Now()
	var last *types.Image
	img, err := pipeline.Wait(ctx, c.ImageBuilder, imageARN, pipeline.WaitOptions{
		OnPoll: func(img *types.Image) {
			last = img
			if r.Events.BuildPolled == nil {
				return
			}
			var step pipeline.Step
			if img != nil && img.State != nil && !pipeline.Terminal(img.State.Status) {
				// Best effort: an identity without imagebuilder:ListWorkflow*
				// still sees the state.
				if st, err := pipeline.CurrentStep(ctx, c.ImageBuilder, imageARN); err == nil {
					step = st
				} else {
					r.log().Debug("reading the build's current step", "error", err)
				}
			}
			r.Events.BuildPolled(img, step)
		},
		Sleep: r.backoff(o.Poll),
	})
	if r.Events.FollowEnded != nil {
		r.Events.FollowEnded()
	}
	if last != nil {
		if created, perr := time.Parse(time.RFC3339, aws.ToString(last.DateCreated)); perr == nil {
			start = created
		}
	}
	return img, SinceCreated(start, r.Clock.Now()), err
}

// backoff polls quickly first (a sandbox build takes seconds) and then
// every max at most.
func (r *Runner) backoff(max time.Duration) func(ctx context.Context, d time.Duration) error {
	next := 500 * time.Millisecond
	return func(ctx context.Context, _ time.Duration) error {
		d := next
		next = min(next*3/2, max)
		return r.Clock.Sleep(ctx, d)
	}
}

// stoppedFollowing says why following ended early. Ctrl-C and the timeout
// leave a build in AWS running; the in-process sandbox ends with winami,
// and its build with it.
func (r *Runner) stoppedFollowing(ctx context.Context, err error, o BuildOptions) error {
	goesOn := "the build goes on: winami status -f " + r.File
	if o.Sandbox {
		goesOn = "the build ends with it, as the in-process sandbox (--sandbox) ends with winami: to follow a build across commands, run a standalone winami sandbox and point winami at it (AWS_ENDPOINT_URL)"
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("stopped following after %s; %s", o.Timeout, goesOn)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped following; %s", goesOn)
	}
	return err
}

// took is the build's duration by the one definition status uses too (the
// image's creation to its last AMI's registration), or "" when the AMIs
// cannot be read. Their cache record is not read: the build has just
// written it, and the duration does not need it.
func (r *Runner) took(ctx context.Context, c *Clients, img *types.Image) string {
	info := newImageInfo(aws.ToString(img.Arn), aws.ToString(img.DateCreated), img.State, img.OutputResources)
	images := []ImageInfo{info}
	if err := describeAMIs(ctx, c, images, false); err != nil {
		r.log().Debug("reading the AMIs' creation dates", "error", err)
		return ""
	}
	return buildDuration(images[0], r.Clock.Now())
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
