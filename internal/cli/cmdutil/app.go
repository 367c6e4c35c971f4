// Package cmdutil holds what every winami command shares: the streams, the
// global flags, and a lazy factory for AWS clients, so a command that fails
// on a flag never touches AWS, and one that needs AWS builds it once.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
)

// IOStreams are the command's standard streams. Data goes to Out, people's
// messages (progress, warnings, -v logs) to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// SystemStreams are the process's own streams.
func SystemStreams() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Globals are the flags every command takes.
type Globals struct {
	Region      string
	Profile     string
	EndpointURL string
	// RegistryEndpoint sends container registry requests to a standalone
	// winami sandbox (host:port on loopback).
	RegistryEndpoint string
	Output           string
	Verbose          bool
	// AllowOutsideFiles lets a spec's component files lie outside its directory.
	AllowOutsideFiles bool
	// CallTimeout bounds each HTTP request (AWS, Kubernetes API, registries);
	// CallDeadline each AWS call with its retries.
	CallTimeout, CallDeadline time.Duration

	// Sandbox runs the command against an in-process sandbox.
	Sandbox       bool
	SandboxSeed   int64
	SandboxFaults string
}

// Sandbox is the in-process AWS-compatible sandbox. The composition root
// (cmd/winami) injects it, so that product code never imports the sandbox:
// the sandbox judges winami, and must not share its code.
type Sandbox interface {
	// Start serves a sandbox on a free loopback port for one command (--sandbox).
	Start(ctx context.Context, o SandboxOptions) (*LocalSandbox, error)
	// NewCmd builds `winami sandbox`, which serves one until interrupted.
	NewCmd(app *App) *cobra.Command
}

// SandboxOptions are what --sandbox-seed and --sandbox-faults ask of it.
type SandboxOptions struct {
	Seed   int64
	Faults string
	Logger *slog.Logger
}

// LocalSandbox is a started sandbox: what the AWS clients need to reach it.
type LocalSandbox struct {
	// URL is its endpoint, http://127.0.0.1:PORT; its registries answer there too.
	URL string
	// Region is the region used when nothing names one.
	Region string
	// Credentials are the dummy credentials it accepts.
	Credentials aws.Credentials
	// Stop shuts it down.
	Stop func() error
}

// App is the factory commands draw on.
type App struct {
	IO      IOStreams
	Globals Globals

	// Sandbox serves --sandbox and `winami sandbox`; nil in a build
	// without the embedded sandbox.
	Sandbox Sandbox

	// RegionFallback, when set before Clients, is the region used when
	// nothing configures one: for commands whose calls name their own
	// region (images check reads ECR's region from the registry host), so
	// that checking public images needs no AWS setup.
	RegionFallback string

	once    sync.Once
	clients *awsapi.Clients
	err     error
	counter *awsapi.CallCounter
	logger  *slog.Logger
	local   *LocalSandbox
}

// NewApp returns a factory over the streams.
func NewApp(streams IOStreams) *App {
	return &App{IO: streams, counter: awsapi.NewCallCounter()}
}

// Logger logs to stderr: debug level with -v, warnings otherwise.
func (a *App) Logger() *slog.Logger {
	if a.logger == nil {
		level := slog.LevelWarn
		if a.Globals.Verbose {
			level = slog.LevelDebug
		}
		a.logger = slog.New(slog.NewTextHandler(a.IO.ErrOut, &slog.HandlerOptions{Level: level}))
	}
	return a.logger
}

// Format is the -o format, already validated by the root command.
func (a *App) Format() output.Format {
	f, err := output.ParseFormat(a.Globals.Output)
	if err != nil {
		return output.Table
	}
	return f
}

// Print renders a result in the chosen format on stdout.
func (a *App) Print(data any, rows output.Rows) error {
	return output.Print(a.IO.Out, a.Format(), data, rows)
}

// Counter counts the AWS calls the command made.
func (a *App) Counter() *awsapi.CallCounter { return a.counter }

