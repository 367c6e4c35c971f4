// Package browser opens winami's HTML reports in a real headless Chromium
// (Debian's chromium, driven through the DevTools protocol by chromedp)
// and checks what a person would see: the page loads from file:// with no
// console error and no network request, the charts hold the sandbox
// fleet's numbers, the page prints, and a screenshot is taken.
package browser

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/htmlreport"
	"github.com/winami/winami/pkg/release"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// screenshotEnv set to 1 rewrites docs/fleet.png from this test.
const screenshotEnv = "WINAMI_UPDATE_SCREENSHOT"

// now is the reports' time, so AMI ages are the same every day.
var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// chromium finds the browser: WINAMI_CHROMIUM, else Debian's. Without
// one the test skips locally, but fails under CI, which installs it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WINAMI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium: .ci/run installs Debian's chromium package; install it (apt-get install chromium) or set WINAMI_CHROMIUM")
	}
	t.Skip("skipped: no chromium here (apt-get install chromium, or set WINAMI_CHROMIUM to a Chromium binary); CI runs this test")
	return ""
}

// demoReports runs drift against the sandbox's demo cluster as `winami
// drift --cluster demo` does: by what most nodes run, and by the newest
// EKS release.
func demoReports(t *testing.T) (majority, latest *drift.Report) {
	t.Helper()
	_, cfg := sandboxtest.Start(t, sandbox.Options{})
	clients := awsapi.NewClients(cfg)
	rc, err := drift.ClusterConfig(t.Context(), clients.EKS("us-east-1"), clients.STSClient("us-east-1"), world.DemoCluster)
	if err != nil {
		t.Fatal(err)
	}
	src, err := drift.NewSources(clients, rc, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	majority, err = drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	latest, err = drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1", Latest: true})
	if err != nil {
		t.Fatal(err)
	}
	return majority, latest
}

// amiOf is the demo AMI of a release ("1.35-2026.11.11").
func amiOf(t *testing.T, r *drift.Report, release string) string {
	t.Helper()
	for _, n := range r.Nodes {
		if n.ReleaseVersion == release {
			return n.AMI
		}
	}
	t.Fatalf("no node of the demo cluster runs release %s", release)
	return ""
}

// seen is what a tab did that a page must not do.
type seen struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (s *seen) listen(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		// Any console output is a problem: the page's script logs nothing.
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		s.problems = append(s.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		s.problems = append(s.problems, "exception: "+d.Text+" "+exceptionText(d))
	case *log.EventEntryAdded:
		s.problems = append(s.problems, "log "+string(ev.Entry.Level)+": "+ev.Entry.Text+" "+ev.Entry.URL)
	case *network.EventRequestWillBeSent:
		s.requests = append(s.requests, ev.Request.URL)
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception == nil {
		return ""
	}
	return d.Exception.Description
}

// page is what the test reads back from a rendered report.
type page struct {
	Stats    map[string]string `json:"stats"`
	AMIs     []bar             `json:"amis"`
	Reasons  []bar             `json:"reasons"`
	Kubelet  []stack           `json:"kubelet"`
	Builds   []stack           `json:"builds"`
	Ages     []span            `json:"ages"`
	Channels []span            `json:"channels"`
	Clusters []string          `json:"clusters"`
	Shown    string            `json:"shown"`
}

type bar struct {
	Key   string  `json:"key"`
	Nodes string  `json:"nodes"`
	Text  string  `json:"text"`
	Width float64 `json:"width"`
}

type stack struct {
	Cluster  string   `json:"cluster"`
	Total    string   `json:"total"`
	Segments []string `json:"segments"`
}

type span struct {
	Key, AMI, Region, Date, Age, Behind string
}

// readBack collects the charts' numbers from the DOM: data attributes,
// the text beside each bar, and each bar's drawn width.
const readBack = `(() => {
  const all = (sel) => Array.from(document.querySelectorAll(sel));
  const bars = (id) => all("#" + id + " g.bar").map((g) => ({
    key: g.dataset.key, nodes: g.dataset.nodes,
    text: g.querySelector("text.value").textContent,
    width: g.querySelector("rect").getBoundingClientRect().width,
  }));
  const stacks = (id) => all("#" + id + " g.stack").map((g) => ({
    cluster: g.dataset.cluster, total: g.dataset.total,
    segments: Array.from(g.querySelectorAll("rect.segment")).map((r) => r.dataset.series + "=" + r.dataset.nodes),
  }));
  const spans = (id) => all("#" + id + " g.span").map((g) => ({
    Key: g.dataset.key, AMI: g.dataset.ami, Region: g.dataset.region || "", Date: g.dataset.date,
    Age: g.dataset.ageDays, Behind: g.dataset.behindDays || "",
  }));
  const stats = {};
  all("[data-stat]").forEach((d) => { stats[d.dataset.stat] = d.textContent; });
  const shown = document.getElementById("shown");
  return {
    stats, amis: bars("chart-amis"), reasons: bars("chart-reasons"),
    kubelet: stacks("chart-kubelet"), builds: stacks("chart-builds"),
    ages: spans("chart-age"), channels: spans("chart-channels"),
    clusters: all("#clusters tr.cluster td:first-child").map((td) => td.textContent),
    shown: shown ? shown.textContent : "",
  };
})()`

func TestReportsInChromium(t *testing.T) {
	exe := chromium(t)
	majority, latest := demoReports(t)
	amiNov, amiOct := amiOf(t, majority, "1.35-2026.11.11"), amiOf(t, majority, "1.35-2026.10.14")

	// One browser for every case, bounded as a whole.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		// CI runs as root, where Chromium's own sandbox cannot start.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}

	// open renders the clusters to a file, opens it in a new tab and reads
	// it back; the tab stays open for the caller until the test ends.
	open := func(t *testing.T, clusters []htmlreport.Cluster, opts htmlreport.Options) (context.Context, page) {
		t.Helper()
		opts.Now = now
		file := filepath.Join(t.TempDir(), "fleet.html")
		var buf bytes.Buffer
		if err := htmlreport.Render(&buf, clusters, opts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		s := &seen{}
		tab, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithListener(s.listen))
		t.Cleanup(cancelTab)
		// The first Do opens the tab, which lives as long as the context
		// of that first Do: tab's, not a timeout's.
		if err := chromedp.Do(tab); err != nil {
			t.Fatal(err)
		}
		fileURL := (&url.URL{Scheme: "file", Path: file}).String()
		tctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("#chart-age"))); err != nil {
			t.Fatalf("opening %s: %v", fileURL, err)
		}
		p, err := chromedp.Run(tctx, chromedp.Evaluate[page](readBack))
		if err != nil {
			t.Fatalf("reading the page back: %v", err)
		}
		t.Cleanup(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, pr := range s.problems {
				t.Errorf("the page made a problem: %s", pr)
			}
			for _, u := range s.requests {
				if u != fileURL {
					t.Errorf("the page requested %s (only the file itself may be loaded)", u)
				}
			}
			if !slices.Contains(s.requests, fileURL) {
				t.Errorf("no request for the page itself was seen (%v): is the network listener alive?", s.requests)
			}
		})
		return tab, p
	}

	t.Run("demo cluster", func(t *testing.T) {
		_, p := open(t, []htmlreport.Cluster{{Name: world.DemoCluster, Region: "us-east-1", Report: majority}}, htmlreport.Options{})
		wantStats(t, p, map[string]string{"clusters": "1", "unreadable": "0", "nodes": "10", "drifted": "2", "amis": "2"})
		wantBars(t, "nodes by AMI", p.AMIs, amiNov+"=9", amiOct+"=1")
		wantBars(t, "drift reasons", p.Reasons, "ami-differs=1", "kubelet-differs=1", "os-build-differs=1")
		// Drawn to scale: nine nodes' bar is nine times one node's.
		if r := p.AMIs[0].Width / p.AMIs[1].Width; r < 8.9 || r > 9.1 {
			t.Errorf("bar widths %.1f and %.1f are not 9:1", p.AMIs[0].Width, p.AMIs[1].Width)
		}
		wantStacks(t, "kubelet", p.Kubelet, "demo 10: 1.35.0=1 1.35.2=9")
		wantStacks(t, "windows build", p.Builds, "demo 10: 10.0.20348.4278=1 10.0.20348.4391=9")
		// Released 2026-10-14 and 2026-11-11; 2026-12-01 noon is 48 and 20 days on.
		wantSpans(t, "ages", p.Ages, amiOct+" 2026-10-14 48 28", amiNov+" 2026-11-11 20 0")
	})

	t.Run("fleet", func(t *testing.T) {
		renamed := func(r *drift.Report, name string) *drift.Report {
			c := *r
			c.Cluster = name
			return &c
		}
		clusters := []htmlreport.Cluster{
			{Name: "demo", Region: "us-east-1", Account: "111122223333", Report: majority},
			{Name: "demo-latest", Region: "us-east-1", Account: "111122223333", Report: renamed(latest, "demo-latest")},
			{Name: "demo-eu", Region: "eu-west-1", Account: "444455556666", Report: renamed(majority, "demo-eu")},
			{Name: "locked", Region: "ap-southeast-2", Account: "444455556666", Error: "access denied: the role cannot call eks:DescribeCluster"},
		}
		channels := []release.ChannelStatus{
			{Channel: "beta", Positions: []release.Position{{Region: "us-east-1", AMI: amiNov, Since: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}}},
			{Channel: "stable", Positions: []release.Position{
				{Region: "us-east-1", AMI: amiOct, Since: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)},
				{Region: "us-west-2", AMI: amiOct, Since: time.Date(2026, 10, 21, 0, 0, 0, 0, time.UTC)},
			}},
		}
		tab, p := open(t, clusters, htmlreport.Options{Title: "Windows fleet", Channels: channels})
		wantStats(t, p, map[string]string{"clusters": "4", "unreadable": "1", "nodes": "30", "drifted": "6", "amis": "2"})
		if strings.Join(p.Clusters, "|") != "demo|demo-latest|demo-eu|locked" {
			t.Errorf("cluster rows %q", p.Clusters)
		}
		wantBars(t, "nodes by AMI", p.AMIs, amiNov+"=27", amiOct+"=3")
		wantBars(t, "drift reasons", p.Reasons, "kubelet-differs=3", "os-build-differs=3", "ami-differs=2", "ami-not-latest=1")
		wantStacks(t, "kubelet", p.Kubelet, "demo 10: 1.35.0=1 1.35.2=9", "demo-latest 10: 1.35.0=1 1.35.2=9", "demo-eu 10: 1.35.0=1 1.35.2=9")
		wantSpans(t, "ages", p.Ages, amiOct+" 2026-10-14 48 28", amiNov+" 2026-11-11 20 0")
		wantSpans(t, "channels", p.Channels, "beta "+amiNov+" us-east-1 2026-11-20 11", "stable "+amiOct+" us-east-1 2026-10-20 42", "stable "+amiOct+" us-west-2 2026-10-21 41")

		tctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		// The page's script works: the filter narrows the drifted nodes.
		if err := chromedp.Do(tctx, chromedp.SendKeys(chromedp.CSS("#filter"), "kubelet")); err != nil {
			t.Fatal(err)
		}
		if shown, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("#shown"))); err != nil || shown != "3 of 6 shown" {
			t.Errorf("after filtering: %q (%v), want 3 of 6 shown", shown, err)
		}
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
		// Clear the filter so the screenshot shows every row.
		if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`(() => { const f = document.getElementById("filter"); f.value = ""; f.dispatchEvent(new Event("input")); return true; })()`)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		checkScreenshot(t, shot)
		pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF())
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("printing the page: %d bytes, %v", len(pdf), err)
		}
	})

	// Names are shown, never run: markup in a cluster name, an error or a
	// node's reason would load an image and log an error (both caught by
	// open's listener) were it not escaped.
	t.Run("hostile names", func(t *testing.T) {
		hostile := `<img src="x.png" onerror="console.error('not escaped')">`
		r := *majority
		r.Cluster = hostile
		r.Nodes = slices.Clone(r.Nodes)
		r.Nodes[0].Reasons = []drift.Reason{{Kind: hostile, Detail: hostile}}
		_, p := open(t, []htmlreport.Cluster{
			{Name: hostile, Region: "us-east-1", Report: &r},
			{Name: "locked" + hostile, Error: hostile},
		}, htmlreport.Options{Title: hostile})
		if len(p.Clusters) != 2 || p.Clusters[0] != hostile || p.Clusters[1] != "locked"+hostile {
			t.Errorf("cluster rows %q, want the names as text", p.Clusters)
		}
	})
}

