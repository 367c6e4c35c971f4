package exporter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

func clusterReport(name string, nodes, drifted int) ClusterReport {
	r := &drift.Report{Cluster: name, Summary: drift.Summary{WindowsNodes: nodes, Drifted: drifted}}
	r.Groups = []drift.Group{{AMI: "ami-" + name, Kubelet: "1.35.2", WindowsBuild: "10.0.20348", Nodes: make([]string, nodes)}}
	for i := range drifted {
		r.Nodes = append(r.Nodes, drift.Node{Name: name + "-node-" + string(rune('a'+i)), Reasons: []drift.Reason{{Kind: drift.ReasonAMIDiffers}}})
	}
	return ClusterReport{Cluster: name, Report: r}
}

// A fleet exporter collects each cluster on its own: one that cannot be
// read is up 0 and keeps its last good series, the others' series stand,
// a cluster no longer listed leaves no series, and a run in which no
// cluster could be read fails.
func TestFleetClustersIndependent(t *testing.T) {
	errDenied := errors.New("AccessDeniedException: eks:DescribeCluster")
	runs := [][]ClusterReport{
		{clusterReport("a", 3, 1), clusterReport("b", 2, 0), clusterReport("c", 4, 0)},
		{clusterReport("a", 3, 0), {Cluster: "b", Err: errDenied}, {Cluster: "new", Err: errDenied}},
		{{Cluster: "a", Err: errDenied}, {Cluster: "b", Err: errDenied}},
	}
	i := 0
	clk := clock.NewFake(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	e := New(Config{Interval: time.Minute, Clock: clk, Fleet: func(context.Context) ([]ClusterReport, error) {
		defer func() { i++ }()
		return runs[i], nil
	}})
	if err := e.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, e)
	for _, want := range []string{
		`winami_drift_cluster_up{cluster="a"} 1`, `winami_drift_cluster_up{cluster="b"} 1`,
		`winami_drift_nodes{cluster="c"} 4`, `winami_node_drift{cluster="a",node="a-node-a",reason="ami-differs"} 1`,
		`winami_windows_nodes{ami="ami-b",build="10.0.20348",cluster="b",kubelet="1.35.2"} 2`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("run 1 lacks %s:\n%s", want, text)
		}
	}

	clk.Advance(time.Minute)
	if err := e.RunOnce(t.Context()); err != nil {
		t.Fatalf("a run with clusters read is good: %v", err)
	}
	text = scrape(t, e)
	for _, want := range []string{
		`winami_drift_cluster_up{cluster="a"} 1`, `winami_drift_nodes_drifted{cluster="a"} 0`,
		// b could not be read: down, its last good series kept, its last
		// success the first run's.
		`winami_drift_cluster_up{cluster="b"} 0`, `winami_drift_nodes{cluster="b"} 2`,
		`winami_drift_cluster_last_success_timestamp_seconds{cluster="b"} 1.796292e+09`,
		`winami_drift_cluster_last_success_timestamp_seconds{cluster="a"} 1.79629206e+09`,
		`winami_drift_cluster_up{cluster="new"} 0`, `winami_drift_cluster_last_success_timestamp_seconds{cluster="new"} 0`,
		`winami_drift_runs_total{result="ok"} 2`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("run 2 lacks %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, `cluster="c"`) || strings.Contains(text, `node="a-node-a"`) || strings.Contains(text, `winami_drift_nodes{cluster="new"}`) {
		t.Errorf("run 2 kept series it should not:\n%s", text)
	}

	clk.Advance(time.Minute)
	err := e.RunOnce(t.Context())
	if err == nil || !strings.Contains(err.Error(), "no cluster could be read") || !strings.Contains(err.Error(), "b: AccessDeniedException") {
		t.Fatalf("a run with no cluster read: %v", err)
	}
	text = scrape(t, e)
	for _, want := range []string{`winami_drift_cluster_up{cluster="a"} 0`, `winami_drift_cluster_up{cluster="b"} 0`, `winami_drift_runs_total{result="error"} 1`, `winami_drift_nodes{cluster="a"} 3`} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("run 3 lacks %s:\n%s", want, text)
		}
	}
}
