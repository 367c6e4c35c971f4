package exporter

import (
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/pkg/drift"
)

// reportSeries are the series one cluster's good report gives. They are
// built once per run and replace the cluster's previous ones whole, so
// nodes that left the cluster or stopped drifting leave no series behind,
// and no report is kept. Every sample's first label is the cluster.
type reportSeries struct {
	groups  []sample // winami_windows_nodes: cluster, ami, kubelet, build
	drift   []sample // winami_node_drift: cluster, node, reason
	latest  []sample // winami_latest_release_timestamp_seconds: cluster, windows, edition, kubernetes
	nodes   int
	drifted int
}

// sample is one series: its label values, in the order of its family's
// label names (see newCollector), and its value.
type sample struct {
	labels []string
	value  float64
}

func seriesOf(cluster string, r *drift.Report) *reportSeries {
	s := &reportSeries{nodes: r.Summary.WindowsNodes, drifted: r.Summary.Drifted}
	for _, g := range r.Groups {
		s.groups = append(s.groups, sample{labels: []string{cluster, g.AMI, g.Kubelet, g.WindowsBuild}, value: float64(len(g.Nodes))})
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
			s.drift = append(s.drift, sample{labels: []string{cluster, n.Name, k}, value: 1})
		}
	}
	for key, rel := range r.Desired.Latest {
		windows, edition, kubernetes := splitLatestKey(key)
		d := rel.ReleaseDate
		at := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		s.latest = append(s.latest, sample{labels: []string{cluster, windows, edition, kubernetes}, value: float64(at.Unix())})
	}
	return s
}

// channelSeries are the release channel series (winami_release_channel_info:
// channel, region, ami; winami_release_channel_since_timestamp_seconds:
// channel, region). They are the spec's, not a cluster's: no cluster label.
func channelSeries(channels []ChannelPosition) (info, since []sample) {
	for _, c := range channels {
		info = append(info, sample{labels: []string{c.Channel, c.Region, c.AMI}, value: 1})
		since = append(since, sample{labels: []string{c.Channel, c.Region}, value: unixOrZero(c.Since)})
	}
	return info, since
}

// clusterStatus is what the exporter knows of one cluster: its last good
// report's series (kept, and marked stale by up = false, while the cluster
// cannot be read) and when it was last read.
type clusterStatus struct {
	name        string
	series      *reportSeries // nil before its first good report
	up          bool
	lastSuccess time.Time
}

// splitLatestKey reads "Windows Server 2022 Core, Kubernetes 1.35" (the
// form of eksami.Key.String that keys drift.Desired.Latest).
func splitLatestKey(key string) (windows, edition, kubernetes string) {
	winOS, kubernetes, _ := strings.Cut(strings.TrimPrefix(key, "Windows Server "), ", Kubernetes ")
	windows, edition, _ = strings.Cut(winOS, " ")
	return windows, edition, kubernetes
}

// status is what the exporter knows between runs: the last good report's
// series and counters about the runs. It is replaced, not mutated, so a
// scrape reads one consistent copy.
type status struct {
	// clusters are the clusters of the last run, by name.
	clusters []clusterStatus
	// channel and channelSince are the release channel series of the last
	// good run.
	channel, channelSince []sample
	runsOK                int
	runsError             int
	lastRun               time.Duration
	lastSuccess           time.Time
	lastError             error
}

func unixOrZero(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix())
}
