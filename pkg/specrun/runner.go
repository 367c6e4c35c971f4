// Package specrun runs the workflow of a winami.yaml against AWS: plan
// (region check → preflight → parent image → cache image check → what
// exists → the diff), apply (the cache record, then the Image Builder
// resources), build (apply when needed → start → follow → AMIs → Fast
// Launch confirmation), status and destroy. The commands of
// internal/cli/pipelinecmd parse flags, build a Runner and render what it
// returns; the Runner takes its AWS clients, clock and output as values,
// so every branch of the workflow is tested with fakes.
//
// The name says what it does: it runs a spec. pkg/pipeline is the layer
// below (one Image Builder operation each); this package orders them.
package specrun

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	ibtypes "github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
)

// Clients are what a run reaches AWS with, each as narrow as its use.
type Clients struct {
	// ImageBuilder is the client of the spec's region.
	ImageBuilder awsapi.ImageBuilderAPI
	// SSM and EC2 return a region's client (parent image, cache record,
	// the AMIs' tags, their Fast Launch).
	SSM func(region string) awsapi.SSMAPI
	EC2 func(region string) awsapi.EC2API
	// Preflight runs winami preflight for the spec.
	Preflight func(ctx context.Context, s *spec.Spec) preflight.Report
	// ImageChecker makes the cache images' checker, only when the spec
	// caches images (its registries may need setting up first).
	ImageChecker func() (pipeline.ImageChecker, error)
	// ClusterImages, when set (--cluster), checks the images of a
	// cluster's Windows workloads against a build: plan runs it when the
	// spec's base.windows differs from its last build's.
	ClusterImages images.ClusterCheck
}

// Events are the progress a command may show as it likes; any may be nil.
type Events struct {
	// BuildPolled hears every look at a followed build, with its current
	// step while it runs (when the workflow executions can be read).
	BuildPolled func(img *ibtypes.Image, step pipeline.Step)
	// FollowEnded is called once following a build ends, however it ends,
	// before anything more is written to Out.
	FollowEnded func()
}

// Runner runs one spec's workflow.
type Runner struct {
	Spec *spec.Spec
	// File is the spec's path, as the messages' fixes name it.
	File string
	// Region is --region, "" when not given: it must agree with the spec's.
	Region string
	// Connect makes the clients, for the spec's region, once the region is
	// known to be right; it is called at most once.
	Connect func(ctx context.Context) (*Clients, error)
	Clock   clock.Clock
	// Out takes the messages for people (stderr): progress, warnings, the
	// preflight's failed checks.
	Out    io.Writer
	Events Events
	// Log takes debug detail (nil: none).
	Log *slog.Logger

	clients *Clients
}

// RegionError is --region disagreeing with the spec's region: bad input.
type RegionError struct{ Flag, Spec string }

func (e *RegionError) Error() string {
	return fmt.Sprintf("--region %s disagrees with the spec's region %s: the spec decides where the pipeline lives", e.Flag, e.Spec)
}

// CheckRegion refuses a --region other than the spec's.
func CheckRegion(flag string, s *spec.Spec) error {
	if flag != "" && flag != s.Region {
		return &RegionError{Flag: flag, Spec: s.Region}
	}
	return nil
}

