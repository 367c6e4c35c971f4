package exporter

import (
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/pkg/drift"
)

// reportSeries are the series one good report gives. They are built once
// per run and replace the previous run's whole, so nodes that left the
// cluster or stopped drifting leave no series behind, and no report is kept.
type reportSeries struct {
	groups []sample // winami_windows_nodes: ami, kubelet, build
	drift  []sample // winami_node_drift: node, reason
	latest []sample // winami_latest_release_timestamp_seconds: windows, edition, kubernetes
	// channel and channelSince: winami_release_channel_info (channel,
	// region, ami) and winami_release_channel_since_timestamp_seconds
	// (channel, region).
	channel, channelSince []sample
	nodes                 int
	drifted               int
}

// sample is one series: its label values, in the order of its family's
// label names (see newCollector), and its value.
type sample struct {
	labels []string
	value  float64
}

func seriesOf(r *drift.Report, channels []ChannelPosition) *reportSeries {
	s := &reportSeries{nodes: r.Summary.WindowsNodes, drifted: r.Summary.Drifted}
	for _, g := range r.Groups {
		s.groups = append(s.groups, sample{labels: []string{g.AMI, g.Kubelet, g.WindowsBuild}, value: float64(len(g.Nodes))})
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
			s.drift = append(s.drift, sample{labels: []string{n.Name, k}, value: 1})
		}
	}
	for _, c := range channels {
		s.channel = append(s.channel, sample{labels: []string{c.Channel, c.Region, c.AMI}, value: 1})
		s.channelSince = append(s.channelSince, sample{labels: []string{c.Channel, c.Region}, value: unixOrZero(c.Since)})
	}
	for key, rel := range r.Desired.Latest {
		windows, edition, kubernetes := splitLatestKey(key)
		d := rel.ReleaseDate
		at := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		s.latest = append(s.latest, sample{labels: []string{windows, edition, kubernetes}, value: float64(at.Unix())})
	}
	return s
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
	report      *reportSeries // nil before the first good report
	runsOK      int
	runsError   int
	lastRun     time.Duration
	lastSuccess time.Time
	lastError   error
}

func unixOrZero(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix())
}
