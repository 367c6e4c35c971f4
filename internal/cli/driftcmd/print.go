package driftcmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/textsafe"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/htmlreport"
)

// printReport prints the report as data, or for people: the groups, the
// drifted nodes with their reasons, the node groups, and a summary line.
func printReport(app *cmdutil.App, r *drift.Report) error {
	switch app.Format() {
	case output.HTML:
		c := htmlreport.Cluster{Name: r.Cluster, Region: r.Region, Report: r}
		return htmlreport.Render(app.IO.Out, []htmlreport.Cluster{c}, htmlreport.Options{Now: time.Now()})
	case output.JSON, output.YAML:
		return app.Print(r, output.Rows{})
	case output.Text:
		rows := output.Rows{}
		for _, n := range r.Nodes {
			for _, reason := range n.Reasons {
				rows.Add(n.Name, n.AMI, n.KubeletVersion, n.KernelVersion, reason.Kind, reason.Detail)
			}
		}
		return app.Print(r, rows)
	}
	w := app.IO.Out
	where := r.Region
	if r.Cluster != "" {
		where = fmt.Sprintf("cluster %s in %s", r.Cluster, r.Region)
	}
	fmt.Fprintf(w, "Windows nodes of %s, control plane %s; desired: %s\n\n", where, textsafe.Escape(output.Dash(r.ControlPlane)), textsafe.Escape(describeDesired(r.Desired)))

	groups := output.Rows{Header: []string{"nodes", "ami", "name", "kubelet", "windows build"}}
	for _, g := range r.Groups {
		groups.Add(fmt.Sprint(len(g.Nodes)), output.Dash(g.AMI), output.Dash(g.AMIName), g.Kubelet, output.Dash(g.WindowsBuild))
	}
	if err := output.PrintTable(w, groups); err != nil {
		return err
	}
	if r.Summary.Drifted > 0 {
		fmt.Fprintln(w, "\nDrifted nodes:")
		rows := output.Rows{Header: []string{"node", "owner", "ami", "kubelet", "windows build", "age", "reasons"}}
		for _, n := range r.Nodes {
			if !n.Drifted() {
				continue
			}
			kinds := make([]string, len(n.Reasons))
			for i, reason := range n.Reasons {
				kinds[i] = reason.Kind
			}
			rows.Add(n.Name, n.Owner.String(), output.Dash(n.AMI), n.KubeletVersion, output.Dash(n.KernelVersion), age(n.Created), strings.Join(kinds, ", "))
		}
		if err := output.PrintTable(w, rows); err != nil {
			return err
		}
		printDetails(w, r)
	}
	if len(r.Nodegroups) > 0 {
		fmt.Fprintln(w, "\nManaged node groups:")
		rows := output.Rows{Header: []string{"node group", "ami type", "release", "launch template", "behind"}}
		for _, g := range r.Nodegroups {
			behind := "-"
			if g.Windows {
				behind = output.Dash(g.Behind)
				if g.Behind == "" {
					behind = "no"
				}
			}
			rows.Add(g.Name, g.AMIType, output.Dash(g.ReleaseVersion), output.Dash(g.LaunchTemplate), behind)
		}
		if err := output.PrintTable(w, rows); err != nil {
			return err
		}
	}
	verdict := "consistent"
	if r.Summary.Drifted > 0 {
		verdict = "drift"
	}
	fmt.Fprintf(w, "\n%d Windows nodes in %d group(s), %d drifted: %s.\n", r.Summary.WindowsNodes, r.Summary.Groups, r.Summary.Drifted, verdict)
	return nil
}

// printDetails gives each drifted node's reasons in words.
func printDetails(w io.Writer, r *drift.Report) {
	fmt.Fprintln(w)
	for _, n := range r.Nodes {
		for _, reason := range n.Reasons {
			// Names and details carry node-reported text.
			fmt.Fprintf(w, "  %s %s: %s\n", textsafe.Escape(n.Name), reason.Kind, textsafe.Escape(reason.Detail))
		}
	}
}

func describeDesired(d drift.Desired) string {
	switch d.Mode {
	case "ami":
		return "AMI " + d.AMI + " (--desired-ami)"
	case "spec":
		return "AMI " + d.AMI + ", the spec's newest"
	case "channel":
		return "AMI " + d.AMI + ", release channel " + d.Channel
	case "latest":
		var parts []string
		for name, rel := range d.Latest {
			parts = append(parts, fmt.Sprintf("%s: %s (%s)", name, rel.AMI, rel.ReleaseVersion))
		}
		if len(parts) == 0 {
			return "the newest EKS releases (none applies to these nodes)"
		}
		return "the newest EKS release — " + strings.Join(parts, "; ")
	}
	return fmt.Sprintf("what most nodes run: AMI %s, kubelet %s, Windows %s", output.Dash(d.AMI), output.Dash(d.Kubelet), output.Dash(d.WindowsBuild))
}

// age is how long ago t was, as kubectl shows it.
func age(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Since(t)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
