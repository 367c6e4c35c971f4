// Package exporter runs drift reports on a schedule and serves their
// result as Prometheus metrics and a health check: what `winami drift
// --watch` runs as a Deployment in the cluster.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

// Defaults of Config's zero fields.
const (
	DefaultMinBackoff      = 10 * time.Second
	DefaultShutdownTimeout = 5 * time.Second
	// DefaultConnTimeout is Config.ConnTimeout's default.
	DefaultConnTimeout = 30 * time.Second
	// healthyRuns is how many intervals a good report stays good for
	// /healthz: one failed run (or two) does not restart the pod.
	healthyRuns = 3
	// jitterFraction is how much shorter than its nominal value a backoff
	// may be, so that many exporters that failed together (an API outage)
	// do not retry together.
	jitterFraction = 0.2
)

// Config says what the exporter runs and how often.
type Config struct {
	// Interval is the time between two reports.
	Interval time.Duration
	// Source builds the sources and options of one run; it is called for
	// every run so that credentials and EKS tokens are fresh.
	Source func(ctx context.Context) (drift.Sources, drift.Options, error)
	// Report makes the report (default drift.Run).
	Report func(ctx context.Context, src drift.Sources, opts drift.Options) (*drift.Report, error)
	// Cluster is the cluster label of the series (default the report's
	// cluster, which is empty without --cluster).
	Cluster string
	// Fleet, when set, makes the exporter watch many clusters: each run
	// reads them all through it (Source and Report are then unused), and
	// each cluster's series and up metric stand on their own.
	Fleet func(ctx context.Context) ([]ClusterReport, error)
	// Channels, when set, reads where a spec's release channels stand; each
	// run publishes them with the report (a failure fails the run).
	Channels func(ctx context.Context) ([]ChannelPosition, error)
	// Logger logs failed runs (Run's loop; RunOnce only returns them).
	Logger *slog.Logger
	// Out gets one line per good run (nil: none).
	Out io.Writer
	// Clock tells the time and waits between runs (default the wall
	// clock); Rand (in [0, 1)) is the jitter's randomness.
	Clock clock.Clock
	Rand  func() float64
	// MinBackoff is the first wait after a failed run (default 10s); it
	// doubles with each failure in a row, up to Interval.
	MinBackoff time.Duration
	// ShutdownTimeout bounds how long in-flight scrapes may take to
	// finish once the context ends (default 5s).
	ShutdownTimeout time.Duration
	// ConnTimeout bounds how long a client may take to send a request and
	// how long a kept-alive connection may sit idle (default 30s), so a
	// client that trickles or idles cannot hold connections for minutes.
	ConnTimeout time.Duration
	// RunTimeout bounds one report (default Interval, at most 10 minutes):
	// a run stuck on an endpoint is cut off, counted as a failed run and
	// retried, and /healthz says so.
	RunTimeout time.Duration
}

// Exporter is one running exporter: its config and what the runs found.
type Exporter struct {
	cfg Config
	reg *prometheus.Registry
	mu  sync.Mutex
	st  status
}

// New returns an exporter with the defaults filled in.
func New(cfg Config) *Exporter {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.Report == nil {
		cfg.Report = drift.Run
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.ConnTimeout <= 0 {
		cfg.ConnTimeout = DefaultConnTimeout
	}
	if cfg.RunTimeout <= 0 {
		cfg.RunTimeout = min(cfg.Interval, 10*time.Minute)
	}
	e := &Exporter{cfg: cfg}
	e.reg = newRegistry(e)
	return e
}

// Run serves /metrics and /healthz on ln and makes a report at once, then
// every Interval (sooner after a failure), until ctx ends; then it shuts
// the server down, letting scrapes in flight finish, and returns nil. It
// returns an error only when the server fails.
func (e *Exporter) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: e.cfg.ConnTimeout,
		ReadTimeout:       e.cfg.ConnTimeout,
		IdleTimeout:       e.cfg.ConnTimeout,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// The server and the report loop live and end together: ctx ending,
	// or the server failing, stops the loop; then the server is shut down,
	// letting scrapes in flight finish.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving metrics on %s: %w", ln.Addr(), err)
		}
		return nil
	})
	g.Go(func() error {
		e.loop(gctx)
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(shutCtx); err != nil {
			// A scrape that outlasts the timeout is cut off: stopping was
			// asked for, and a pod that exits non-zero on SIGTERM only
			// looks broken.
			e.cfg.Logger.Warn("closing the metrics server with scrapes in flight", "err", err)
			_ = srv.Close()
		}
		return nil
	})
	return g.Wait()
}

// loop runs reports until ctx ends.
func (e *Exporter) loop(ctx context.Context) {
	failures := 0
	for {
		start := e.cfg.Clock.Now()
		err := e.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := e.cfg.Interval - e.cfg.Clock.Now().Sub(start)
		if err != nil {
			failures++
			wait = e.Backoff(failures)
			e.cfg.Logger.Error("drift run failed", "err", err, "failures_in_a_row", failures, "retry_in", wait.Round(time.Second))
		} else {
			failures = 0
		}
		if e.cfg.Clock.Sleep(ctx, max(wait, 0)) != nil {
			return
		}
	}
}

