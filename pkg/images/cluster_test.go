package images

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/workloads"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func TestCheckClusterDemoOn2025(t *testing.T) {
	e := startSandbox(t)
	kube, err := drift.KubeClient(sandboxtest.RESTConfig(t, e.cfg, world.DemoCluster))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := workloads.Reader{Nodes: drift.LeanNodes{Client: kube}, Pods: kube}.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.checker(t, nil).CheckCluster(t.Context(), HostBuild{Build: 26100}, inv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Verdict{
		world.PodImageLogAgent:       Compatible,
		world.PodImageServerCore2022: Compatible,
		world.PodImagePaymentsAPI:    Compatible,
		world.PodImageLedger:         Compatible,
		world.PodImagePaymentsWorker: Incompatible,
		world.PodImageReport:         Incompatible,
		world.PodImageMissing:        Unknown,
	}
	if len(rep.Images) != len(want) {
		t.Fatalf("%d images, want %d", len(rep.Images), len(want))
	}
	for _, img := range rep.Images {
		if img.Verdict != want[img.Image] {
			t.Errorf("%s: %s (%s), want %s", img.Image, img.Verdict, img.Reason, want[img.Image])
		}
		if len(img.Workloads) == 0 || img.Pods == 0 {
			t.Errorf("%s: no workloads or pods", img.Image)
		}
		switch img.Image {
		case world.PodImageLedger:
			if img.Chosen == nil || img.Chosen.OSVersion != "10.0.26100.3476" {
				t.Errorf("ledger: chosen %+v, want the 2025 entry", img.Chosen)
			}
		case world.PodImageReport:
			if img.Reason != "built for 10.0.17763, a 10.0.26100 host runs only images built for 10.0.20348 to 10.0.26100" {
				t.Errorf("report: reason %q", img.Reason)
			}
		case world.PodImageMissing:
			if img.ErrorKind != NotFound {
				t.Errorf("gateway: kind %s (%s)", img.ErrorKind, img.Reason)
			}
		}
	}
	if rep.Count(Incompatible) != 2 || rep.Count(Unknown) != 1 || rep.Pods == 0 || len(rep.Nodes) != 10 {
		t.Errorf("report: %d incompatible, %d unknown, %d pods, %d nodes", rep.Count(Incompatible), rep.Count(Unknown), rep.Pods, len(rep.Nodes))
	}
}

func TestCheckClusterUnreadableReference(t *testing.T) {
	c := NewChecker(Options{})
	inv := workloads.Inventory{Images: []workloads.ImageUse{{Image: "Bad Image!", Pods: 1}}}
	rep, err := c.CheckCluster(t.Context(), HostBuild{Build: 26100}, inv)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Images) != 1 || rep.Images[0].Verdict != Unknown || rep.Images[0].Reason == "" {
		t.Errorf("unparsable image: %+v", rep.Images)
	}
}

func TestPodImageReference(t *testing.T) {
	for in, want := range map[string]string{
		"nginx":                       "docker.io/library/nginx:latest",
		"nginx:1.27":                  "docker.io/library/nginx:1.27",
		"myorg/app:2":                 "docker.io/myorg/app:2",
		"localhost/app":               "localhost/app:latest",
		"localhost:5000/app:1":        "localhost:5000/app:1",
		"mcr.microsoft.com/a/b:c":     "mcr.microsoft.com/a/b:c",
		"registry.local/app@sha256:0": "registry.local/app@sha256:0",
		"app@sha256:0":                "docker.io/library/app@sha256:0",
	} {
		if got := PodImageReference(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// countingTransport answers every registry request 404 and counts them.
type countingTransport struct{ n *atomic.Int32 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
}

func TestCheckClusterReadsAnImageOnceWhateverItsSpelling(t *testing.T) {
	requests := func(images ...string) (int32, ClusterReport) {
		n := &atomic.Int32{}
		inv := workloads.Inventory{}
		for _, img := range images {
			inv.Images = append(inv.Images, workloads.ImageUse{Image: img, Pods: 1})
		}
		rep, err := NewChecker(Options{Transport: countingTransport{n}, Keychain: authn.NewMultiKeychain()}).CheckCluster(t.Context(), HostBuild{Build: 26100}, inv)
		if err != nil {
			t.Fatal(err)
		}
		return n.Load(), rep
	}
	one, _ := requests("nginx")
	two, rep := requests("docker.io/library/nginx:latest", "nginx")
	if one == 0 || two != one {
		t.Errorf("%d registry requests for two spellings of one image, %d for one spelling", two, one)
	}
	if len(rep.Images) != 2 || rep.Images[0].Verdict != Unknown || rep.Images[1].Verdict != Unknown || rep.Images[0].Reason != rep.Images[1].Reason {
		t.Errorf("both spellings keep their row and share the verdict: %+v", rep.Images)
	}
}