// connect checks the region and makes the clients, before any AWS call.
func (r *Runner) connect(ctx context.Context) (*Clients, error) {
	if r.clients != nil {
		return r.clients, nil
	}
	if err := CheckRegion(r.Region, r.Spec); err != nil {
		return nil, err
	}
	c, err := r.Connect(ctx)
	if err != nil {
		return nil, err
	}
	r.clients = c
	return c, nil
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// PlanOptions say which checks come before the plan.
type PlanOptions struct {
	// Preflight runs winami preflight first and stops on a failure.
	Preflight bool
	// CheckImages checks the cache images against the AMI's Windows build;
	// SkipImageCheck makes a problem a warning instead of an error.
	CheckImages    bool
	SkipImageCheck bool
}

// Plan reads what exists and compares it with the spec, after the checks
// the options ask for. Nothing is changed.
func (r *Runner) Plan(ctx context.Context, o PlanOptions) (*pipeline.Plan, error) {
	c, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	if o.Preflight {
		if err := r.preflight(ctx, c); err != nil {
			return nil, err
		}
	}
	parent, err := pipeline.ResolveParent(ctx, catalog.NewFinder(c.SSM, c.EC2), r.Spec)
	if err != nil {
		return nil, fmt.Errorf("resolving the parent image: %w", err)
	}
	var check *pipeline.ImageCheck
	if o.CheckImages {
		if check, err = r.checkImages(ctx, c, o.SkipImageCheck); err != nil {
			return nil, err
		}
	}
	if c.ClusterImages != nil {
		if err := r.checkUpgrade(ctx, c, o.SkipImageCheck); err != nil {
			return nil, err
		}
	}
	d, err := pipeline.NewDesired(r.Spec, parent, check)
	if err != nil {
		return nil, err
	}
	obs, err := pipeline.Observe(ctx, c.ImageBuilder, r.Spec.Name)
	if err != nil {
		return nil, err
	}
	p := pipeline.NewPlan(d, obs)
	p.ParentWarnings = r.warnParent(parent)
	return p, nil
}

// preflight stops on a failed check, printing the checks that did not
// pass with their fixes.
func (r *Runner) preflight(ctx context.Context, c *Clients) error {
	rep := c.Preflight(ctx, r.Spec)
	shown := rep
	shown.Checks = nil
	for _, ch := range rep.Checks {
		// The parent's life cycle is the plan's own warning (ParentWarnings),
		// printed once, after the preflight, with the plan.
		if ch.Status != preflight.Pass && ch.ID != preflight.IDParentLifecycle {
			shown.Checks = append(shown.Checks, ch)
		}
	}
	if len(shown.Checks) > 0 {
		fmt.Fprintln(r.Out, "Preflight:")
		preflight.WriteTable(r.Out, shown)
		fmt.Fprintln(r.Out)
	}
	if rep.Failed() {
		return fmt.Errorf("preflight: %d check(s) failed, so nothing was changed; fix them (winami preflight -f %s shows every check) or pass --skip-preflight",
			len(rep.Failures()), r.File)
	}
	return nil
}

// checkImages reads the cache images from their registries and refuses
// (unless skip) to bake one that cannot run on the AMI's Windows build or
// that cannot be read.
func (r *Runner) checkImages(ctx context.Context, c *Clients, skip bool) (*pipeline.ImageCheck, error) {
	if r.Spec.Cache == nil || len(r.Spec.Cache.Images) == 0 {
		return nil, nil
	}
	checker, err := c.ImageChecker()
	if err != nil {
		return nil, err
	}
	check, err := pipeline.CheckCacheImages(ctx, checker, r.Spec)
	if err != nil {
		return nil, fmt.Errorf("checking the cache images: %w", err)
	}
	problems := check.Problems()
	if len(problems) == 0 {
		return check, nil
	}
	host := check.Report.Host.String()
	list := strings.Join(problems, "\n  ")
	if !skip {
		return nil, fmt.Errorf("%d cache image(s) do not run on Windows %s or could not be read:\n  %s\n"+
			"Fix the references (winami images check -f %s shows each image's platforms), "+
			"or pass --skip-image-check to build anyway",
			len(problems), host, list, r.File)
	}
	fmt.Fprintf(r.Out, "Warning: --skip-image-check: baking %d image(s) that may not run on Windows %s or could not be read; they are pulled by tag:\n  %s\n",
		len(problems), host, list)
	return check, nil
}

// checkUpgrade refuses (unless skip) a spec that moves its AMIs to another
// Windows Server version when workloads of the cluster would not run on it
// or their images cannot be read.
func (r *Runner) checkUpgrade(ctx context.Context, c *Clients, skip bool) error {
	u, err := images.CheckUpgrade(ctx, c.EC2(r.Spec.Region), r.Spec, c.ClusterImages)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "Workloads: %s.\n", u.Summary())
	problems := u.Problems()
	if len(problems) == 0 {
		return nil
	}
	list := strings.Join(problems, "\n  ")
	if !skip {
		return fmt.Errorf("%d image(s) of cluster %s's Windows workloads do not run on Windows Server %s or could not be read:\n  %s\n"+
			"Rebuild them for Windows Server %s (winami images check --cluster %s --windows %s lists them), keep base.windows %s, "+
			"or pass --skip-image-check to go on",
			len(problems), u.Report.Cluster, u.To, list, u.To, u.Report.Cluster, u.To, u.From)
	}
	fmt.Fprintf(r.Out, "Warning: --skip-image-check: %d image(s) of cluster %s's Windows workloads may not run on Windows Server %s:\n  %s\n",
		len(problems), u.Report.Cluster, u.To, list)
	return nil
}

// Apply carries out a plan of this runner: the cache record's SSM
// parameter first (the AMIs' tag will point at it), then the Image Builder
// resources. An interrupted apply is resumed by planning and applying
// again: it finds what the first one made.
func (r *Runner) Apply(ctx context.Context, p *pipeline.Plan) (*pipeline.Applied, error) {
	c, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	err = pipeline.WriteCacheRecord(ctx, c.SSM, p, func(region string) {
		fmt.Fprintf(r.Out, "Writing the image cache record %s in %s...\n", p.Cache.Parameter, region)
	})
	if err != nil {
		return nil, err
	}
	return pipeline.Apply(ctx, c.ImageBuilder, p, pipeline.ApplyOptions{Progress: changeProgress(r.Out)})
}

// DestroyPlan lists what destroy removes: with images, every build's AMIs
// and the builds first, then the spec's Image Builder resources.
func (r *Runner) DestroyPlan(ctx context.Context, images bool) ([]pipeline.Change, error) {
	c, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	o, err := pipeline.Observe(ctx, c.ImageBuilder, r.Spec.Name)
	if err != nil {
		return nil, err
	}
	var changes []pipeline.Change
	if images {
		if changes, err = pipeline.ImagesPlan(ctx, c.ImageBuilder, r.Spec.Name); err != nil {
			return nil, err
		}
	}
	return append(changes, pipeline.DestroyPlan(o)...), nil
}

// Destroy carries out a DestroyPlan.
func (r *Runner) Destroy(ctx context.Context, changes []pipeline.Change) error {
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	return pipeline.Destroy(ctx, c.ImageBuilder, c.EC2, changes, changeProgress(r.Out))
}

// changeProgress reports each change on w as apply or destroy starts it.
func changeProgress(w io.Writer) pipeline.Progress {
	return func(c pipeline.Change) {
		if c.Kind == pipeline.KindAMI {
			fmt.Fprintf(w, "%s ami %s in %s...\n", verb(c.Action), c.ARN, c.Region)
			return
		}
		v := ""
		if c.Version != "" {
			v = " " + c.Version
		}
		fmt.Fprintf(w, "%s %s %s%s...\n", verb(c.Action), c.Kind, c.Name, v)
	}
}

func verb(a pipeline.Action) string {
	switch a {
	case pipeline.ActionCreate, pipeline.ActionNewVersion:
		return "Creating"
	case pipeline.ActionUpdate:
		return "Updating"
	case pipeline.ActionDelete:
		return "Deleting"
	}
	return "Keeping"
}
