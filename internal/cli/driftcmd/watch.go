package driftcmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/drift/exporter"
	"github.com/winami/winami/pkg/fleet"
	"github.com/winami/winami/pkg/release"
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
	cfg := exporter.Config{
		Interval: o.interval,
		// Fresh sources every run: the EKS token lasts 15 minutes.
		Source:   func(ctx context.Context) (drift.Sources, drift.Options, error) { return o.source(ctx, app) },
		Cluster:  o.cluster,
		Channels: o.channels(app),
		Logger:   app.Logger(),
		Out:      app.IO.ErrOut,
	}
	if cfg.Cluster == "" {
		cfg.Cluster = o.context // a kubeconfig's context names its cluster
	}
	if o.fleet.on() {
		cfg.Fleet = (&fleetWatch{o: o, app: app}).reports
	}
	e := exporter.New(cfg)
	fmt.Fprintf(app.IO.ErrOut, "winami drift exporter: metrics on http://%s/metrics, health on /healthz, a report every %s\n", ln.Addr(), o.interval)
	if err := e.Run(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(app.IO.ErrOut, "winami drift exporter stopped")
	return nil
}

// fleetWatch reads the fleet for the exporter. Its runner (each profile's
// AWS clients, with their credential caches, and the regions) is built by
// the first run that can build it and kept; every run lists the clusters
// again (clusters come and go), opens each with a fresh token and reads
// the desired state again, as a single cluster's run does. The series
// carry no account, so the runner asks STS for none.
type fleetWatch struct {
	o   *options
	app *cmdutil.App
	rn  *fleet.Runner // nil until a run builds it
	req fleet.Request
}

// reports reads the fleet for one exporter run. Each cluster's label is
// its name, or profile:region/name when two clusters share a name. A
// region whose clusters cannot be listed is logged; a run in which nothing
// could be read fails.
func (f *fleetWatch) reports(ctx context.Context) ([]exporter.ClusterReport, error) {
	o, app := f.o, f.app
	if f.rn == nil {
		rn, req, err := o.fleetRunner(ctx, app)
		if err != nil {
			return nil, err
		}
		rn.Account = nil
		f.rn, f.req = rn, req
	}
	req := f.req
	var err error
	if req.Options, err = o.driftOptions(app); err != nil {
		return nil, err
	}
	req.Details = true
	res, err := f.rn.Run(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.NothingRead() {
		var reasons []string
		for _, row := range res.Clusters {
			reasons = append(reasons, rowName(row)+": "+row.Reason)
		}
		return nil, fmt.Errorf("no cluster could be read: %s", strings.Join(reasons, "; "))
	}
	seen := map[string]int{}
	for _, row := range res.Clusters {
		seen[row.Cluster]++
	}
	var out []exporter.ClusterReport
	for _, row := range res.Clusters {
		if row.Cluster == "" || (row.Region == "" && !row.Readable()) {
			app.Logger().Warn("clusters not read", "where", rowName(row), "reason", row.Reason)
			continue
		}
		label := row.Cluster
		if seen[row.Cluster] > 1 {
			label = rowName(row)
		}
		cr := exporter.ClusterReport{Cluster: label, Report: row.Report}
		if !row.Readable() {
			cr.Err = errors.New(row.Reason)
		}
		out = append(out, cr)
	}
	return out, nil
}

// channels reads the release channels of the -f spec each run, for the
// exporter's channel series; nil without a spec or a release section. The
// exporter needs only the spec's name to find its AMIs, so a spec that
// cannot be loaded whole (its component files are not in the pod) only
// turns the channel series off, with a warning.
func (o *options) channels(app *cmdutil.App) func(ctx context.Context) ([]exporter.ChannelPosition, error) {
	if o.file == "" {
		return nil
	}
	s, err := app.LoadSpec(o.file)
	if err != nil {
		fmt.Fprintf(app.IO.ErrOut, "Warning: no release channel metrics: %v\n", err)
		return nil
	}
	cfg, err := release.ConfigFrom(s)
	if err != nil {
		return nil // a spec without channels: nothing to publish
	}
	return func(ctx context.Context) ([]exporter.ChannelPosition, error) {
		clients, err := app.Clients(ctx)
		if err != nil {
			return nil, err
		}
		r := &release.Runner{Config: cfg, SSM: clients.SSM, EC2: clients.EC2, Clock: clock.Real{}}
		st, err := r.Positions(ctx)
		if err != nil {
			return nil, err
		}
		var out []exporter.ChannelPosition
		for _, c := range st {
			for _, p := range c.Positions {
				out = append(out, exporter.ChannelPosition{Channel: c.Channel, Region: p.Region, AMI: p.AMI, Since: p.Since})
			}
		}
		return out, nil
	}
}
