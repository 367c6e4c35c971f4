package exporter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

// stopAfter is a fake clock whose n-th wait ends the run's context, as
// stopping the exporter would.
type stopAfter struct {
	*clock.Fake
	n      int
	cancel context.CancelFunc
}

func (s *stopAfter) Sleep(ctx context.Context, d time.Duration) error {
	if err := s.Fake.Sleep(ctx, d); err != nil {
		return err
	}
	if len(s.Slept()) == s.n {
		s.cancel()
		return ctx.Err()
	}
	return nil
}

// script is a sequence of run outcomes: nil makes a report of the given
// nodes, an error fails the run.
type outcome struct {
	nodes []drift.Node
	err   error
}

func scripted(outcomes []outcome) (func(context.Context) (drift.Sources, drift.Options, error), func(context.Context, drift.Sources, drift.Options) (*drift.Report, error)) {
	i := 0
	source := func(context.Context) (drift.Sources, drift.Options, error) {
		return drift.Sources{}, drift.Options{}, nil
	}
	report := func(context.Context, drift.Sources, drift.Options) (*drift.Report, error) {
		o := outcomes[min(i, len(outcomes)-1)]
		i++
		if o.err != nil {
			return nil, o.err
		}
		r := &drift.Report{Nodes: o.nodes}
		for _, n := range o.nodes {
			r.Summary.WindowsNodes++
			if n.Drifted() {
				r.Summary.Drifted++
			}
			r.Groups = append(r.Groups, drift.Group{AMI: n.AMI, Kubelet: n.KubeletVersion, WindowsBuild: n.WindowsBuild, Nodes: []string{n.Name}})
		}
		return r, nil
	}
	return source, report
}

var errAPI = errors.New("api error ServiceUnavailable")

// TestBackoff: failed runs are retried after 10s, 20s, 40s... up to the
// interval, less the jitter; a good run resets the sequence and the next
// report comes an interval after the last one started.
func TestBackoff(t *testing.T) {
	outcomes := []outcome{{err: errAPI}, {err: errAPI}, {err: errAPI}, {err: errAPI}, {err: errAPI}, {err: errAPI}, {err: errAPI}, {}, {err: errAPI}, {}}
	source, report := scripted(outcomes)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	clk := &stopAfter{Fake: clock.NewFake(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)), n: len(outcomes), cancel: cancel}
	e := New(Config{
		Interval: 5 * time.Minute,
		Source:   source,
		Report: func(ctx context.Context, s drift.Sources, o drift.Options) (*drift.Report, error) {
			clk.Advance(2 * time.Second) // each run takes 2s
			return report(ctx, s, o)
		},
		Clock: clk,
		Rand:  func() float64 { return 0 },
	})
	e.loop(ctx)
	waits := clk.Slept()
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute,
		5*time.Minute - 2*time.Second, 10 * time.Second, 5*time.Minute - 2*time.Second}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v\nwant  %v", waits, want)
	}
}

// TestBackoffJitter: the jitter only shortens a wait, by at most a fifth.
func TestBackoffJitter(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999} {
		e := New(Config{Interval: time.Minute, Rand: func() float64 { return r }})
		for n, nominal := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 4: time.Minute, 50: time.Minute} {
			got := e.Backoff(n)
			if got > nominal || got < nominal*4/5 {
				t.Errorf("rand %v: Backoff(%d) = %s, want in [%s, %s]", r, n, got, nominal*4/5, nominal)
			}
		}
	}
}

