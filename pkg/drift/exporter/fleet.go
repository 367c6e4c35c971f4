package exporter

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/pkg/drift"
)

// ClusterReport is one cluster's outcome in a run: its report, or why it
// could not be read.
type ClusterReport struct {
	// Cluster is the cluster label: unique among the run's clusters.
	Cluster string
	Report  *drift.Report
	Err     error
}

// allFailed is an error when every cluster of the run failed (a run of no
// cluster at all is a good, empty one): such a run counts as failed, and
// /healthz says so.
func allFailed(reports []ClusterReport) error {
	if len(reports) == 0 {
		return nil
	}
	var errs []string
	for _, cr := range reports {
		if cr.Err == nil {
			return nil
		}
		errs = append(errs, cr.Cluster+": "+cr.Err.Error())
	}
	if len(reports) == 1 {
		return reports[0].Err
	}
	return fmt.Errorf("no cluster could be read: %s", strings.Join(errs, "; "))
}

// nextClusters are the clusters after a good run: each read cluster gets
// its new series; one that could not be read keeps its last series, down;
// a cluster no longer listed is gone.
func nextClusters(prev []clusterStatus, reports []ClusterReport, now time.Time) []clusterStatus {
	out := make([]clusterStatus, 0, len(reports))
	for _, cr := range reports {
		cs := clusterStatus{name: cr.Cluster}
		if i := slices.IndexFunc(prev, func(p clusterStatus) bool { return p.name == cr.Cluster }); i >= 0 {
			cs = prev[i]
		}
		if cr.Err != nil {
			cs.up = false
		} else {
			cs.series, cs.up, cs.lastSuccess = seriesOf(cr.Cluster, cr.Report), true, now
		}
		out = append(out, cs)
	}
	slices.SortFunc(out, func(a, b clusterStatus) int { return strings.Compare(a.name, b.name) })
	return out
}

// markDown marks every cluster down after a failed run, keeping its last
// series. A single-cluster exporter that never read its cluster (named,
// when not "") shows it down from the first failure.
func markDown(prev []clusterStatus, single string) []clusterStatus {
	out := slices.Clone(prev)
	for i := range out {
		out[i].up = false
	}
	if len(out) == 0 && single != "" {
		out = append(out, clusterStatus{name: single})
	}
	return out
}
