package imagescmd

import (
	"errors"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/workloads"
)

func TestClusterExit(t *testing.T) {
	rep := func(vs ...images.Verdict) images.ClusterReport {
		r := images.ClusterReport{Target: images.HostBuild{Build: 26100}}
		for _, v := range vs {
			r.Images = append(r.Images, images.ClusterImage{Verdict: v})
		}
		return r
	}
	if err := ClusterExit(rep(images.Compatible)); err != nil {
		t.Errorf("all compatible: %v", err)
	}
	var code *cmdutil.ExitCodeError
	if err := ClusterExit(rep(images.Compatible, images.Unknown, images.Incompatible)); !errors.As(err, &code) || code.Code != cmdutil.ExitDifferences {
		t.Errorf("an incompatible image: %v, want exit 2", err)
	}
	// Unknown only: not passed, an error (exit 1) naming what is unknown.
	err := ClusterExit(rep(images.Compatible, images.Unknown))
	if err == nil || errors.As(err, &code) || !strings.Contains(err.Error(), "1 image(s) could not be read") {
		t.Errorf("an unknown image: %v, want an error", err)
	}
}

func TestWorkloadsCell(t *testing.T) {
	var ws []workloads.Workload
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		ws = append(ws, workloads.Workload{Kind: "Deployment", Namespace: "ns", Name: n})
	}
	if got, want := workloadsCell(ws, true), "Deployment ns/a, Deployment ns/b, Deployment ns/c, and 2 more (-o json lists them)"; got != want {
		t.Errorf("table: %q, want %q", got, want)
	}
	if got := workloadsCell(ws, false); strings.Count(got, "Deployment") != 5 {
		t.Errorf("text: %q, want all five", got)
	}
	if got := workloadsCell(ws[:3], true); got != "Deployment ns/a, Deployment ns/b, Deployment ns/c" {
		t.Errorf("three: %q", got)
	}
}
