package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"k8s.io/client-go/kubernetes"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// sandboxSource builds the sources of each run as `winami drift --cluster
// demo` does: endpoint and a fresh token through EKS, a clientset, EC2 and
// SSM clients and the catalog finder. failEC2 makes DescribeInstances fail
// while it returns true.
func sandboxSource(cfg aws.Config, latest bool, failEC2 func() bool) func(ctx context.Context) (drift.Sources, drift.Options, error) {
	clients := awsapi.NewClients(cfg)
	return func(ctx context.Context) (drift.Sources, drift.Options, error) {
		restCfg, err := drift.ClusterConfig(ctx, clients.EKS(""), clients.STSClient(""), "demo")
		if err != nil {
			return drift.Sources{}, drift.Options{}, err
		}
		cs, err := kubernetes.NewForConfig(restCfg)
		if err != nil {
			return drift.Sources{}, drift.Options{}, err
		}
		src := drift.Sources{
			Nodes: cs.CoreV1().Nodes(),
			ServerVersion: func(context.Context) (string, error) {
				v, err := cs.Discovery().ServerVersion()
				if err != nil {
					return "", err
				}
				return v.GitVersion, nil
			},
			EC2: func(r string) awsapi.EC2API {
				if failEC2 != nil && failEC2() {
					return failingEC2{clients.EC2(r)}
				}
				return clients.EC2(r)
			},
			SSM:    func(r string) awsapi.SSMAPI { return clients.SSM(r) },
			Finder: catalog.NewFinderFromClients(clients),
			EKS:    clients.EKS(""),
		}
		return src, drift.Options{Cluster: "demo", Region: "us-east-1", Latest: latest}, nil
	}
}

// syncBuilder is a strings.Builder the run goroutine writes while the
// test reads it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// failingEC2 fails DescribeInstances as an API outage does.
type failingEC2 struct{ awsapi.EC2API }

func (failingEC2) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return nil, errors.New("api error Unavailable: EC2 is down")
}

// serve runs the exporter on a loopback listener and returns its base URL
// and what Run returned, once ctx is cancelled.
func serve(t *testing.T, ctx context.Context, e *Exporter) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, ln) }()
	return "http://" + ln.Addr().String(), done
}

