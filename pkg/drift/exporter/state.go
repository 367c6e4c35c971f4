package exporter

import (
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/internal/metrics"
	"github.com/winami/winami/pkg/drift"
)

// reportSeries are the series one good report gives. They are built once
// per run and replace the previous run's whole, so nodes that left the
// cluster or stopped drifting leave no series behind, and no report is kept.
type reportSeries struct {
	groups  []metrics.Sample // winami_windows_nodes
	drift   []metrics.Sample // winami_node_drift
	latest  []metrics.Sample // winami_latest_release_timestamp_seconds
	nodes   int
	drifted int
}

func seriesOf(r *drift.Report) *reportSeries {
	s := &reportSeries{nodes: r.Summary.WindowsNodes, drifted: r.Summary.Drifted}
	for _, g := range r.Groups {
		s.groups = append(s.groups, metrics.Sample{
			Labels: metrics.L("ami", g.AMI, "kubelet", g.Kubelet, "build", g.WindowsBuild),
			Value:  float64(len(g.Nodes)),
		})
	}
	for _, n := range r.Nodes {
		// One series per (node, reason kind): a node can have two reasons
		// of one kind (say, two details), which is still one drift.
		var kinds []string
		for _, reason := range n.Reasons {
			kinds = append(kinds, reason.Kind)
		}
		slices.Sort(kinds)
		for _, k := range slices.Compact(kinds) {
			s.drift = append(s.drift, metrics.Sample{Labels: metrics.L("node", n.Name, "reason", k), Value: 1})
		}
	}
	for key, rel := range r.Desired.Latest {
		windows, edition, kubernetes := splitLatestKey(key)
		d := rel.ReleaseDate
		at := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		s.latest = append(s.latest, metrics.Sample{
			Labels: metrics.L("windows", windows, "edition", edition, "kubernetes", kubernetes),
			Value:  float64(at.Unix()),
		})
	}
	return s
}

// splitLatestKey reads "Windows Server 2022 Core, Kubernetes 1.35" (the
// form of catalog.Key.String that keys drift.Desired.Latest).
func splitLatestKey(key string) (windows, edition, kubernetes string) {
	winOS, kubernetes, _ := strings.Cut(strings.TrimPrefix(key, "Windows Server "), ", Kubernetes ")
	windows, edition, _ = strings.Cut(winOS, " ")
	return windows, edition, kubernetes
}

// status is what the exporter knows between runs: the last good report's
// series and counters about the runs. It is replaced, not mutated, so a
// scrape reads one consistent copy.
type status struct {
	report      *reportSeries // nil before the first good report
	runsOK      int
	runsError   int
	lastRun     time.Duration
	lastSuccess time.Time
	lastError   error
}

func (st status) families() []metrics.Family {
	fams := []metrics.Family{
		{Name: "winami_drift_runs_total", Type: metrics.Counter, Help: "Drift runs since the exporter started, by result.",
			Samples: []metrics.Sample{
				{Labels: metrics.L("result", "ok"), Value: float64(st.runsOK)},
				{Labels: metrics.L("result", "error"), Value: float64(st.runsError)},
			}},
		{Name: "winami_drift_run_duration_seconds", Type: metrics.Gauge, Help: "How long the last drift run took.",
			Samples: []metrics.Sample{{Value: st.lastRun.Seconds()}}},
		// 0 before the first success, so an alert on its age fires for an
		// exporter that never succeeded, too.
		{Name: "winami_drift_last_success_timestamp_seconds", Type: metrics.Gauge, Help: "When the last good drift report was made, as Unix seconds (0: never).",
			Samples: []metrics.Sample{{Value: unixOrZero(st.lastSuccess)}}},
	}
	if st.report == nil {
		return fams
	}
	r := st.report
	return append(fams,
		metrics.Family{Name: "winami_drift_nodes", Type: metrics.Gauge, Help: "Windows nodes in the last good report.",
			Samples: []metrics.Sample{{Value: float64(r.nodes)}}},
		metrics.Family{Name: "winami_drift_nodes_drifted", Type: metrics.Gauge, Help: "Windows nodes with at least one drift reason in the last good report.",
			Samples: []metrics.Sample{{Value: float64(r.drifted)}}},
		metrics.Family{Name: "winami_windows_nodes", Type: metrics.Gauge, Help: "Windows nodes by AMI, kubelet version and Windows build.",
			Samples: r.groups},
		metrics.Family{Name: "winami_node_drift", Type: metrics.Gauge, Help: "1 for each drifted Windows node and reason.",
			Samples: r.drift},
		metrics.Family{Name: "winami_latest_release_timestamp_seconds", Type: metrics.Gauge, Help: "Release date of the newest EKS optimized Windows AMI, as Unix seconds (with --latest).",
			Samples: r.latest},
	)
}

func unixOrZero(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix())
}
