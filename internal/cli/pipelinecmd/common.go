// Package pipelinecmd holds the commands that turn a winami.yaml into an EC2
// Image Builder pipeline: plan, apply, build, status and destroy.
package pipelinecmd

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/pkg/specrun"
	"github.com/winami/winami/pkg/workloads"
)

// NewCmds builds the spec commands.
func NewCmds(app *cmdutil.App) []*cobra.Command {
	return []*cobra.Command{newPlanCmd(app), newApplyCmd(app), newBuildCmd(app), newStatusCmd(app), newDestroyCmd(app)}
}

// specFlag is -f/--file, and --skip-image-check for the commands that
// check the cache images before they plan.
type specFlag struct {
	path           string
	checksImages   bool
	skipImageCheck bool
	runsPreflight  bool
	skipPreflight  bool
	// cluster is --cluster: an EKS cluster whose Windows workloads must run
	// on the spec's Windows version when it changes.
	cluster string
	// headerOnly loads only the spec's header (name, region): status and
	// destroy find what a spec made, even when its component files are gone.
	headerOnly bool
	// wholeWhenItLoads, with headerOnly, takes the whole spec when it
	// loads (status then also shows the parent's life) and the header
	// only when it does not.
	wholeWhenItLoads bool
}

func (f *specFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.path, "file", "f", "winami.yaml", "the spec file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
}

// registerImageCheck makes the command check the cache images against
// the AMI's Windows build before it plans.
func (f *specFlag) registerImageCheck(cmd *cobra.Command) {
	f.checksImages = true
	cmd.Flags().BoolVar(&f.skipImageCheck, "skip-image-check", false,
		"go on when a cache image does not run on the AMI's Windows build or cannot be read (a warning instead of an error)")
	cmd.Flags().StringVar(&f.cluster, "cluster", "",
		"an EKS cluster (in the spec's region) whose Windows workloads must run on base.windows when it differs from the last build's")
}

// registerPreflight makes the command run the preflight before it changes
// anything, and stop on a failure.
func (f *specFlag) registerPreflight(cmd *cobra.Command) {
	f.runsPreflight = true
	cmd.Flags().BoolVar(&f.skipPreflight, "skip-preflight", false,
		"do not check permissions and prerequisites first (winami preflight) — a missing one then fails the build instead")
}

// runner loads the spec (every problem at once, with file:line:col) and
// builds the workflow's runner over the command's AWS clients, made for
// the spec's region when the runner first needs them.
func (f *specFlag) runner(app *cmdutil.App) (*specrun.Runner, error) {
	if err := cmdutil.CheckClusterFlag("--cluster", f.cluster); err != nil {
		return nil, err
	}
	s, err := f.load(app)
	if err != nil {
		return nil, err
	}
	r := &specrun.Runner{Spec: s, File: f.path, Region: app.Globals.Region, Clock: clock.Real{}, Out: app.IO.ErrOut, Log: app.Logger()}
	r.Connect = func(ctx context.Context) (*specrun.Clients, error) {
		app.Globals.Region = s.Region
		clients, err := app.Clients(ctx)
		if err != nil {
			return nil, err
		}
		var cluster images.ClusterCheck
		if f.cluster != "" {
			cluster = app.ClusterCheck(clients, workloads.Target{Cluster: f.cluster, Region: s.Region})
		}
		return &specrun.Clients{
			ImageBuilder: clients.ImageBuilder(s.Region),
			SSM:          clients.SSM,
			EC2:          clients.EC2,
			Preflight: func(ctx context.Context, s *spec.Spec) preflight.Report {
				return preflight.Run(ctx, preflight.DepsFromClients(clients), s)
			},
			ImageChecker: func() (pipeline.ImageChecker, error) {
				opts, err := app.ImageCheckerOptions(clients)
				if err != nil {
					return nil, err
				}
				return images.NewChecker(opts), nil
			},
			ClusterImages: cluster,
		}, nil
	}
	return r, nil
}

// load reads the whole spec, or only its header for the commands that
// need no more.
func (f *specFlag) load(app *cmdutil.App) (*spec.Spec, error) {
	if !f.headerOnly {
		return app.LoadSpec(f.path)
	}
	if f.wholeWhenItLoads {
		if s, err := app.LoadSpec(f.path); err == nil {
			return s, nil
		}
	}
	h, err := app.LoadSpecHeader(f.path)
	if err != nil {
		return nil, err
	}
	return &spec.Spec{APIVersion: h.APIVersion, Kind: h.Kind, Name: h.Name, Region: h.Region, File: h.File}, nil
}

// planOptions are the checks this command's flags ask for before a plan.
func (f *specFlag) planOptions() specrun.PlanOptions {
	return specrun.PlanOptions{
		Preflight:      f.runsPreflight && !f.skipPreflight,
		CheckImages:    f.checksImages,
		SkipImageCheck: f.skipImageCheck,
	}
}

// runErr is a runner's error as the command reports it: --region against
// the spec is bad input, shown with a pointer to the help.
func runErr(err error) error {
	if re := (*specrun.RegionError)(nil); errors.As(err, &re) {
		return &cmdutil.UsageError{Err: err}
	}
	return err
}

// openAndPlan loads the spec, runs the preflight when the command does,
// and plans.
func (f *specFlag) openAndPlan(ctx context.Context, app *cmdutil.App) (*specrun.Runner, *pipeline.Plan, error) {
	r, err := f.runner(app)
	if err != nil {
		return nil, nil, err
	}
	p, err := r.Plan(ctx, f.planOptions())
	if err != nil {
		return nil, nil, runErr(err)
	}
	return r, p, nil
}
