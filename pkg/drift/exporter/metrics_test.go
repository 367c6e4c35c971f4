package exporter

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/eksami"
)

// scrape is what GET /metrics answers a scraper that asks for nothing in
// particular: the text format.
func scrape(t *testing.T, e *Exporter) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// winamiSeries counts the series of the winami_ families (the Go and
// process collectors' series are not the exporter's to count).
func winamiSeries(t *testing.T, e *Exporter) int {
	t.Helper()
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "winami_") {
			n += len(f.GetMetric())
		}
	}
	return n
}

// parse reads the text format as Prometheus does.
func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing the scrape: %v\n%s", err, text)
	}
	return fams
}

// documented are the families of docs/drift.md's "Metrics" table, with
// their type and label names. A change here is a change of what users'
// dashboards and alerts read.
var documented = map[string]struct {
	typ    dto.MetricType
	labels []string
}{
	"winami_windows_nodes":                                {dto.MetricType_GAUGE, []string{"cluster", "ami", "kubelet", "build"}},
	"winami_node_drift":                                   {dto.MetricType_GAUGE, []string{"cluster", "node", "reason"}},
	"winami_latest_release_timestamp_seconds":             {dto.MetricType_GAUGE, []string{"cluster", "windows", "edition", "kubernetes"}},
	"winami_release_channel_info":                         {dto.MetricType_GAUGE, []string{"channel", "region", "ami"}},
	"winami_release_channel_since_timestamp_seconds":      {dto.MetricType_GAUGE, []string{"channel", "region"}},
	"winami_drift_nodes":                                  {dto.MetricType_GAUGE, []string{"cluster"}},
	"winami_drift_nodes_drifted":                          {dto.MetricType_GAUGE, []string{"cluster"}},
	"winami_drift_cluster_up":                             {dto.MetricType_GAUGE, []string{"cluster"}},
	"winami_drift_cluster_last_success_timestamp_seconds": {dto.MetricType_GAUGE, []string{"cluster"}},
	"winami_drift_runs_total":                             {dto.MetricType_COUNTER, []string{"result"}},
	"winami_drift_run_duration_seconds":                   {dto.MetricType_GAUGE, nil},
	"winami_drift_last_success_timestamp_seconds":         {dto.MetricType_GAUGE, nil},
}

// TestDocumentedTable: docs/drift.md lists exactly the families above,
// with the same types and labels, so the served-series test below checks
// what users read.
func TestDocumentedTable(t *testing.T) {
	f, err := os.Open("../../../docs/drift.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `(winami_[a-z_]+)` \\| (gauge|counter) \\|([^|]*)\\|")
	firstTick := regexp.MustCompile("`([a-z_]+)`")
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		want, ok := documented[m[1]]
		if !ok {
			t.Errorf("docs/drift.md documents %s, which the test does not know", m[1])
			continue
		}
		seen[m[1]] = true
		if typ := strings.ToUpper(m[2]); typ != want.typ.String() {
			t.Errorf("%s: documented as %s, want %s", m[1], typ, want.typ)
		}
		// "`ami`, `kubelet`, `build`" or "`result` = `ok` or `error`":
		// the label is the first quoted word of each comma-separated part.
		var labels []string
		for part := range strings.SplitSeq(m[3], ",") {
			if l := firstTick.FindStringSubmatch(part); l != nil {
				labels = append(labels, l[1])
			}
		}
		if !slices.Equal(labels, want.labels) {
			t.Errorf("%s: documented labels %q, want %q", m[1], labels, want.labels)
		}
	}
	for name := range documented {
		if !seen[name] {
			t.Errorf("docs/drift.md does not document %s", name)
		}
	}
}

