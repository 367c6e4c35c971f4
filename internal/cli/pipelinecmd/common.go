// Package pipelinecmd holds the commands that turn a winami.yaml into an EC2
// Image Builder pipeline: plan, apply, build, status and destroy.
package pipelinecmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
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
}

// registerPreflight makes the command run the preflight before it changes
// anything, and stop on a failure.
func (f *specFlag) registerPreflight(cmd *cobra.Command) {
	f.runsPreflight = true
	cmd.Flags().BoolVar(&f.skipPreflight, "skip-preflight", false,
		"do not check permissions and prerequisites first (winami preflight) — a missing one then fails the build instead")
}

// session is one spec with the AWS clients of its region.
type session struct {
	app     *cmdutil.App
	flags   *specFlag
	spec    *spec.Spec
	clients *awsapi.Clients
	ib      awsapi.ImageBuilderAPI
}

// open loads the spec (every problem at once, with file:line:col) and
// builds clients for the spec's region.
func (f *specFlag) open(ctx context.Context, app *cmdutil.App) (*session, error) {
	s, err := app.LoadSpec(f.path)
	if err != nil {
		return nil, err
	}
	if r := app.Globals.Region; r != "" && r != s.Region {
		return nil, cmdutil.Usagef("--region %s disagrees with the spec's region %s: the spec decides where the pipeline lives", r, s.Region)
	}
	app.Globals.Region = s.Region
	clients, err := app.Clients(ctx)
	if err != nil {
		return nil, err
	}
	return &session{app: app, flags: f, spec: s, clients: clients, ib: clients.ImageBuilder(s.Region)}, nil
}

// desired resolves the parent image, checks the cache images and builds
// the desired resources.
func (s *session) desired(ctx context.Context) (*pipeline.Desired, error) {
	parent, err := pipeline.ResolveParent(ctx, catalog.NewFinderFromClients(s.clients), s.spec)
	if err != nil {
		return nil, fmt.Errorf("resolving the parent image: %w", err)
	}
	var check *pipeline.ImageCheck
	if s.flags.checksImages {
		if check, err = s.checkImages(ctx); err != nil {
			return nil, err
		}
	}
	return pipeline.NewDesired(s.spec, parent, check)
}

// checkImages reads the cache images from their registries and refuses
// (unless --skip-image-check) to bake one that cannot run on the AMI's
// Windows build or that cannot be read.
func (s *session) checkImages(ctx context.Context) (*pipeline.ImageCheck, error) {
	if s.spec.Cache == nil || len(s.spec.Cache.Images) == 0 {
		return nil, nil
	}
	opts, err := s.app.ImageCheckerOptions(s.clients)
	if err != nil {
		return nil, err
	}
	check, err := pipeline.CheckCacheImages(ctx, images.NewChecker(opts), s.spec)
	if err != nil {
		return nil, fmt.Errorf("checking the cache images: %w", err)
	}
	problems := check.Problems()
	if len(problems) == 0 {
		return check, nil
	}
	host := check.Report.Host.String()
	list := strings.Join(problems, "\n  ")
	if !s.flags.skipImageCheck {
		return nil, fmt.Errorf("%d cache image(s) do not run on Windows %s or could not be read:\n  %s\n"+
			"Fix the references (winami images check -f %s shows each image's platforms), "+
			"or pass --skip-image-check to build anyway",
			len(problems), host, list, s.flags.path)
	}
	fmt.Fprintf(s.app.IO.ErrOut, "Warning: --skip-image-check: baking %d image(s) that may not run on Windows %s or could not be read; they are pulled by tag:\n  %s\n",
		len(problems), host, list)
	return check, nil
}

// plan reads what exists and compares it with the spec.
func (s *session) plan(ctx context.Context) (*pipeline.Plan, error) {
	d, err := s.desired(ctx)
	if err != nil {
		return nil, err
	}
	o, err := pipeline.Observe(ctx, s.ib, s.spec.Name)
	if err != nil {
		return nil, err
	}
	return pipeline.NewPlan(d, o), nil
}

// apply carries out the plan: the cache record's SSM parameter first (the
// AMIs' tag will point at it), then the Image Builder resources.
func (s *session) apply(ctx context.Context, p *pipeline.Plan) (*pipeline.Applied, error) {
	ssmFor := func(region string) awsapi.SSMAPI { return s.clients.SSM(region) }
	err := pipeline.WriteCacheRecord(ctx, ssmFor, p, func(region string) {
		fmt.Fprintf(s.app.IO.ErrOut, "Writing the image cache record %s in %s...\n", p.Cache.Parameter, region)
	})
	if err != nil {
		return nil, err
	}
	return pipeline.Apply(ctx, s.ib, p, pipeline.ApplyOptions{Progress: progressTo(s.app)})
}

// preflight runs winami preflight and stops on a failure, printing the
// failed and warning checks with their fixes.
func (s *session) preflight(ctx context.Context) error {
	if !s.flags.runsPreflight || s.flags.skipPreflight {
		return nil
	}
	rep := preflight.Run(ctx, preflight.DepsFromClients(s.clients), s.spec)
	shown := rep
	shown.Checks = nil
	for _, c := range rep.Checks {
		if c.Status != preflight.Pass {
			shown.Checks = append(shown.Checks, c)
		}
	}
	if len(shown.Checks) > 0 {
		fmt.Fprintln(s.app.IO.ErrOut, "Preflight:")
		preflight.WriteTable(s.app.IO.ErrOut, shown)
		fmt.Fprintln(s.app.IO.ErrOut)
	}
	if rep.Failed() {
		return fmt.Errorf("preflight: %d check(s) failed, so nothing was changed; fix them (winami preflight -f %s shows every check) or pass --skip-preflight",
			len(rep.Failures()), s.flags.path)
	}
	return nil
}

// openAndPlan loads the spec, runs the preflight when the command does,
// and plans.
func (f *specFlag) openAndPlan(ctx context.Context, app *cmdutil.App) (*session, *pipeline.Plan, error) {
	s, err := f.open(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	if err := s.preflight(ctx); err != nil {
		return nil, nil, err
	}
	p, err := s.plan(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s, p, nil
}

// confirm asks on a terminal; elsewhere it refuses unless autoApprove.
func confirm(app *cmdutil.App, autoApprove bool, question string) error {
	if autoApprove {
		return nil
	}
	if !isTerminal(app.IO.In) {
		return cmdutil.Usagef("not on a terminal, so nothing can confirm: pass --auto-approve")
	}
	fmt.Fprintf(app.IO.ErrOut, "\n%s\n  Only 'yes' will be accepted: ", question)
	line, err := bufio.NewReader(app.IO.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("cancelled: nothing was changed")
	}
	return nil
}

// isTerminal reports whether a stream is a terminal. A character device is
// not enough: /dev/null is one too, and a command run with </dev/null (cron,
// CI, nohup) must not wait for an answer nobody can type.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