// Backoff is the wait after the n-th failed run in a row: MinBackoff
// doubled n-1 times, capped at Interval, less up to 20% of jitter.
func (e *Exporter) Backoff(n int) time.Duration {
	d := e.cfg.MinBackoff
	for i := 1; i < n && d < e.cfg.Interval; i++ {
		d *= 2
	}
	d = min(d, e.cfg.Interval)
	return d - time.Duration(float64(d)*jitterFraction*e.cfg.Rand())
}

// RunOnce makes one report (with Fleet, one per cluster) and records its
// outcome. A run cut short because ctx ended is not a failure: it records
// nothing. A fleet run fails only when no cluster could be read.
func (e *Exporter) RunOnce(ctx context.Context) error {
	start := e.cfg.Clock.Now()
	runCtx, cancel := context.WithTimeoutCause(ctx, e.cfg.RunTimeout,
		fmt.Errorf("the run did not finish within %s (an endpoint hangs?); cut off", e.cfg.RunTimeout))
	reports, channels, err := e.reports(runCtx)
	if err == nil {
		err = allFailed(reports)
	}
	if err != nil && ctx.Err() == nil && runCtx.Err() != nil {
		err = fmt.Errorf("%w: %w", context.Cause(runCtx), err)
	}
	cancel()
	took := e.cfg.Clock.Now().Sub(start)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := e.cfg.Clock.Now()
	e.mu.Lock()
	st := e.st
	st.lastRun = took
	if err != nil {
		st.runsError++
		st.lastError = err
		single := ""
		if e.cfg.Fleet == nil {
			single = e.cfg.Cluster
		}
		st.clusters = markDown(st.clusters, single)
	} else {
		st.runsOK++
		st.lastError = nil
		st.lastSuccess = now
		st.clusters = nextClusters(st.clusters, reports, now)
		st.channel, st.channelSince = channelSeries(channels)
	}
	e.st = st
	e.mu.Unlock()

	if err != nil {
		return err // the loop logs it, with when it retries
	}
	for _, cr := range reports {
		if cr.Err != nil {
			e.cfg.Logger.Warn("a cluster could not be read", "cluster", cr.Cluster, "err", cr.Err)
		}
	}
	if e.cfg.Out != nil {
		nodes, drifted, failed := 0, 0, 0
		for _, cr := range reports {
			if cr.Err != nil {
				failed++
				continue
			}
			nodes, drifted = nodes+cr.Report.Summary.WindowsNodes, drifted+cr.Report.Summary.Drifted
		}
		where := ""
		if e.cfg.Fleet != nil {
			where = fmt.Sprintf(" %d cluster(s) (%d unreadable),", len(reports), failed)
		}
		fmt.Fprintf(e.cfg.Out, "%s drift run:%s %d Windows nodes, %d drifted, %s\n",
			start.UTC().Format(time.RFC3339), where, nodes, drifted, took.Round(time.Millisecond))
	}
	return nil
}

// reports are the run's reports: the one of Source and Report, or with
// Fleet each cluster's (a cluster that cannot be read has its Err).
func (e *Exporter) reports(ctx context.Context) (reports []ClusterReport, channels []ChannelPosition, err error) {
	// A long-running exporter must not die of one bad run: a panic is
	// counted as a failed run, logged and retried like any other.
	defer func() {
		if p := recover(); p != nil {
			reports, channels, err = nil, nil, fmt.Errorf("the run failed unexpectedly (%v); this is a bug, please report it", p)
		}
	}()
	if e.cfg.Fleet != nil {
		reports, err = e.cfg.Fleet(ctx)
	} else {
		var r *drift.Report
		if r, err = e.report(ctx); err == nil {
			name := e.cfg.Cluster
			if name == "" {
				name = r.Cluster
			}
			reports = []ClusterReport{{Cluster: name, Report: r}}
		}
	}
	if err != nil || e.cfg.Channels == nil {
		return reports, nil, err
	}
	channels, err = e.cfg.Channels(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the release channels: %w", err)
	}
	return reports, channels, nil
}

func (e *Exporter) report(ctx context.Context) (*drift.Report, error) {
	src, opts, err := e.cfg.Source(ctx)
	if err != nil {
		return nil, err
	}
	return e.cfg.Report(ctx, src, opts)
}

// ChannelPosition is a release channel's AMI in one region, and since when.
type ChannelPosition struct {
	Channel, Region, AMI string
	Since                time.Time
}

// snapshot is the status as it stands.
func (e *Exporter) snapshot() status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st
}

// Healthy is nil when a report succeeded within the last three intervals,
// else why not.
func (e *Exporter) Healthy() error {
	e.mu.Lock()
	st := e.st
	e.mu.Unlock()
	if !st.lastSuccess.IsZero() && e.cfg.Clock.Now().Sub(st.lastSuccess) <= healthyRuns*e.cfg.Interval {
		return nil
	}
	switch {
	case st.lastError != nil && st.lastSuccess.IsZero():
		return fmt.Errorf("no drift report yet: %w", st.lastError)
	case st.lastError != nil:
		return fmt.Errorf("no drift report since %s: %w", st.lastSuccess.UTC().Format(time.RFC3339), st.lastError)
	case st.lastSuccess.IsZero():
		return errors.New("no drift report yet")
	}
	return fmt.Errorf("no drift report since %s", st.lastSuccess.UTC().Format(time.RFC3339))
}

// Handler serves /metrics and /healthz.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(e.reg, e.cfg.Logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := e.Healthy(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
