package htmlreport

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/release"
)

const (
	amiNov = "ami-0aaaaaaaaaaaaaaa1"
	amiOct = "ami-0bbbbbbbbbbbbbbb2"
	nameN  = "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.11.11"
	nameO  = "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func node(name, ami, amiName, kubelet, build string, reasons ...string) drift.Node {
	n := drift.Node{Name: name, AMI: ami, AMIName: amiName, KubeletVersion: "v" + kubelet + "-eks-1", KernelVersion: build, Owner: drift.Owner{Kind: "nodegroup", Name: "ng"}}
	if amiName != "" {
		n.ReleaseVersion = amiName[len(amiName)-15:]
	}
	for _, r := range reasons {
		n.Reasons = append(n.Reasons, drift.Reason{Kind: r, Detail: "because"})
	}
	return n
}

// fleet is two readable clusters and one that is not, one of them named
// with markup, as a hostile tag could make it.
func fleet() []Cluster {
	a := &drift.Report{Cluster: "prod", Region: "us-east-1", Desired: drift.Desired{Mode: "majority", AMI: amiNov},
		Groups: []drift.Group{
			{AMI: amiNov, AMIName: nameN, Kubelet: "1.35.2", WindowsBuild: "10.0.20348.4391", Nodes: []string{"a1", "a2", "a3"}},
			{AMI: amiOct, AMIName: nameO, Kubelet: "1.35.10", WindowsBuild: "10.0.20348.4278", Nodes: []string{"a4"}},
		},
		Nodes: []drift.Node{
			node("a1", amiNov, nameN, "1.35.2", "10.0.20348.4391"),
			node("a2", amiNov, nameN, "1.35.2", "10.0.20348.4391"),
			node("a3", amiNov, nameN, "1.35.2", "10.0.20348.4391"),
			node("a4", amiOct, nameO, "1.35.10", "10.0.20348.4278", drift.ReasonAMIDiffers, drift.ReasonOSBuildDiffers, drift.ReasonAMIDiffers),
		},
		Summary: drift.Summary{WindowsNodes: 4, Drifted: 1, Groups: 2}}
	b := &drift.Report{Cluster: "<b>stage</b>", Region: "eu-west-1", Desired: drift.Desired{Mode: "majority"},
		Groups: []drift.Group{{AMI: "ami-0ccccccccccccccc3", Kubelet: "1.35.2", WindowsBuild: "10.0.20348.4391", Nodes: []string{"b1", "b2"}}},
		Nodes: []drift.Node{
			node("b1", "ami-0ccccccccccccccc3", "winami-custom-1", "1.35.2", "10.0.20348.4391"),
			node("b2", "ami-0ccccccccccccccc3", "winami-custom-1", "1.35.2", "10.0.20348.4391", drift.ReasonKubeletDiffers),
		},
		Summary: drift.Summary{WindowsNodes: 2, Drifted: 1, Groups: 1}}
	return []Cluster{
		{Name: "prod", Region: "us-east-1", Account: "111111111111", Report: a},
		{Name: "<b>stage</b>", Region: "eu-west-1", Account: "222222222222", Report: b},
		{Name: "locked", Region: "ap-south-1", Account: "222222222222", Error: `access denied <script>alert("x")</script>`},
	}
}

func render(t *testing.T, clusters []Cluster, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, clusters, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// attrs collects, for every element of the class, the attributes named.
func attrs(page, class string, names ...string) []string {
	var out []string
	re := regexp.MustCompile(`<(?:g|rect|tr) class="` + class + `[" ][^>]*>`)
	for _, tag := range re.FindAllString(page, -1) {
		var vals []string
		for _, n := range names {
			m := regexp.MustCompile(` data-` + n + `="([^"]*)"`).FindStringSubmatch(tag)
			if m == nil {
				vals = append(vals, "?")
				continue
			}
			vals = append(vals, m[1])
		}
		out = append(out, strings.Join(vals, " "))
	}
	return out
}

func TestChartsHoldTheFleetsNumbers(t *testing.T) {
	page := render(t, fleet(), Options{Now: now})
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", what, got, want)
		}
	}
	check("nodes by AMI", attrs(page, "bar", "key", "nodes", "clusters")[:3],
		amiNov+" 3 prod", "ami-0ccccccccccccccc3 2 &lt;b&gt;stage&lt;/b&gt;", amiOct+" 1 prod")
	// A node's repeated reason counts once.
	check("reasons", attrs(page, "bar", "key", "nodes")[3:],
		"ami-differs 1", "kubelet-differs 1", "os-build-differs 1")
	// Versions in numeric order: 1.35.2 before 1.35.10.
	check("kubelet legend", attrs(page, "legend", "series")[:2], "1.35.2", "1.35.10")
	check("kubelet and build segments", attrs(page, "segment", "series", "nodes"),
		"1.35.2 3", "1.35.10 1", "1.35.2 2", "10.0.20348.4278 1", "10.0.20348.4391 3", "10.0.20348.4391 2")
	check("stack totals", attrs(page, "stack", "total"), "4", "2", "4", "2")
	// 2026-10-14 and 2026-11-11 to 2026-12-01 12:00; the October AMI is
	// 28 days behind November's, the custom AMI has no release date.
	check("AMI ages", attrs(page, "span", "ami", "date", "age-days", "behind-days"),
		amiOct+" 2026-10-14 48 28", amiNov+" 2026-11-11 20 0")
	check("unknown release", attrs(strings.ReplaceAll(page, "<span class", "<g class"), "unknown-ami", "ami"), "ami-0ccccccccccccccc3")
	check("cluster rows", attrs(page, "cluster", "nodes", "drifted"), "4 1", "2 1", "0 0")
	for stat, want := range map[string]string{"clusters": "3", "unreadable": "1", "nodes": "6", "drifted": "2", "amis": "3"} {
		if !strings.Contains(page, `data-stat="`+stat+`">`+want+`<`) {
			t.Errorf("stat %s is not %s", stat, want)
		}
	}
	if got := attrs(page, "node", "node"); strings.Join(got, " ") != "a4 b2" {
		t.Errorf("drifted nodes %v", got)
	}
}

