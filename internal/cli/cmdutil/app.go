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
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/sandbox"
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

// App is the factory commands draw on.
type App struct {
	IO      IOStreams
	Globals Globals

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
	sandbox *sandbox.Server
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
		srv, err := sandbox.New(sandbox.Options{Seed: a.Globals.SandboxSeed, Faults: a.Globals.SandboxFaults, Logger: a.Logger()})
		if err != nil {
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		url, err := srv.Start("127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		a.sandbox = srv
		a.Logger().Debug("embedded sandbox started", "endpoint", url)
		opts.EndpointURL = url
		opts.Profile = ""
		opts.DefaultRegion = sandbox.DefaultRegion
		opts.StaticCredentials = &aws.Credentials{AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey, Source: "winami sandbox"}
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
	if a.sandbox == nil {
		return ""
	}
	return strings.TrimPrefix(a.sandbox.URL(), "http://")
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
	if a.sandbox != nil {
		_ = a.sandbox.Stop()
	}
}
