// Package prometheus checks the Grafana dashboard of deploy/grafana against
// a real Prometheus scraping a running `winami drift --watch` on the
// sandbox: every query of the dashboard names only what the exporter
// serves, and returns the series its panel expects for the demo cluster.
package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// jobName is the scrape job of the generated config, and what the
// dashboard's $job variable is set to.
const jobName = "winami-drift"

func TestDashboardOnPrometheus(t *testing.T) {
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("no prometheus on PATH (Debian's `prometheus` package; .ci/run installs it)")
	}
	dir := t.TempDir()
	// The binary, as a user runs it. Its build (from the build cache, as
	// a rule) is outside the bound below, which is the processes'.
	bin := filepath.Join(dir, "winami")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/winami/winami/cmd/winami").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	sandbox := freeAddr(t)
	start(t, dir, "sandbox", nil, bin, "sandbox", "--listen", sandbox)
	waitHTTP(ctx, t, "http://"+sandbox+"/", func(int) bool { return true })

	metrics := freeAddr(t)
	env := []string{"AWS_ENDPOINT_URL=http://" + sandbox, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1"}
	// --latest, so that the release age panel has its series; 10s is the
	// shortest interval the exporter takes, and the first report is made
	// at once.
	start(t, dir, "exporter", env, bin, "drift", "--cluster", "demo", "--latest", "--watch", "--interval", "10s", "--metrics-addr", metrics)
	waitHTTP(ctx, t, "http://"+metrics+"/healthz", func(code int) bool { return code == http.StatusOK })

	prom := freeAddr(t)
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: %s
    scrape_timeout: 1s
    static_configs:
      - targets: [%q]
`, jobName, metrics)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, dir, "prometheus", nil, promBin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+prom)
	waitHTTP(ctx, t, "http://"+prom+"/-/ready", func(code int) bool { return code == http.StatusOK })
	api := &promAPI{base: "http://" + prom}
	// Three scrapes: enough for rate() over the runs counter.
	for {
		res, _, err := api.query(ctx, `count_over_time(winami_drift_nodes[1m])`)
		if err == nil && len(res) == 1 && res[0].value >= 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Prometheus did not scrape the exporter three times: %v %v", res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The names the queries may use are what the exporter serves.
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := parseExposed(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}

	want := expectations(metrics)
	seen := map[string]bool{}
	for _, q := range dashboardQueries(t, dashboardPath) {
		seen[q.panel] = true
		if err := checkNames(q, ex); err != nil {
			t.Error(err)
			continue
		}
		w, ok := want[q.panel]
		if !ok {
			t.Errorf("%s: no expectation for %q (add one to expectations)", q.panel, q.expr)
			continue
		}
		var got []series
		var at float64
		if q.labelValues != nil {
			got, err = api.labelValues(ctx, q.labelValues[0], q.labelValues[1])
		} else {
			got, at, err = api.query(ctx, substitute(q.expr))
		}
		if err != nil {
			t.Errorf("%s: %q: %v", q.panel, q.expr, err)
			continue
		}
		if err := match(got, w, at); err != nil {
			t.Errorf("%s: %q: %v", q.panel, q.expr, err)
		}
	}
	for panel := range want {
		if !seen[panel] {
			t.Errorf("an expectation for %q, which the dashboard has no longer", panel)
		}
	}
}

// freeAddr is a loopback address with a port nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// start runs a process until the test ends: then it gets SIGINT and a
// few seconds to stop. Its output goes to a file, logged if the test fails.
func start(t *testing.T, dir, name string, env []string, bin string, args ...string) {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// Stopped by the cleanup below with SIGINT, as a user would, so the
	// exporter's and Prometheus's shutdown paths run too.
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			// The end says why it stopped or failed.
			t.Logf("%s's output, its end:\n%s", name, out[max(0, len(out)-4000):])
		}
	})
}

// waitHTTP polls url until ok accepts its status code.
func waitHTTP(ctx context.Context, t *testing.T, url string, ok func(int) bool) {
	t.Helper()
	var last error
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if ok(resp.StatusCode) {
				return
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer in time: %v", url, last)
}

// series is one result of a query: its labels and value.
type series struct {
	labels map[string]string
	value  float64
}

type promAPI struct{ base string }

// query evaluates expr now; it returns the series and the evaluation time.
func (a *promAPI) query(ctx context.Context, expr string) ([]series, float64, error) {
	var data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := a.get(ctx, "/api/v1/query?query="+url.QueryEscape(expr), &data); err != nil {
		return nil, 0, err
	}
	if data.ResultType != "vector" {
		return nil, 0, fmt.Errorf("result type %s, want vector", data.ResultType)
	}
	var out []series
	var at float64
	for _, r := range data.Result {
		ts, _ := r.Value[0].(float64)
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("value %v: %w", r.Value[1], err)
		}
		at = ts
		out = append(out, series{labels: r.Metric, value: v})
	}
	return out, at, nil
}

// labelValues is what Grafana's label_values(metric, label) reads: one
// series per value, labelled with it, value 1.
func (a *promAPI) labelValues(ctx context.Context, metric, label string) ([]series, error) {
	var values []string
	if err := a.get(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values?match[]="+url.QueryEscape(metric), &values); err != nil {
		return nil, err
	}
	var out []series
	for _, v := range values {
		out = append(out, series{labels: map[string]string{label: v}, value: 1})
	}
	return out, nil
}

func (a *promAPI) get(ctx context.Context, path string, data any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s: status %d: %w", path, resp.StatusCode, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("Prometheus: %s", body.Error)
	}
	return json.Unmarshal(body.Data, data)
}