// TestServedSeries scrapes the served /metrics after a good report with
// every kind of series: each documented family is there with its type and
// labels, and so are the Go runtime and process collectors' families.
func TestServedSeries(t *testing.T) {
	e := New(Config{
		Interval: time.Hour,
		Source: func(context.Context) (drift.Sources, drift.Options, error) {
			return drift.Sources{}, drift.Options{}, nil
		},
		Report: func(context.Context, drift.Sources, drift.Options) (*drift.Report, error) {
			r := &drift.Report{
				Summary: drift.Summary{WindowsNodes: 2, Drifted: 1},
				Nodes:   []drift.Node{{Name: "a"}, {Name: "b", Reasons: []drift.Reason{{Kind: drift.ReasonAMIDiffers}}}},
				Groups: []drift.Group{
					{AMI: "ami-1", Kubelet: "1.35.2", WindowsBuild: "10.0.20348.1", Nodes: []string{"a"}},
					{AMI: "ami-2", Kubelet: "1.35.2", WindowsBuild: "10.0.20348.1", Nodes: []string{"b"}},
				},
			}
			r.Desired.Latest = map[string]drift.LatestRelease{"Windows Server 2022 Core, Kubernetes 1.35": {ReleaseDate: eksami.Date{Year: 2026, Month: 11, Day: 11}}}
			return r, nil
		},
		Channels: func(context.Context) ([]ChannelPosition, error) {
			return []ChannelPosition{{Channel: "stable", Region: "us-east-1", AMI: "ami-1", Since: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}}, nil
		},
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, done := serve(t, ctx, e)
	get(t, base+"/healthz", http.StatusOK)
	fams := parse(t, scrapeText(t, base))
	for name, want := range documented {
		f := fams[name]
		if f == nil {
			t.Errorf("/metrics lacks %s", name)
			continue
		}
		if f.GetType() != want.typ {
			t.Errorf("%s: type %s, want %s", name, f.GetType(), want.typ)
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName())
			}
			if w := slices.Sorted(slices.Values(want.labels)); !slices.Equal(labels, w) {
				t.Errorf("%s: labels %q, want %q", name, labels, w)
			}
		}
	}
	for name, want := range map[string]float64{
		"winami_drift_nodes":                             2,
		"winami_drift_nodes_drifted":                     1,
		"winami_latest_release_timestamp_seconds":        1794355200, // 2026-11-11
		"winami_release_channel_info":                    1,
		"winami_release_channel_since_timestamp_seconds": 1796083200, // 2026-12-01
	} {
		if f := fams[name]; f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetGauge().GetValue() != want {
			t.Errorf("%s: %v, want one series of %v", name, f, want)
		}
	}
	if n := len(fams["winami_windows_nodes"].GetMetric()); n != 2 {
		t.Errorf("%d winami_windows_nodes series, want 2", n)
	}
	collectors := []string{"go_goroutines", "go_gc_duration_seconds", "go_memstats_heap_alloc_bytes", "go_info"}
	if runtime.GOOS == "linux" {
		collectors = append(collectors, "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds")
	}
	for _, name := range collectors {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s (the Go and process collectors)", name)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestNegotiation: a scraper that asks for OpenMetrics gets it, one that
// accepts gzip gets the body compressed, and one that asks for nothing
// gets the plain text format.
func TestNegotiation(t *testing.T) {
	source, report := scripted([]outcome{{}})
	e := New(Config{Interval: time.Hour, Source: source, Report: report})
	if err := e.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, accept, encoding string
		wantType, wantEnc      string
		wantEnd                string
	}{
		{"plain", "", "", "text/plain; version=0.0.4", "", ""},
		{"openmetrics", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", "", "application/openmetrics-text; version=1.0.0", "", "# EOF\n"},
		{"gzip", "", "gzip", "text/plain; version=0.0.4", "gzip", ""},
	} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		if c.encoding != "" {
			req.Header.Set("Accept-Encoding", c.encoding)
		}
		rec := httptest.NewRecorder()
		e.Handler().ServeHTTP(rec, req)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, c.wantType) {
			t.Errorf("%s: Content-Type %q, want %q", c.name, ct, c.wantType)
		}
		if enc := rec.Header().Get("Content-Encoding"); enc != c.wantEnc {
			t.Errorf("%s: Content-Encoding %q, want %q", c.name, enc, c.wantEnc)
		}
		var body io.Reader = rec.Body
		if c.wantEnc == "gzip" {
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		text := string(b)
		if !strings.Contains(text, `winami_drift_runs_total{result="ok"} 1`) || !strings.HasSuffix(text, c.wantEnd) {
			t.Errorf("%s: body\n%s", c.name, text)
		}
	}
}

// TestLabelNotUTF8: a node name that is not UTF-8 (the cluster's to
// choose) does not cost the scrape or the series: the value is repaired.
func TestLabelNotUTF8(t *testing.T) {
	source, report := scripted([]outcome{{nodes: []drift.Node{{Name: "bad-\xff", Reasons: []drift.Reason{{Kind: drift.ReasonNotReady}}}}}})
	e := New(Config{Interval: time.Hour, Source: source, Report: report})
	if err := e.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if text := scrape(t, e); !strings.Contains(text, `winami_node_drift{cluster="",node="bad-`+"\uFFFD"+`",reason="not-ready"} 1`) {
		t.Errorf("the series of the node is missing:\n%s", text)
	}
}

// scrapeText GETs base/metrics as a scraper that asks for nothing in
// particular and checks it gets the text format 0.0.4.
func scrapeText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4; charset=utf-8") {
		t.Errorf("Content-Type %q, want the text format 0.0.4", ct)
	}
	return string(body)
}
