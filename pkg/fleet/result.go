package fleet

import (
	"slices"
	"time"

	"github.com/winami/winami/pkg/drift"
)

// A row's status.
const (
	StatusConsistent = "consistent"
	StatusDrift      = "drift"
	// StatusNoWindows is a cluster that was read and has no Windows node.
	StatusNoWindows = "no-windows-nodes"
	// StatusError is a cluster (or a region's listing) that could not be
	// read; Reason says why.
	StatusError = "error"
)

// Row sums one cluster up.
type Row struct {
	Profile string `json:"profile,omitempty"`
	// Account is the account ID of the profile's credentials, when STS
	// told it.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Cluster is empty on the row of a region whose clusters could not be
	// listed.
	Cluster string `json:"cluster,omitempty"`
	Status  string `json:"status"`
	// Reason is why the cluster could not be read (status error), in one
	// line.
	Reason       string `json:"reason,omitempty"`
	WindowsNodes int    `json:"windowsNodes"`
	// OnDesiredAMI counts the nodes with no AMI reason (ami-differs,
	// ami-not-latest, unknown-instance).
	OnDesiredAMI int `json:"onDesiredAmi"`
	Drifted      int `json:"drifted"`
	// DriftedByReason counts the drifted nodes by reason kind (a node with
	// two kinds counts under each).
	DriftedByReason map[string]int `json:"driftedByReason,omitempty"`
	Nodegroups      int            `json:"nodegroups"`
	// NodegroupsBehind counts the Windows managed node groups behind.
	NodegroupsBehind int `json:"nodegroupsBehind"`
	// NewestAMIAgeDays and OldestAMIAgeDays are the days since the newest
	// and the oldest AMI the nodes run was created (absent without nodes
	// or without creation dates).
	NewestAMIAgeDays *int `json:"newestAmiAgeDays,omitempty"`
	OldestAMIAgeDays *int `json:"oldestAmiAgeDays,omitempty"`
	// Report is the cluster's full drift report (with Details).
	Report *drift.Report `json:"report,omitempty"`
}

// Readable reports a row whose cluster was read.
func (r Row) Readable() bool { return r.Status != StatusError }

func (r Row) failed(err error) Row {
	r.Status, r.Reason = StatusError, Reason(err)
	return r
}

// summarize fills the row's counts from a cluster's report.
func (r *Row) summarize(rep *drift.Report, now time.Time) {
	r.WindowsNodes, r.Drifted = rep.Summary.WindowsNodes, rep.Summary.Drifted
	r.Status = StatusConsistent
	switch {
	case rep.Summary.WindowsNodes == 0:
		r.Status = StatusNoWindows
	case rep.Summary.Drifted > 0:
		r.Status = StatusDrift
	}
	var newest, oldest time.Time
	for _, n := range rep.Nodes {
		kinds := map[string]bool{}
		onDesired := true
		for _, reason := range n.Reasons {
			kinds[reason.Kind] = true
			if slices.Contains(drift.ReasonGroups["ami"], reason.Kind) {
				onDesired = false
			}
		}
		if onDesired {
			r.OnDesiredAMI++
		}
		for k := range kinds {
			if r.DriftedByReason == nil {
				r.DriftedByReason = map[string]int{}
			}
			r.DriftedByReason[k]++
		}
		if c := n.AMICreated; !c.IsZero() {
			if newest.IsZero() || c.After(newest) {
				newest = c
			}
			if oldest.IsZero() || c.Before(oldest) {
				oldest = c
			}
		}
	}
	if !newest.IsZero() {
		r.NewestAMIAgeDays, r.OldestAMIAgeDays = days(now.Sub(newest)), days(now.Sub(oldest))
	}
	for _, g := range rep.Nodegroups {
		if !g.Windows {
			continue
		}
		r.Nodegroups++
		if g.Behind != "" {
			r.NodegroupsBehind++
		}
	}
}

func days(d time.Duration) *int {
	n := max(int(d/(24*time.Hour)), 0)
	return &n
}

// Result is a fleet run: one row per cluster, sorted by profile, region
// and cluster.
type Result struct {
	// Desired is how the desired state was decided ("ami", "spec",
	// "channel", "latest" or "majority", as drift.Desired.Mode), the same
	// for every cluster.
	Desired  string   `json:"desired"`
	Regions  []string `json:"regions"`
	Profiles []string `json:"profiles,omitempty"`
	Clusters []Row    `json:"clusters"`
	Summary  Summary  `json:"summary"`
}

// Summary counts the fleet.
type Summary struct {
	Clusters   int `json:"clusters"`
	Unreadable int `json:"unreadable"`
	// ListingsFailed counts the (profile, region) listings that failed:
	// rows without a cluster, not counted as clusters.
	ListingsFailed int `json:"listingsFailed,omitempty"`
	Drifting       int `json:"drifting"`
	WindowsNodes   int `json:"windowsNodes"`
	Drifted        int `json:"drifted"`
}

func newResult(req Request, rows []Row) *Result {
	res := &Result{Desired: req.Options.Mode(), Regions: req.Regions, Clusters: rows}
	if !(len(req.Profiles) == 1 && req.Profiles[0] == "") {
		res.Profiles = req.Profiles
	}
	if res.Clusters == nil {
		res.Clusters = []Row{}
	}
	for _, r := range rows {
		if r.Cluster == "" {
			res.Summary.ListingsFailed++
			continue
		}
		res.Summary.Clusters++
		switch r.Status {
		case StatusError:
			res.Summary.Unreadable++
		case StatusDrift:
			res.Summary.Drifting++
		}
		res.Summary.WindowsNodes += r.WindowsNodes
		res.Summary.Drifted += r.Drifted
	}
	return res
}

// Drifting reports a fleet with at least one drifted or unreadable
// cluster, or a listing that failed: what exits 2.
func (r *Result) Drifting() bool {
	return r.Summary.Drifting > 0 || r.Summary.Unreadable > 0 || r.Summary.ListingsFailed > 0
}

// NothingRead reports a fleet of which no cluster could be read (or that
// has no cluster and whose listings all failed): what exits 1.
func (r *Result) NothingRead() bool {
	for _, row := range r.Clusters {
		if row.Readable() {
			return false
		}
	}
	return len(r.Clusters) > 0
}