// checkScreenshot keeps docs/fleet.png: rewritten when WINAMI_UPDATE_SCREENSHOT=1,
// else only checked to be there.
func checkScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() < 900 {
		t.Errorf("screenshot %v, want 1280 wide and the whole page", b)
	}
	path := filepath.Join("..", "..", "docs", "fleet.png")
	if os.Getenv(screenshotEnv) == "1" {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: make it with %s=1 go test ./test/browser", err, screenshotEnv)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("%s is not a PNG: %v", path, err)
	}
}

func wantStats(t *testing.T, p page, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if p.Stats[k] != v {
			t.Errorf("stat %s = %q, want %q", k, p.Stats[k], v)
		}
	}
}

// wantBars checks each bar's count, as data and as the text beside it.
func wantBars(t *testing.T, what string, got []bar, want ...string) {
	t.Helper()
	var out []string
	for _, b := range got {
		if b.Text != b.Nodes {
			t.Errorf("%s: bar %s says %q, its data %q", what, b.Key, b.Text, b.Nodes)
		}
		if b.Width <= 0 {
			t.Errorf("%s: bar %s is not drawn", what, b.Key)
		}
		out = append(out, b.Key+"="+b.Nodes)
	}
	if !slices.Equal(out, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, out, want)
	}
}

func wantStacks(t *testing.T, what string, got []stack, want ...string) {
	t.Helper()
	var out []string
	for _, s := range got {
		out = append(out, s.Cluster+" "+s.Total+": "+strings.Join(s.Segments, " "))
	}
	if !slices.Equal(out, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, out, want)
	}
}

func wantSpans(t *testing.T, what string, got []span, want ...string) {
	t.Helper()
	var out []string
	for _, s := range got {
		f := []string{s.Key}
		if s.Key != s.AMI {
			f = append(f, s.AMI, s.Region)
		}
		f = append(f, s.Date, s.Age)
		if s.Behind != "" {
			f = append(f, s.Behind)
		}
		out = append(out, strings.Join(f, " "))
	}
	if !slices.Equal(out, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, out, want)
	}
}
