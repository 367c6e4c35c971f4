package exporter

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// collector turns the exporter's status into metrics at each scrape. The
// series are built from the status copy, never kept: each good report
// replaces the report families whole (docs/drift.md, "Metrics").
type collector struct {
	e *Exporter

	runs, runDuration, lastSuccess *prometheus.Desc
	nodes, drifted                 *prometheus.Desc
	groups, drift, latest          *prometheus.Desc
	channel, channelSince          *prometheus.Desc
	clusterUp, clusterLastSuccess  *prometheus.Desc
}

// newCollector describes the families of docs/drift.md. The descriptions
// are built here rather than at package level so that commands other than
// the exporter do not pay for them at start-up.
func newCollector(e *Exporter) *collector {
	d := prometheus.NewDesc
	return &collector{
		e:           e,
		runs:        d("winami_drift_runs_total", "Drift runs since the exporter started, by result.", []string{"result"}, nil),
		runDuration: d("winami_drift_run_duration_seconds", "How long the last drift run took.", nil, nil),
		// 0 before the first success, so an alert on its age fires for an
		// exporter that never succeeded, too.
		lastSuccess: d("winami_drift_last_success_timestamp_seconds", "When the last good drift report was made, as Unix seconds (0: never).", nil, nil),
		nodes:       d("winami_drift_nodes", "Windows nodes in the cluster's last good report.", []string{"cluster"}, nil),
		drifted:     d("winami_drift_nodes_drifted", "Windows nodes with at least one drift reason in the cluster's last good report.", []string{"cluster"}, nil),
		groups:      d("winami_windows_nodes", "Windows nodes by cluster, AMI, kubelet version and Windows build.", []string{"cluster", "ami", "kubelet", "build"}, nil),
		drift:       d("winami_node_drift", "1 for each drifted Windows node and reason.", []string{"cluster", "node", "reason"}, nil),
		latest:      d("winami_latest_release_timestamp_seconds", "Release date of the newest EKS optimized Windows AMI, as Unix seconds (with --latest).", []string{"cluster", "windows", "edition", "kubernetes"}, nil),
		// up 0 while a cluster cannot be read: its other series are then
		// the last good report's.
		clusterUp:          d("winami_drift_cluster_up", "1 when the cluster was read in the last run, 0 when it could not be (its series are then the last good report's).", []string{"cluster"}, nil),
		clusterLastSuccess: d("winami_drift_cluster_last_success_timestamp_seconds", "When the cluster was last read, as Unix seconds (0: never).", []string{"cluster"}, nil),
		channel:            d("winami_release_channel_info", "1 for the AMI each release channel of the spec holds, by region (with -f and a release section).", []string{"channel", "region", "ami"}, nil),
		channelSince:       d("winami_release_channel_since_timestamp_seconds", "When each release channel took the AMI it holds, as Unix seconds, by region.", []string{"channel", "region"}, nil),
	}
}

// Describe sends every family, including the report families that appear
// only after the first good report: the registry then checks each scrape
// against them.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.runs, c.runDuration, c.lastSuccess, c.nodes, c.drifted, c.groups, c.drift, c.latest, c.channel, c.channelSince, c.clusterUp, c.clusterLastSuccess} {
		ch <- d
	}
}

// Collect sends the series of the status as it stands.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.e.snapshot()
	send := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		// Node names and AMI fields come from the cluster and EC2: a label
		// value that is not UTF-8 would make the library refuse the series,
		// so it is repaired instead of dropped.
		for i, l := range labels {
			labels[i] = strings.ToValidUTF8(l, "\uFFFD")
		}
		m, err := prometheus.NewConstMetric(d, t, v, labels...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
	send(c.runs, prometheus.CounterValue, float64(st.runsOK), "ok")
	send(c.runs, prometheus.CounterValue, float64(st.runsError), "error")
	send(c.runDuration, prometheus.GaugeValue, st.lastRun.Seconds())
	send(c.lastSuccess, prometheus.GaugeValue, unixOrZero(st.lastSuccess))
	for _, cs := range st.clusters {
		up := 0.0
		if cs.up {
			up = 1
		}
		send(c.clusterUp, prometheus.GaugeValue, up, cs.name)
		send(c.clusterLastSuccess, prometheus.GaugeValue, unixOrZero(cs.lastSuccess), cs.name)
		r := cs.series
		if r == nil {
			continue
		}
		send(c.nodes, prometheus.GaugeValue, float64(r.nodes), cs.name)
		send(c.drifted, prometheus.GaugeValue, float64(r.drifted), cs.name)
		c.sendAll(send, []family{{c.groups, r.groups}, {c.drift, r.drift}, {c.latest, r.latest}})
	}
	c.sendAll(send, []family{{c.channel, st.channel}, {c.channelSince, st.channelSince}})
}

// family is a family's samples.
type family struct {
	desc    *prometheus.Desc
	samples []sample
}

func (c *collector) sendAll(send func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string), families []family) {
	for _, f := range families {
		for _, s := range f.samples {
			send(f.desc, prometheus.GaugeValue, s.value, append([]string(nil), s.labels...)...)
		}
	}
}

// newRegistry is the exporter's own registry (not the library's global
// one): the drift families, and the Go runtime and process collectors
// that dashboards for any Go exporter expect.
func newRegistry(e *Exporter) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		newCollector(e),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// metricsHandler serves the registry with content negotiation (the text
// format, or OpenMetrics when the scraper asks for it) and gzip when the
// scraper accepts it. A collector that fails (the process collector on a
// system without /proc, say) is logged and the other series still served.
func metricsHandler(reg *prometheus.Registry, log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:          slogPrinter{log},
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// slogPrinter is promhttp's error log on the exporter's logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("serving metrics", "err", strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