// get fetches url, waiting up to 10s for the status want.
func get(t *testing.T, url string, want int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == want {
				return string(body)
			}
			err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v; want status %d", url, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExporterSandbox scrapes the exporter over HTTP while it watches the
// sandbox's demo cluster (8 Windows nodes, two drifted), then stops it.
func TestExporterSandbox(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	var out syncBuilder
	e := New(Config{Interval: time.Hour, Source: sandboxSource(cfg, true, nil), Out: &out})
	ctx, cancel := context.WithCancel(t.Context())
	base, done := serve(t, ctx, e)

	if body := get(t, base+"/healthz", http.StatusOK); body != "ok\n" {
		t.Errorf("/healthz: %q", body)
	}
	text := scrapeText(t, base)
	for _, want := range []string{
		"# TYPE winami_drift_runs_total counter\n",
		`winami_drift_runs_total{result="ok"} 1` + "\n",
		`winami_drift_runs_total{result="error"} 0` + "\n",
		`winami_drift_nodes{cluster="demo"} 10` + "\n",
		`winami_drift_nodes_drifted{cluster="demo"} 2` + "\n",
		"# TYPE winami_windows_nodes gauge\n",
		// 2026-11-11, the newest 1.35 release of the seed (1794355200;
		// labels in name order, values in Go's shortest form).
		`winami_latest_release_timestamp_seconds{cluster="demo",edition="Core",kubernetes="1.35",windows="2022"} 1.7943552e+09` + "\n",
		`winami_node_drift{cluster="demo",node="ip-172-31-0-6.ec2.internal",reason="kubelet-differs"} 1` + "\n",
		`winami_node_drift{cluster="demo",node="ip-172-31-39-36.ec2.internal",reason="ami-not-latest"} 1` + "\n",
		`winami_node_drift{cluster="demo",node="ip-172-31-39-36.ec2.internal",reason="os-build-differs"} 1` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if n := strings.Count(text, "\nwinami_node_drift{cluster=\"demo\",node="); n != 3 {
		t.Errorf("%d winami_node_drift series, want 3 (two nodes, one with two reasons)", n)
	}
	grouped := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "winami_windows_nodes{ami=\"ami-") {
			var n int
			fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%d", &n)
			grouped += n
		}
	}
	if grouped != 10 {
		t.Errorf("winami_windows_nodes sums to %d, want 10", grouped)
	}
	if !strings.Contains(out.String(), " drift run: 10 Windows nodes, 2 drifted, ") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("run lines: %q", out.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the context was cancelled")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

// TestExporterHealthzFailing: while EC2 fails, /healthz answers 503 with
// the error and the error runs are counted; once it works again, 200.
func TestExporterHealthzFailing(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	failing := make(chan bool, 1)
	failing <- true
	failEC2 := func() bool { v := <-failing; failing <- v; return v }
	release := make(chan struct{})
	e := New(Config{
		Interval: time.Minute,
		Source:   sandboxSource(cfg, false, failEC2),
		// Each wait ends when the test says so.
		Clock: releasedClock{release},
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	base, done := serve(t, ctx, e)

	// Before the first run ends, /healthz says there is no report yet;
	// then it also says why.
	body := waitFor(t, base+"/healthz", http.StatusServiceUnavailable, "EC2 is down")
	if !strings.HasPrefix(body, "no drift report yet: ") {
		t.Errorf("/healthz: %q", body)
	}
	release <- struct{}{} // a second failed run
	waitFor(t, base+"/metrics", http.StatusOK, `winami_drift_runs_total{result="error"} 2`)
	if text := get(t, base+"/metrics", http.StatusOK); strings.Contains(text, "winami_windows_nodes") ||
		!strings.Contains(text, "winami_drift_last_success_timestamp_seconds 0\n") {
		t.Errorf("metrics before any good report:\n%s", text)
	}

	<-failing
	failing <- false
	release <- struct{}{}
	get(t, base+"/healthz", http.StatusOK)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// waitFor fetches url until it answers status with a body holding text.
func waitFor(t *testing.T, url string, status int, text string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := get(t, url, status)
		if strings.Contains(body, text) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %q lacks %q", url, body, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExporterMemorySandbox runs many reports against the sandbox: the
// number of series stays put and the heap after GC does not grow.
func TestExporterMemorySandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("many runs")
	}
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	e := New(Config{Interval: time.Minute, Source: sandboxSource(cfg, true, nil)})
	const runs = 60
	var series int
	var heapAt10 uint64
	for i := 1; i <= runs; i++ {
		if err := e.RunOnce(t.Context()); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		n := winamiSeries(t, e)
		if i == 1 {
			series = n
		} else if n != series {
			t.Fatalf("run %d: %d series, first run %d", i, n, series)
		}
		if i == 10 {
			heapAt10 = heapAfterGC()
		}
	}
	heapAtEnd := heapAfterGC()
	t.Logf("%d series; heap after GC: %d KiB at run 10, %d KiB at run %d", series, heapAt10/1024, heapAtEnd/1024, runs)
	// The sandbox shares the process: allow it some slack, not a leak of
	// a report per run (a report of 8 nodes is tens of KiB).
	if heapAtEnd > heapAt10+2<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB over %d runs", heapAt10/1024, heapAtEnd/1024, runs-10)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// releasedClock tells the wall clock's time, and each of its waits ends
// when the test sends on release (or the context ends).
type releasedClock struct{ release <-chan struct{} }

func (releasedClock) Now() time.Time { return time.Now() }

func (c releasedClock) Sleep(ctx context.Context, _ time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.release:
		return nil
	}
}
