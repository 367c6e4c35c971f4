package sandboxcmd

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/sandbox"
)

// NewApp is the App that winami runs with: the one main builds, and the one
// the end-to-end tests build, so that both reach the sandbox the same way.
func NewApp(streams cmdutil.IOStreams) *cmdutil.App {
	app := cmdutil.NewApp(streams)
	app.Sandbox = Embedded{}
	return app
}

// Embedded is the in-process sandbox, as cmdutil.App draws on it. It lives
// here, beside main, because product code must not import the sandbox.
type Embedded struct{}

var _ cmdutil.Sandbox = Embedded{}

// Start serves a sandbox on a free loopback port.
func (Embedded) Start(_ context.Context, o cmdutil.SandboxOptions) (*cmdutil.LocalSandbox, error) {
	srv, err := sandbox.New(sandbox.Options{Seed: o.Seed, Faults: o.Faults, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return &cmdutil.LocalSandbox{
		URL:         url,
		Region:      sandbox.DefaultRegion,
		Credentials: aws.Credentials{AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey, Source: "winami sandbox"},
		Stop:        srv.Stop,
	}, nil
}

// NewCmd builds `winami sandbox`.
func (Embedded) NewCmd(app *cmdutil.App) *cobra.Command { return NewCmd(app) }
