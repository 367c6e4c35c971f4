package prometheus

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const dashboardPath = "../../deploy/grafana/winami-drift.json"

// query is one PromQL expression of the dashboard: a panel's target, or a
// template variable's label_values(metric, label).
type query struct {
	panel string // the panel's title, or "variable NAME"
	expr  string
	// labelValues is set for a variable: the metric and label it reads.
	labelValues *[2]string
}

var labelValuesRE = regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`)

// dashboardQueries reads every query of the dashboard, in rows too.
func dashboardQueries(t *testing.T, path string) []query {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Type    string
		Title   string
		Targets []struct{ Expr string }
		Panels  []json.RawMessage // a collapsed row's panels
	}
	var d struct {
		UID        string
		Panels     []json.RawMessage
		Templating struct {
			List []struct {
				Name, Type string
				Query      json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var qs []query
	titles := map[string]bool{}
	var walk func([]json.RawMessage)
	walk = func(raw []json.RawMessage) {
		for _, r := range raw {
			var p panel
			if err := json.Unmarshal(r, &p); err != nil {
				t.Fatalf("%s: a panel: %v", path, err)
			}
			// Titles key the test's expectations.
			if titles[p.Title] {
				t.Errorf("two panels are called %q", p.Title)
			}
			titles[p.Title] = true
			if p.Type != "row" && len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				qs = append(qs, query{panel: p.Title, expr: tg.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct{ Query string }
		if err := json.Unmarshal(v.Query, &q); err != nil {
			// The older form: the query as a plain string.
			if err := json.Unmarshal(v.Query, &q.Query); err != nil {
				t.Fatalf("variable %s: query %s", v.Name, v.Query)
			}
		}
		m := labelValuesRE.FindStringSubmatch(q.Query)
		if m == nil {
			t.Fatalf("variable %s: %q is not label_values(metric, label)", v.Name, q.Query)
		}
		qs = append(qs, query{panel: "variable " + v.Name, expr: q.Query, labelValues: &[2]string{m[1], m[2]}})
	}
	if len(qs) == 0 {
		t.Fatalf("%s: no queries", path)
	}
	return qs
}

// exposed is what the exporter serves: each metric family's label names.
type exposed map[string][]string

// parseExposed reads the exporter's /metrics text.
func parseExposed(r io.Reader) (exposed, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	ex := exposed{}
	for name, f := range families {
		var labels []string
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(labels, l.GetName()) {
					labels = append(labels, l.GetName())
				}
			}
		}
		ex[name] = labels
	}
	return ex, nil
}

// Names that come from Prometheus rather than the exporter: the labels it
// puts on every scraped series, and the series it writes per scrape.
var (
	targetLabels    = []string{"job", "instance"}
	scrapeSeries    = []string{"up"}
	grafanaVariable = map[string]string{"$job": jobName}
)

// substitute sets the dashboard's Grafana variables as Grafana would.
func substitute(expr string) string {
	for v, val := range grafanaVariable {
		expr = strings.ReplaceAll(expr, v, val)
	}
	return expr
}

// checkNames fails a query that names a metric the exporter does not serve,
// or a label that none of the query's metrics has.
func checkNames(q query, ex exposed) error {
	expr := substitute(q.expr)
	var r refs
	if q.labelValues != nil {
		r = refs{metrics: []string{q.labelValues[0]}, labels: []string{q.labelValues[1]}}
	} else {
		var err error
		if r, err = references(expr); err != nil {
			return fmt.Errorf("%s: %q: %w", q.panel, q.expr, err)
		}
	}
	if len(r.metrics) == 0 {
		return fmt.Errorf("%s: %q names no metric", q.panel, q.expr)
	}
	allowed := slices.Clone(targetLabels)
	for _, m := range r.metrics {
		labels, ok := ex[m]
		switch {
		case ok:
			allowed = append(allowed, labels...)
		case slices.Contains(scrapeSeries, m):
		default:
			return fmt.Errorf("%s: %q: the exporter serves no metric %s", q.panel, q.expr, m)
		}
	}
	for _, l := range r.labels {
		if !slices.Contains(allowed, l) && l != "__name__" {
			return fmt.Errorf("%s: %q: label %s is not on %s", q.panel, q.expr, l, strings.Join(r.metrics, ", "))
		}
	}
	return nil
}

// TestCheckNames proves the name check fails on what PromQL would only
// answer with an empty or unchanged result.
func TestCheckNames(t *testing.T) {
	ex := exposed{
		"winami_node_drift":       {"cluster", "node", "reason"},
		"winami_drift_runs_total": {"result"},
	}
	for _, tc := range []struct {
		q       query
		wantErr string
	}{
		{q: query{expr: `count by (cluster, reason) (winami_node_drift{job=~"$job"})`}},
		{q: query{expr: `min(up{job=~"$job"})`}},
		{q: query{expr: `label_values(winami_drift_runs_total, job)`, labelValues: &[2]string{"winami_drift_runs_total", "job"}}},
		{q: query{expr: `count by (reasons) (winami_node_drift)`}, wantErr: "label reasons is not on winami_node_drift"},
		{q: query{expr: `count(winami_node_drift{result="ok"})`}, wantErr: "label result is not on"},
		{q: query{expr: `sum(winami_nodes_drift)`}, wantErr: "serves no metric winami_nodes_drift"},
		{q: query{expr: `label_values(winami_node_drift, ami)`, labelValues: &[2]string{"winami_node_drift", "ami"}}, wantErr: "label ami"},
		{q: query{expr: `time()`}, wantErr: "names no metric"},
	} {
		err := checkNames(tc.q, ex)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("checkNames(%q) = %v, want %q", tc.q.expr, err, tc.wantErr)
		}
	}
	// cluster on one family only: grouping another family by it fails.
	if err := checkNames(query{expr: `sum by (cluster) (winami_drift_runs_total)`}, ex); err == nil || !strings.Contains(err.Error(), "label cluster is not on winami_drift_runs_total") {
		t.Errorf("grouping the exporter's own runs by cluster: %v", err)
	}
}

func TestDashboardShape(t *testing.T) {
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d["uid"] != "winami-drift" || d["title"] == "" {
		t.Errorf("uid %v title %v", d["uid"], d["title"])
	}
	// Every panel reads the dashboard's data source variable, so the file
	// imports into any Grafana whatever its Prometheus is called.
	for _, q := range dashboardQueries(t, dashboardPath) {
		if q.expr == "" {
			t.Errorf("%s: an empty query", q.panel)
		}
	}
	if strings.Count(string(data), `"uid": "${datasource}"`) < len(dashboardQueries(t, dashboardPath)) {
		t.Error("a panel or target does not read the ${datasource} variable")
	}
	// "All" must mean the jobs the variable lists: a custom all value such
	// as .+ would put every target of the Prometheus in up{job=~"$job"}.
	var vars struct {
		Templating struct {
			List []struct {
				Name     string
				AllValue string
			}
		}
	}
	if err := json.Unmarshal(data, &vars); err != nil {
		t.Fatal(err)
	}
	for _, v := range vars.Templating.List {
		if v.AllValue != "" {
			t.Errorf("variable %s: allValue %q; leave it out so that All lists the values", v.Name, v.AllValue)
		}
	}
}

// docs/exporter.md's table of the dashboard names every panel and every
// metric its queries read: a panel added, or a metric renamed, in the
// dashboard alone fails here.
func TestDashboardDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/exporter.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range dashboardQueries(t, dashboardPath) {
		if q.labelValues != nil {
			continue // the variables are named in the text
		}
		if !regexp.MustCompile(`(\| |, )` + regexp.QuoteMeta(q.panel) + `( \||,| \()`).Match(doc) {
			t.Errorf("docs/exporter.md does not list the panel %q", q.panel)
		}
		r, err := references(substitute(q.expr))
		if err != nil {
			t.Fatalf("%s: %v", q.panel, err)
		}
		for _, m := range r.metrics {
			if !regexp.MustCompile(`\b` + m + `\b`).Match(doc) {
				t.Errorf("%s: docs/exporter.md does not name %s", q.panel, m)
			}
		}
	}
}