// Every string from a report or a cluster is escaped, and the page names
// nothing to fetch.
func TestEscapedAndSelfContained(t *testing.T) {
	page := render(t, fleet(), Options{Now: now})
	for _, bad := range []string{"<b>stage", `<script>alert`, "src=", "href=", "url(", "@import", "http://", "https://", "//cdn"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;b&gt;stage&lt;/b&gt;") || !strings.Contains(page, "access denied &lt;script&gt;") {
		t.Error("the hostile names are not shown escaped")
	}
	if n := strings.Count(page, "<script>"); n != 1 {
		t.Errorf("%d scripts, want the page's own one", n)
	}
	if !strings.Contains(page, "default-src 'none'") || !strings.Contains(page, "@media print") {
		t.Error("no content security policy or print style")
	}
}

func TestChannels(t *testing.T) {
	chs := []release.ChannelStatus{
		{Channel: "beta", Positions: []release.Position{{Region: "us-east-1", AMI: amiNov, Since: now.AddDate(0, 0, -3)}}},
		{Channel: "stable", Positions: []release.Position{
			{Region: "us-east-1", AMI: amiOct, Since: now.AddDate(0, 0, -30), Name: nameO},
			{Region: "eu-west-1", AMI: amiOct, Since: now.AddDate(0, 0, -29)},
		}},
	}
	page := render(t, fleet()[:1], Options{Now: now, Channels: chs})
	got := strings.Join(attrs(page, "span", "key", "region", "ami", "age-days", "behind-days"), "|")
	want := "beta us-east-1 " + amiNov + " 3 ?|stable us-east-1 " + amiOct + " 30 ?|stable eu-west-1 " + amiOct + " 29 ?"
	if !strings.HasSuffix(got, want) || !strings.Contains(page, `id="chart-channels"`) {
		t.Errorf("channel spans %q, want them to end with %q", got, want)
	}
	if strings.Contains(render(t, fleet()[:1], Options{Now: now}), `id="chart-channels"`) {
		t.Error("a channels chart without channels")
	}
}

// A fleet with no nodes at all still renders, with no chart divided by 0.
func TestEmpty(t *testing.T) {
	page := render(t, []Cluster{{Name: "empty", Report: &drift.Report{Cluster: "empty"}}}, Options{Now: now})
	if strings.Contains(page, "NaN") || strings.Contains(page, "Inf") || !strings.Contains(page, "No node drifted.") {
		t.Errorf("empty fleet page:\n%s", page)
	}
	page = render(t, nil, Options{Now: now})
	if !strings.Contains(page, `data-stat="clusters">0<`) {
		t.Error("no clusters")
	}
}

// A long name is cut where it would run into its bar, and kept whole in
// the data and the title.
func TestLongNamesCut(t *testing.T) {
	name := strings.Repeat("cluster-", 8)
	c := fleet()[:1]
	c[0].Name = name
	page := render(t, c, Options{Now: now})
	if !strings.Contains(page, `class="label">cluster-cluster-cluster-cluster-clu…</text>`) || !strings.Contains(page, `data-cluster="`+name+`"`) {
		t.Errorf("long name not cut, or lost:\n%s", page)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.35.2", "1.35.10", -1}, {"10.0.20348.4391", "10.0.20348.4278", 1}, {"1.35", "1.35.0", -1}, {"-", "1.35", -1}, {"v1", "v1", 0}} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// A newest release counts for the AMIs of its own key only: Windows
// Server 2022's newer release does not put the 2019 nodes, on their
// newest, behind.
func TestBehindTheNewestOfItsOwnKey(t *testing.T) {
	const (
		ami2019 = "ami-0ddddddddddddddd4"
		name19  = "Windows_Server-2019-English-Core-EKS_Optimized-1.35-2026.10.14"
	)
	r := &drift.Report{Cluster: "prod", Region: "us-east-1",
		Desired: drift.Desired{Mode: "latest", Latest: map[string]drift.LatestRelease{
			"Windows Server 2022 Core, Kubernetes 1.35": {AMI: amiNov, ReleaseVersion: "1.35-2026.11.11", ReleaseDate: eksami.Date{Year: 2026, Month: 11, Day: 11}},
			"Windows Server 2019 Core, Kubernetes 1.35": {AMI: ami2019, ReleaseVersion: "1.35-2026.10.14", ReleaseDate: eksami.Date{Year: 2026, Month: 10, Day: 14}},
		}},
		Nodes: []drift.Node{
			node("n1", amiOct, nameO, "1.35.2", "10.0.20348.4278", drift.ReasonAMINotLatest),
			node("n2", ami2019, name19, "1.35.2", "10.0.17763.8027"),
		},
		Summary: drift.Summary{WindowsNodes: 2, Drifted: 1}}
	page := render(t, []Cluster{{Report: r}}, Options{Now: now})
	got := strings.Join(attrs(page, "span", "ami", "behind-days"), "|")
	if want := amiOct + " 28|" + ami2019 + " 0"; got != want {
		t.Errorf("days behind:\n got %q\nwant %q", got, want)
	}
}