// Clients builds the AWS clients on first use: with --sandbox it first starts
// the embedded sandbox and points every client at it.
func (a *App) Clients(ctx context.Context) (*awsapi.Clients, error) {
	a.once.Do(func() { a.clients, a.err = a.buildClients(ctx) })
	return a.clients, a.err
}

func (a *App) buildClients(ctx context.Context) (*awsapi.Clients, error) {
	opts := awsapi.Options{
		Region:      a.Globals.Region,
		Profile:     a.Globals.Profile,
		EndpointURL: a.Globals.EndpointURL,
		Counter:     a.counter,
		Logger:      a.Logger(),
		// DefaultRegion applies only when flag, environment and profile
		// name no region.
		DefaultRegion: a.RegionFallback,
		Limits:        a.HTTPLimits(),
		CallDeadline:  a.Globals.CallDeadline,
	}
	if a.Globals.Sandbox {
		if a.Sandbox == nil {
			return nil, errors.New("this winami was built without the embedded sandbox: run `winami sandbox` from a full build and use --endpoint-url")
		}
		local, err := a.Sandbox.Start(ctx, SandboxOptions{Seed: a.Globals.SandboxSeed, Faults: a.Globals.SandboxFaults, Logger: a.Logger()})
		if err != nil {
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		a.local = local
		a.Logger().Debug("embedded sandbox started", "endpoint", local.URL)
		opts.EndpointURL = local.URL
		opts.Profile = ""
		opts.DefaultRegion = local.Region
		creds := local.Credentials
		opts.StaticCredentials = &creds
	}
	cfg, err := awsapi.LoadConfig(ctx, opts)
	if err != nil {
		return nil, err
	}
	return awsapi.NewClients(cfg), nil
}

// HTTPLimits bound each HTTP request winami makes (--call-timeout).
func (a *App) HTTPLimits() httpbound.Limits {
	return httpbound.Limits{Timeout: a.Globals.CallTimeout}.OrDefaults()
}

// ClientsForProfile builds clients for another named profile — another
// account's credentials — with the same endpoint, retries and call counter
// as Clients. Call Clients first: with --sandbox it starts the sandbox.
func (a *App) ClientsForProfile(ctx context.Context, profile string) (*awsapi.Clients, error) {
	if a.Globals.Sandbox {
		return nil, Usagef("profiles cannot be used with --sandbox; run `winami sandbox` and point profiles at it (see docs/sandbox.md)")
	}
	cfg, err := awsapi.LoadConfig(ctx, awsapi.Options{
		Region:       a.Globals.Region,
		Profile:      profile,
		EndpointURL:  a.Globals.EndpointURL,
		Counter:      a.counter,
		Logger:       a.Logger(),
		Limits:       a.HTTPLimits(),
		CallDeadline: a.Globals.CallDeadline,
	})
	var explained *awsapi.ExplainedError
	if errors.As(err, &explained) {
		return nil, err // it names the profile already
	}
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", profile, err)
	}
	return awsapi.NewClients(cfg), nil
}

// SandboxAddr is the host:port of the embedded sandbox once Clients has
// started it, or "" without --sandbox.
func (a *App) SandboxAddr() string {
	if a.local == nil {
		return ""
	}
	return strings.TrimPrefix(a.local.URL, "http://")
}

// Close releases what the command started (the embedded sandbox) and, with
// -v, reports the AWS calls it made.
func (a *App) Close() {
	if a.Globals.Verbose && a.counter.Total() > 0 {
		// One attribute per operation keeps the line greppable: SSM.GetParameters=66.
		attrs := []any{"total", a.counter.Total(), "attempts", a.counter.TotalAttempts()}
		calls := a.counter.Snapshot()
		for _, op := range slices.Sorted(maps.Keys(calls)) {
			attrs = append(attrs, op, calls[op])
		}
		a.Logger().Debug("aws calls", attrs...)
	}
	if a.local != nil && a.local.Stop != nil {
		_ = a.local.Stop()
	}
}
