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

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

// NewCmds builds the spec commands.
func NewCmds(app *cmdutil.App) []*cobra.Command {
	return []*cobra.Command{newPlanCmd(app), newApplyCmd(app), newBuildCmd(app), newStatusCmd(app), newDestroyCmd(app)}
}

// specFlag is -f/--file.
type specFlag struct{ path string }

func (f *specFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.path, "file", "f", "winami.yaml", "the spec file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
}

// session is one spec with the AWS clients of its region.
type session struct {
	spec    *spec.Spec
	clients *awsapi.Clients
	ib      awsapi.ImageBuilderAPI
}

// open loads the spec (every problem at once, with file:line:col) and
// builds clients for the spec's region.
func (f *specFlag) open(ctx context.Context, app *cmdutil.App) (*session, error) {
	s, err := cmdutil.LoadSpec(f.path)
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
	return &session{spec: s, clients: clients, ib: clients.ImageBuilder(s.Region)}, nil
}

// desired resolves the parent image and builds the desired resources.
func (s *session) desired(ctx context.Context) (*pipeline.Desired, error) {
	parent, err := pipeline.ResolveParent(ctx, catalog.NewFinderFromClients(s.clients), s.spec)
	if err != nil {
		return nil, fmt.Errorf("resolving the parent image: %w", err)
	}
	return pipeline.NewDesired(s.spec, parent)
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

// openAndPlan loads the spec and plans it.
func (f *specFlag) openAndPlan(ctx context.Context, app *cmdutil.App) (*session, *pipeline.Plan, error) {
	s, err := f.open(ctx, app)
	if err != nil {
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

// isTerminal reports whether a stream is a terminal (a character device).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