// TestSeriesReplaced: nodes that leave or stop drifting take their series
// with them, so the series follow the cluster, not its history.
func TestSeriesReplaced(t *testing.T) {
	const runs = 200
	outcomes := make([]outcome, runs)
	for i := range outcomes {
		// Every run sees three nodes never seen before, two drifted.
		for j := range 3 {
			// One AMI per node: a report has one group per (AMI, kubelet, build).
			n := drift.Node{Name: fmt.Sprintf("node-%d-%d", i, j), AMI: fmt.Sprintf("ami-%08x", 3*i+j), KubeletVersion: "1.35.2", WindowsBuild: "10.0.20348"}
			if j > 0 {
				n.Reasons = []drift.Reason{{Kind: drift.ReasonAMIDiffers}, {Kind: drift.ReasonAMIDiffers, Detail: "twice"}}
			}
			outcomes[i].nodes = append(outcomes[i].nodes, n)
		}
		if i%10 == 5 {
			outcomes[i].err = errAPI
		}
	}
	source, report := scripted(outcomes)
	e := New(Config{Interval: time.Minute, Source: source, Report: report})
	var first int
	var last string
	for i := range runs {
		_ = e.RunOnce(t.Context())
		n := winamiSeries(t, e)
		if i == 0 {
			first = n
		}
		if n != first {
			t.Fatalf("run %d: %d series, %d after the first run", i, n, first)
		}
		last = scrape(t, e)
	}
	// 2 run counters, duration, last success, the cluster's up and last
	// success, 2 node counts, 3 groups, 2 drifts.
	if first != 2+1+1+2+2+3+2 {
		t.Errorf("%d series, want 13", first)
	}
	if strings.Contains(last, `"node-0-`) || !strings.Contains(last, `winami_node_drift{cluster="",node="node-199-1",reason="ami-differs"} 1`) {
		t.Errorf("last scrape:\n%s", last)
	}
	if !strings.Contains(last, `winami_drift_runs_total{result="error"} 20`) || !strings.Contains(last, `winami_drift_runs_total{result="ok"} 180`) {
		t.Errorf("run counters:\n%s", last)
	}
}

// TestHealthy: a good report keeps /healthz at ok for three intervals,
// failures after it included; past that, the last error is the answer.
func TestHealthy(t *testing.T) {
	source, report := scripted([]outcome{{}, {err: errAPI}})
	clk := clock.NewFake(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC))
	e := New(Config{Interval: time.Minute, Source: source, Report: report, Clock: clk})
	if err := e.Healthy(); err == nil || err.Error() != "no drift report yet" {
		t.Errorf("before any run: %v", err)
	}
	if err := e.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.Healthy(); err != nil {
		t.Errorf("after a good run: %v", err)
	}
	clk.Advance(time.Minute)
	if err := e.RunOnce(t.Context()); !errors.Is(err, errAPI) {
		t.Fatalf("second run: %v", err)
	}
	clk.Advance(2 * time.Minute)
	if err := e.Healthy(); err != nil {
		t.Errorf("3 intervals after the good run: %v", err)
	}
	clk.Advance(time.Second)
	want := "no drift report since 2026-11-28T10:00:00Z: api error ServiceUnavailable"
	if err := e.Healthy(); err == nil || err.Error() != want {
		t.Errorf("past 3 intervals: %v, want %s", err, want)
	}
}

// TestRunOnceCancelled: a run cut short by shutdown is not a failure.
func TestRunOnceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	e := New(Config{
		Interval: time.Minute,
		Source: func(ctx context.Context) (drift.Sources, drift.Options, error) {
			cancel()
			return drift.Sources{}, drift.Options{}, ctx.Err()
		},
	})
	if err := e.RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("RunOnce: %v", err)
	}
	if text := scrape(t, e); !strings.Contains(text, `winami_drift_runs_total{result="error"} 0`) {
		t.Errorf("a cancelled run was counted:\n%s", text)
	}
}

// TestHeapBoundedChurn: reports of 500 nodes, all new each run, as a
// cluster replacing every node would give; the heap after GC stays where
// it was after the first runs.
func TestHeapBoundedChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("many runs")
	}
	const runs, nodes = 300, 500
	i := 0
	e := New(Config{
		Interval: time.Minute,
		Source: func(context.Context) (drift.Sources, drift.Options, error) {
			return drift.Sources{}, drift.Options{}, nil
		},
		Report: func(context.Context, drift.Sources, drift.Options) (*drift.Report, error) {
			i++
			r := &drift.Report{Summary: drift.Summary{WindowsNodes: nodes, Drifted: nodes / 2}}
			for j := range nodes {
				name := fmt.Sprintf("ip-10-%d-%d.ec2.internal", i, j)
				n := drift.Node{Name: name}
				if j%2 == 0 {
					n.Reasons = []drift.Reason{{Kind: drift.ReasonKubeletDiffers}}
				}
				r.Nodes = append(r.Nodes, n)
				r.Groups = append(r.Groups, drift.Group{AMI: fmt.Sprintf("ami-%017x", i*nodes+j), Kubelet: "1.35.2", WindowsBuild: "10.0.20348", Nodes: []string{name}})
			}
			return r, nil
		},
	})
	var heapEarly uint64
	for run := 1; run <= runs; run++ {
		if err := e.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		if run == 30 {
			heapEarly = heapAfterGC()
		}
	}
	heapEnd := heapAfterGC()
	t.Logf("%d series; heap after GC: %d KiB at run 30, %d KiB at run %d", winamiSeries(t, e), heapEarly/1024, heapEnd/1024, runs)
	// Keeping every report's series (750 a run) would add tens of MiB.
	if heapEnd > heapEarly+1<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB", heapEarly/1024, heapEnd/1024)
	}
}

