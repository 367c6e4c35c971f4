package driftcmd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/fleet"
	"github.com/winami/winami/pkg/htmlreport"
)

// isTable reports the table format (for people), where the fleet's full
// reports are printed only with --details.
func isTable(app *cmdutil.App) bool { return app.Format() == output.Table }

// printFleet prints a fleet result: as data (fleet.Result), as text rows,
// or as a table with one row per cluster and a summary line. Each format
// is one case, so another renderer is one more case.
func printFleet(app *cmdutil.App, res *fleet.Result) error {
	switch app.Format() {
	case output.HTML:
		// One page for the fleet: a cluster that could not be read is a
		// row with its reason there too.
		var cs []htmlreport.Cluster
		for _, r := range res.Clusters {
			cs = append(cs, htmlreport.Cluster{Name: r.Cluster, Region: r.Region, Account: r.Account, Error: r.Reason, Report: r.Report})
		}
		return htmlreport.Render(app.IO.Out, cs, htmlreport.Options{Now: time.Now()})
	case output.JSON, output.YAML:
		return app.Print(res, output.Rows{})
	case output.Text:
		return app.Print(res, fleetRows(res, false))
	}
	w := app.IO.Out
	fmt.Fprintf(w, "Windows nodes of %d cluster(s) in %s; desired: %s\n\n", res.Summary.Clusters, fleetWhere(res), describeMode(res.Desired))
	if err := output.PrintTable(w, fleetRows(res, true)); err != nil {
		return err
	}
	for _, row := range res.Clusters {
		if row.Report == nil {
			continue
		}
		fmt.Fprintf(w, "\n--- %s ---\n", rowName(row))
		if err := printReport(app, row.Report); err != nil {
			return err
		}
	}
	s := res.Summary
	listings := ""
	if s.ListingsFailed > 0 {
		listings = fmt.Sprintf("; %d listing(s) of clusters failed", s.ListingsFailed)
	}
	fmt.Fprintf(w, "\n%d cluster(s): %d drifting, %d unreadable%s; %d Windows nodes, %d drifted.\n",
		s.Clusters, s.Drifting, s.Unreadable, listings, s.WindowsNodes, s.Drifted)
	return nil
}

// fleetRows are the result's rows: account (or profile), region, cluster,
// the counts, and the status with the reason of a cluster not read.
func fleetRows(res *fleet.Result, header bool) output.Rows {
	rows := output.Rows{}
	if header {
		rows.Header = []string{"account", "region", "cluster", "windows nodes", "on desired ami", "drifted", "by reason", "node groups behind", "newest ami", "oldest ami", "status"}
	}
	for _, r := range res.Clusters {
		account := r.Account
		if r.Profile != "" {
			account = strings.TrimPrefix(r.Profile+" "+paren(r.Account), " ")
		}
		status := r.Status
		if r.Reason != "" {
			status += ": " + r.Reason
		}
		if !r.Readable() {
			rows.Add(output.Dash(account), output.Dash(r.Region), output.Dash(r.Cluster), "-", "-", "-", "-", "-", "-", "-", status)
			continue
		}
		rows.Add(output.Dash(account), r.Region, r.Cluster, fmt.Sprint(r.WindowsNodes), fmt.Sprint(r.OnDesiredAMI), fmt.Sprint(r.Drifted),
			byReason(r.DriftedByReason), fmt.Sprintf("%d/%d", r.NodegroupsBehind, r.Nodegroups), ageDays(r.NewestAMIAgeDays), ageDays(r.OldestAMIAgeDays), status)
	}
	return rows
}

func rowName(r fleet.Row) string {
	return fleet.Target{Profile: r.Profile, Region: r.Region, Cluster: r.Cluster}.String()
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

// byReason is "ami-differs=3 kubelet-differs=1", by kind.
func byReason(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func ageDays(d *int) string {
	if d == nil {
		return "-"
	}
	return fmt.Sprintf("%dd", *d)
}

// describeMode names how the fleet's desired state is decided.
func describeMode(mode string) string {
	switch mode {
	case "ami":
		return "--desired-ami"
	case "spec":
		return "the spec's newest AMI in each cluster's region"
	case "channel":
		return "the release channel's AMI in each cluster's region"
	case "latest":
		return "the newest EKS release of each cluster's Kubernetes version"
	}
	return "what most of each cluster's nodes run"
}
