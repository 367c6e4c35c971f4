package driftcmd

import (
	"context"
	"fmt"
	"net"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/drift/exporter"
)

// watch runs the exporter until ctx ends (SIGTERM or SIGINT: main's
// context), then exits 0.
func watch(ctx context.Context, app *cmdutil.App, o *options) error {
	// Listen before the first report, so a wrong address fails at once
	// and the probes find the port from the start.
	ln, err := net.Listen("tcp", o.metricsAddr)
	if err != nil {
		return cmdutil.Usagef("--metrics-addr %s: %v", o.metricsAddr, err)
	}
	e := exporter.New(exporter.Config{
		Interval: o.interval,
		// Fresh sources every run: the EKS token lasts 15 minutes.
		Source: func(ctx context.Context) (drift.Sources, drift.Options, error) { return o.source(ctx, app) },
		Logger: app.Logger(),
		Out:    app.IO.ErrOut,
	})
	fmt.Fprintf(app.IO.ErrOut, "winami drift exporter: metrics on http://%s/metrics, health on /healthz, a report every %s\n", ln.Addr(), o.interval)
	if err := e.Run(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(app.IO.ErrOut, "winami drift exporter stopped")
	return nil
}