// TestShutdownTimeout: a client stuck in the middle of a request does not
// hold the exporter past ShutdownTimeout, and Run still returns nil.
func TestShutdownTimeout(t *testing.T) {
	source, report := scripted([]outcome{{}})
	e := New(Config{Interval: time.Hour, Source: source, Report: report, ShutdownTimeout: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	base, done := serve(t, ctx, e)
	get(t, base+"/healthz", 200)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /metrics HTTP/1.1\r\nHost: x\r\n")); err != nil { // headers never end
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the server read the first bytes
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("shutdown took %s", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestTricklingClientCutOff: a client that sends a body a byte at a time,
// or keeps a connection idle, loses it after ConnTimeout.
func TestTricklingClientCutOff(t *testing.T) {
	source, report := scripted([]outcome{{}})
	e := New(Config{Interval: time.Hour, Source: source, Report: report, ConnTimeout: 300 * time.Millisecond})
	base, _ := serve(t, t.Context(), e)
	addr := strings.TrimPrefix(base, "http://")
	for name, first := range map[string]string{
		"trickled body": "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
		"idle":          "",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if first != "" {
			if _, err := conn.Write([]byte(first)); err != nil {
				t.Fatal(err)
			}
		}
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			for i := 0; i < 100; i++ {
				if first != "" {
					if _, err := conn.Write([]byte("x")); err != nil {
						return
					}
				}
				time.Sleep(50 * time.Millisecond)
				_ = conn.SetReadDeadline(time.Now().Add(time.Millisecond))
				if _, err := conn.Read(make([]byte, 512)); err != nil && !isTimeout(err) {
					return
				}
			}
		}()
		select {
		case <-closed:
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("%s: the connection lasted %s", name, took)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s: the server kept the connection for 5 s", name)
		}
		conn.Close()
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestHungRunCutOff: a run stuck on an endpoint is cut off at RunTimeout,
// counted as a failed run, and /healthz reports it once no run succeeds.
func TestHungRunCutOff(t *testing.T) {
	e := New(Config{
		Interval:   time.Hour,
		RunTimeout: 200 * time.Millisecond,
		Source: func(context.Context) (drift.Sources, drift.Options, error) {
			return drift.Sources{}, drift.Options{}, nil
		},
		Report: func(ctx context.Context, _ drift.Sources, _ drift.Options) (*drift.Report, error) {
			<-ctx.Done() // an endpoint that never answers
			return nil, ctx.Err()
		},
	})
	start := time.Now()
	err := e.RunOnce(t.Context())
	if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Fatalf("RunOnce = %v; want the run cut off", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the hung run lasted %s", took)
	}
	if text := scrape(t, e); !strings.Contains(text, `winami_drift_runs_total{result="error"} 1`) {
		t.Errorf("the hung run was not counted as an error:\n%s", text)
	}
}

// TestPanickingRunCounted: a run that panics is a failed run, not the end
// of the exporter.
func TestPanickingRunCounted(t *testing.T) {
	e := New(Config{
		Interval: time.Hour,
		Source: func(context.Context) (drift.Sources, drift.Options, error) {
			return drift.Sources{}, drift.Options{}, nil
		},
		Report: func(context.Context, drift.Sources, drift.Options) (*drift.Report, error) {
			var r *drift.Report
			return r, errors.New(r.Region) // nil dereference
		},
	})
	if err := e.RunOnce(t.Context()); err == nil || !strings.Contains(err.Error(), "this is a bug") {
		t.Fatalf("RunOnce = %v", err)
	}
	if text := scrape(t, e); !strings.Contains(text, `winami_drift_runs_total{result="error"} 1`) {
		t.Errorf("the panicking run was not counted:\n%s", text)
	}
}
