// Package cli is winami's command line: the root command, its global flags,
// and the exit-code contract (0 ok, 1 error, 2 differences found).
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/ami"
	"github.com/winami/winami/internal/cli/cachecmd"
	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/driftcmd"
	"github.com/winami/winami/internal/cli/fastlaunchcmd"
	"github.com/winami/winami/internal/cli/iamcmd"
	"github.com/winami/winami/internal/cli/imagescmd"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/cli/pipelinecmd"
	"github.com/winami/winami/internal/cli/preflightcmd"
	"github.com/winami/winami/internal/cli/sandboxcmd"
	"github.com/winami/winami/pkg/awsapi"
)

// NewRootCmd builds the winami command tree over app.
func NewRootCmd(app *cmdutil.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "winami",
		Short: "Manage the AMIs your EKS Windows nodes boot from",
		Long: `winami manages the AMIs that Amazon EKS Windows nodes boot from. It finds the EKS
optimized Windows AMIs, latest, listed or pinned by release date, in every region at once.

Every command runs against AWS with the standard credential chain (profiles, SSO,
environment), or against an embedded AWS-compatible sandbox with --sandbox.`,
		Example: `  # The newest EKS optimized Windows Server 2022 Core AMI for Kubernetes 1.35
  winami ami latest --windows 2022 --edition core --kubernetes 1.35

  # Try any command without an AWS account
  winami --sandbox ami list --kubernetes 1.35`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if _, err := output.ParseFormat(app.Globals.Output); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if app.Globals.Region != "" {
				return cmdutil.CheckRegion("--region", app.Globals.Region)
			}
			return nil
		},
	}
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: err}
	})

	g := &app.Globals
	pf := root.PersistentFlags()
	pf.StringVar(&g.Region, "region", "", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region)")
	pf.StringVar(&g.Profile, "profile", "", "shared config profile (default: AWS_PROFILE)")
	pf.StringVar(&g.EndpointURL, "endpoint-url", "", "send every AWS call to this endpoint (overrides AWS_ENDPOINT_URL)")
	pf.StringVar(&g.RegistryEndpoint, "registry-endpoint", os.Getenv(cmdutil.RegistryEndpointEnv), "send container registry requests to this local winami sandbox (host:port; default: $"+cmdutil.RegistryEndpointEnv+")")
	pf.StringVarP(&g.Output, "output", "o", string(output.Table), "output format: table, json, yaml or text")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log AWS activity and call counts to stderr")
	pf.BoolVar(&g.Sandbox, "sandbox", false, "run against an embedded AWS-compatible sandbox instead of AWS")
	pf.Int64Var(&g.SandboxSeed, "sandbox-seed", 1, "seed of the embedded sandbox's world (with --sandbox)")
	pf.StringVar(&g.SandboxFaults, "sandbox-faults", "", "faults the embedded sandbox injects, e.g. throttle=0.2,error=0.05,latency=30ms,seed=7 (with --sandbox)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{"table", "json", "yaml", "text"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddCommand(ami.NewCmd(app))
	root.AddCommand(sandboxcmd.NewCmd(app))
	root.AddCommand(pipelinecmd.NewCmds(app)...)
	root.AddCommand(cachecmd.NewCmd(app))
	root.AddCommand(imagescmd.NewCmd(app))
	root.AddCommand(fastlaunchcmd.NewCmd(app))
	root.AddCommand(preflightcmd.NewCmd(app))
	root.AddCommand(iamcmd.NewCmd(app))
	root.AddCommand(driftcmd.NewCmd(app))
	return root
}

// Execute runs winami with args and returns the process exit code. Errors
// are printed on stderr in one or two lines: the cause and the fix.
func Execute(ctx context.Context, app *cmdutil.App, args []string) int {
	defer app.Close()
	root := NewRootCmd(app)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	var ec *cmdutil.ExitCodeError
	if errors.As(err, &ec) && ec.Err == nil {
		return ec.Code
	}
	printError(app, cmd, err)
	return cmdutil.ExitCode(err)
}

func printError(app *cmdutil.App, cmd *cobra.Command, err error) {
	var usage *cmdutil.UsageError
	isUsage := errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag") || strings.Contains(err.Error(), "arg(s)")
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(app.IO.ErrOut, "Error: interrupted")
		return
	}
	explained := awsapi.Explain(err)
	fmt.Fprintf(app.IO.ErrOut, "Error: %v\n", explained)
	if app.Globals.Verbose && explained.Error() != err.Error() {
		// What AWS or the library said, for a bug report or a closer look.
		fmt.Fprintf(app.IO.ErrOut, "Detail: %v\n", err)
	}
	if isUsage && cmd != nil {
		fmt.Fprintf(app.IO.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}

// version is the module version winami was built from: a tag for
// `go install …@vX`, "(devel)" for a local build, with the VCS revision
// when the build recorded one.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}
