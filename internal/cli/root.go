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
	"github.com/winami/winami/internal/cli/releasecmd"
	"github.com/winami/winami/internal/cli/rolloutcmd"
	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/internal/textsafe"
	"github.com/winami/winami/pkg/awsapi"
)

// NewRootCmd builds the winami command tree over app.
func NewRootCmd(app *cmdutil.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "winami",
		Short: "Manage the AMIs your EKS Windows nodes boot from",
		Long: `winami manages the AMIs that Amazon EKS Windows nodes boot from: it finds the EKS
optimized Windows AMIs, builds your own from them with EC2 Image Builder (container images
cached, Fast Launch enabled), and tells you which nodes run what.

Find AMIs with 'ami'. Build your own from a spec (winami.yaml): check it with 'preflight'
and 'plan', create its Image Builder pipeline with 'apply', run it with 'build', follow it
with 'status', remove it with 'destroy'. Then enable Fast Launch on the AMIs and watch
which nodes of a cluster run what with 'drift'.

Every command runs against AWS with the standard credential chain (profiles, SSO,
environment), or against an embedded AWS-compatible sandbox with --sandbox.
Exit status: 0 ok, 1 error, 2 differences found (plan, drift, checks).`,
		Example: `  # The newest EKS optimized Windows Server 2022 Core AMI for Kubernetes 1.35
  winami ami latest --windows 2022 --edition core --kubernetes 1.35

  # Pin a release by date, so a new monthly AMI never rolls out unplanned
  winami ami resolve --windows 2022 --edition core --kubernetes 1.35 --before 2026-10-31

  # Build an AMI with cached images from a spec, following the build
  winami plan -f winami.yaml && winami build -f winami.yaml --wait

  # Which nodes of a cluster are behind
  winami drift --cluster prod-eks --latest

  # Try any command without an AWS account
  winami --sandbox ami list --kubernetes 1.35
  winami --sandbox build -f examples/winami.yaml --wait`,
		Version:           version(),
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.ParseFormat(app.Globals.Output)
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if err := cmdutil.CheckFormat(cmd, format, cmd.Flags().Changed("output")); err != nil {
				return err
			}
			if err := cmdutil.CheckFlagNeeds(cmd); err != nil {
				return err
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
	pf.StringVarP(&g.Output, "output", "o", string(output.Table), "output format: table, json, yaml or text (drift: also html)")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "log AWS activity and call counts to stderr")
	pf.DurationVar(&g.CallTimeout, "call-timeout", httpbound.Defaults().Timeout, "each HTTP request (AWS, the Kubernetes API, registries) must answer in full within this, or it fails (and an AWS call retries)")
	pf.DurationVar(&g.CallDeadline, "call-deadline", awsapi.DefaultCallDeadline, "each AWS call, retries included, must finish within this")
	pf.BoolVar(&g.AllowOutsideFiles, "allow-outside-files", false, "let a spec's component files lie outside its directory (refused by default, so that a spec you did not write cannot upload other files of this machine)")
	pf.BoolVar(&g.Sandbox, "sandbox", false, "run against an embedded AWS-compatible sandbox instead of AWS")
	pf.Int64Var(&g.SandboxSeed, "sandbox-seed", 1, "seed of the embedded sandbox's world (with --sandbox)")
	pf.StringVar(&g.SandboxFaults, "sandbox-faults", "", "faults the embedded sandbox injects, e.g. throttle=0.2,error=0.05,latency=30ms,seed=7 or deny=ssm:PutParameter@eu-west-1 (with --sandbox)")
	cmdutil.NeedsFlag(pf, "sandbox-seed", "sandbox")
	cmdutil.NeedsFlag(pf, "sandbox-faults", "sandbox")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{"table", "json", "yaml", "text"}, cobra.ShellCompDirectiveNoFileComp))

	// Help lists the commands by what they are for, not alphabetically.
	root.AddGroup(
		&cobra.Group{ID: "find", Title: "Find AMIs:"},
		&cobra.Group{ID: "build", Title: "Build your own AMI from a spec (winami.yaml):"},
		&cobra.Group{ID: "operate", Title: "Operate:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("find", ami.NewCmd(app))
	add("build", preflightcmd.NewCmd(app))
	add("build", pipelinecmd.NewCmds(app)...)
	add("build", cachecmd.NewCmd(app), imagescmd.NewCmd(app))
	add("operate", releasecmd.NewCmd(app), rolloutcmd.NewCmd(app), fastlaunchcmd.NewCmd(app), driftcmd.NewCmd(app), iamcmd.NewCmd(app))
	if app.Sandbox != nil { // injected by cmd/winami, which may import the sandbox
		add("operate", app.Sandbox.NewCmd(app))
	}
	suggestSubcommands(root)
	return root
}

// suggestSubcommands makes every command that only groups others refuse an
// unknown subcommand with "did you mean": cobra suggests only under the
// root, so `winami ami lates` would otherwise be an unexplained error.
func suggestSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		if c.HasSubCommands() {
			c.Args = cmdutil.SubcommandArgs
			c.SuggestionsMinimumDistance = 2 // cobra's default, which it sets only on the root
			suggestSubcommands(c)
		}
	}
}

// Execute runs winami with args and returns the process exit code. Errors
// are printed on stderr in one or two lines: the cause and the fix.
func Execute(ctx context.Context, app *cmdutil.App, args []string) int {
	defer app.Close()
	return guard(app, func() int {
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
	})
}

// guard runs the command. A panic is a bug in winami, not a finding: it
// exits 1 with a short message (the stack with -v) rather than with the
// runtime's 2, which scripts read as "differences found".
func guard(app *cmdutil.App, run func() int) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(app.IO.ErrOut, "Error: winami failed unexpectedly (%v); this is a bug, please report it with the command you ran (-v adds the stack)\n", r)
			if app.Globals.Verbose {
				_, _ = app.IO.ErrOut.Write(debug.Stack())
			}
			code = cmdutil.ExitError
		}
	}()
	return run()
}

// maxErrorLine is the most of one error line printed.
const maxErrorLine = 2000

func printError(app *cmdutil.App, cmd *cobra.Command, err error) {
	var usage *cmdutil.UsageError
	isUsage := errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag") || strings.Contains(err.Error(), "arg(s)")
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(app.IO.ErrOut, "Error: interrupted")
		return
	}
	// Messages carry text from endpoints, nodes and files: control
	// characters are escaped and overlong lines cut (maxErrorLine).
	explained := awsapi.Explain(err)
	fmt.Fprintf(app.IO.ErrOut, "Error: %s\n", textsafe.Lines(explained.Error(), maxErrorLine))
	if app.Globals.Verbose && explained.Error() != err.Error() {
		// What AWS or the library said, for a bug report or a closer look.
		fmt.Fprintf(app.IO.ErrOut, "Detail: %s\n", textsafe.Lines(err.Error(), maxErrorLine))
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
