package workloads_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/workloads"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

type countingRT struct {
	base      http.RoundTripper
	podLists  atomic.Int32
	nodeLists atomic.Int32
}

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/api/v1/pods"):
		c.podLists.Add(1)
	case strings.HasSuffix(r.URL.Path, "/api/v1/nodes"):
		c.nodeLists.Add(1)
	}
	return c.base.RoundTrip(r)
}

func demoReader(t *testing.T) (workloads.Reader, *countingRT) {
	t.Helper()
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: time.Now})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	counter := &countingRT{}
	rc.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.base = rt; return counter })
	kube, err := drift.KubeClient(rc)
	if err != nil {
		t.Fatal(err)
	}
	return workloads.Reader{Nodes: drift.LeanNodes{Client: kube}, Pods: kube}, counter
}

func TestReadDemoCluster(t *testing.T) {
	r, counter := demoReader(t)
	inv, err := r.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Nodes) != 10 {
		t.Errorf("%d Windows nodes, want the demo's 10", len(inv.Nodes))
	}
	// One list of the nodes and one of the pods, not one per node.
	if n, p := counter.nodeLists.Load(), counter.podLists.Load(); n != 1 || p != 1 {
		t.Errorf("%d node lists and %d pod lists, want 1 and 1", n, p)
	}
	got := map[string]string{}
	for _, u := range inv.Images {
		var ws []string
		for _, w := range u.Workloads {
			ws = append(ws, w.String())
		}
		got[u.Image] = strings.Join(ws, ", ")
	}
	want := map[string]string{
		world.PodImageLogAgent:       "DaemonSet kube-system/windows-log-agent",
		world.PodImageServerCore2022: "Pod default/debug-shell, Deployment payments/payments-api",
		world.PodImagePaymentsAPI:    "Deployment payments/payments-api",
		world.PodImagePaymentsWorker: "Deployment payments/payments-worker",
		world.PodImageMissing:        "Deployment payments/payments-gateway",
		world.PodImageLedger:         "StatefulSet platform/ledger",
		world.PodImageReport:         "Job batch/monthly-report-29401920",
	}
	for img, ws := range want {
		if got[img] != ws {
			t.Errorf("%s: used by %q, want %q", img, got[img], ws)
		}
	}
	if len(got) != len(want) {
		t.Errorf("images %v, want only the Windows pods' %d (no Linux image)", got, len(want))
	}
	for _, u := range inv.Images {
		if u.Image == world.PodImageLogAgent && u.Pods != 10 {
			t.Errorf("the DaemonSet's image runs in %d pods, want 10", u.Pods)
		}
	}
}
