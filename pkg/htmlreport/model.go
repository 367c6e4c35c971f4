package htmlreport

import (
	"cmp"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/eksami"
)

// page is what the template renders: every chart already laid out.
type page struct {
	Title     string
	Generated string
	Totals    totals
	Clusters  []clusterRow
	AMIs      barChart
	Kubelet   stackChart
	Builds    stackChart
	Reasons   barChart
	Timeline  timeline
	Channels  timeline
	Drifted   []nodeRow
	CSS       template.CSS
	JS        template.JS
}

type totals struct {
	Clusters, Unreadable, Nodes, Drifted, AMIs int
}

type clusterRow struct {
	Name, Region, Account, Error string
	ControlPlane, Desired        string
	Nodes, Drifted, Groups       int
}

type nodeRow struct {
	Cluster, Name, Owner, AMI, Kubelet, Build, Reasons string
}

// amiStat is one AMI across the fleet.
type amiStat struct {
	ID, Name, Release string
	Nodes             int
	Clusters          []string
}

func build(clusters []Cluster, opts Options) page {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := page{Title: opts.Title, Generated: now.UTC().Format("2006-01-02 15:04 UTC")}
	if p.Title == "" {
		p.Title = "Windows nodes"
	}
	amis := map[string]*amiStat{}
	reasons := map[string]int{}
	var kubelet, builds []stackInput
	for _, c := range clusters {
		row := clusterRow{Name: c.Name, Region: c.Region, Account: c.Account, Error: c.Error}
		p.Totals.Clusters++
		r := c.Report
		if r == nil {
			if row.Error == "" {
				row.Error = "no report"
			}
			p.Totals.Unreadable++
			p.Clusters = append(p.Clusters, row)
			continue
		}
		if row.Name == "" {
			row.Name = r.Cluster
		}
		if row.Region == "" {
			row.Region = r.Region
		}
		row.ControlPlane, row.Desired = r.ControlPlane, desired(r.Desired)
		row.Nodes, row.Drifted, row.Groups = r.Summary.WindowsNodes, r.Summary.Drifted, r.Summary.Groups
		p.Totals.Nodes += row.Nodes
		p.Totals.Drifted += row.Drifted
		p.Clusters = append(p.Clusters, row)

		ks, bs := stackInput{Row: row.Name}, stackInput{Row: row.Name}
		for _, g := range r.Groups {
			ks.add(dash(g.Kubelet), len(g.Nodes))
			bs.add(dash(g.WindowsBuild), len(g.Nodes))
		}
		kubelet, builds = append(kubelet, ks), append(builds, bs)
		for _, n := range r.Nodes {
			countAMI(amis, row.Name, n)
			var kinds []string
			for _, reason := range n.Reasons {
				if !slices.Contains(kinds, reason.Kind) {
					kinds = append(kinds, reason.Kind)
					reasons[reason.Kind]++
				}
			}
			if len(kinds) > 0 {
				p.Drifted = append(p.Drifted, nodeRow{Cluster: row.Name, Name: n.Name, Owner: n.Owner.String(), AMI: dash(n.AMI), Kubelet: n.KubeletVersion, Build: dash(n.KernelVersion), Reasons: strings.Join(kinds, ", ")})
			}
		}
	}
	list := make([]*amiStat, 0, len(amis))
	for _, a := range amis {
		list = append(list, a)
	}
	// Most nodes first; the ID breaks ties so the page is stable.
	slices.SortFunc(list, func(a, b *amiStat) int { return cmp.Or(cmp.Compare(b.Nodes, a.Nodes), cmp.Compare(a.ID, b.ID)) })
	p.Totals.AMIs = len(list)
	p.AMIs = amiBars(list)
	p.Reasons = reasonBars(reasons)
	p.Kubelet = stacks(kubelet)
	p.Builds = stacks(builds)
	p.Timeline = amiTimeline(list, clusters, now)
	p.Channels = channelTimeline(opts, now)
	return p
}

func countAMI(amis map[string]*amiStat, cluster string, n drift.Node) {
	id := n.AMI
	if id == "" {
		id = "unknown"
	}
	a, ok := amis[id]
	if !ok {
		a = &amiStat{ID: id, Name: n.AMIName, Release: n.ReleaseVersion}
		amis[id] = a
	}
	a.Nodes++
	if !slices.Contains(a.Clusters, cluster) {
		a.Clusters = append(a.Clusters, cluster)
	}
}

func amiBars(list []*amiStat) barChart {
	var in []barInput
	for _, a := range list {
		sub := a.Release
		if sub == "" {
			sub = a.Name
		}
		in = append(in, barInput{Key: a.ID, Label: a.ID, Sub: sub, Value: a.Nodes, Extra: strings.Join(a.Clusters, " ")})
	}
	return bars(in)
}

func reasonBars(reasons map[string]int) barChart {
	var in []barInput
	for kind, n := range reasons {
		in = append(in, barInput{Key: kind, Label: kind, Value: n})
	}
	slices.SortFunc(in, func(a, b barInput) int { return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Key, b.Key)) })
	return bars(in)
}

// desired says in a few words what the nodes were compared with.
func desired(d drift.Desired) string {
	switch d.Mode {
	case "ami":
		return "AMI " + d.AMI
	case "spec":
		return "the spec's newest AMI " + d.AMI
	case "channel":
		return "channel " + d.Channel + ": " + d.AMI
	case "latest":
		return "the newest EKS release"
	}
	return "what most nodes run (" + dash(d.AMI) + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// days is the whole days from a to b.
func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

func dateTime(d eksami.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}
