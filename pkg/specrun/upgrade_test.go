package specrun_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/workloads"
)

var spec2025 = strings.Replace(baseSpec, "windows: 2022", "windows: 2025", 1)

// clusterWith is a --cluster check whose cluster runs one image with the
// verdict, recording each call.
func clusterWith(e *env, v images.Verdict) images.ClusterCheck {
	return func(_ context.Context, target images.HostBuild) (images.ClusterReport, error) {
		e.rec.add("CheckCluster " + target.String())
		return images.ClusterReport{Cluster: "demo", Target: target, Images: []images.ClusterImage{{
			Image: "mcr.microsoft.com/windows/servercore:ltsc2019", Verdict: v, Reason: "built for 10.0.17763",
			Workloads: []workloads.Workload{{Kind: "Job", Namespace: "batch", Name: "report"}},
		}}}, nil
	}
}

// A spec that moves from Windows Server 2022 (its last build) to 2025
// checks the cluster's workloads before the plan, and stops apply before
// it changes anything when one would not run; --skip-image-check warns.
func TestUpgradeCheckStopsApply(t *testing.T) {
	e := newEnv(t)
	e.lastWindows = "2022"
	e.cluster = clusterWith(e, images.Incompatible)
	r := e.runner(spec2025)
	_, err := planAndApply(t.Context(), r, applyChecks)
	if err == nil {
		t.Fatal("apply went on with a workload that does not run on Windows Server 2025")
	}
	for _, want := range []string{"1 image(s) of cluster demo's Windows workloads do not run on Windows Server 2025",
		"incompatible mcr.microsoft.com/windows/servercore:ltsc2019 (Job batch/report): built for 10.0.17763", "--skip-image-check"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !slices.Contains(e.rec.all(), "CheckCluster 10.0.26100") {
		t.Errorf("the cluster was not checked against 10.0.26100: %v", e.rec.all())
	}
	if got := e.changed(); len(got) > 0 {
		t.Errorf("after the upgrade check refused, the runner still called %v", got)
	}

	skip := applyChecks
	skip.SkipImageCheck = true
	if _, err := planAndApply(t.Context(), r, skip); err != nil {
		t.Fatalf("with --skip-image-check: %v", err)
	}
	if !strings.Contains(e.out.String(), "Warning: --skip-image-check: 1 image(s) of cluster demo's Windows workloads may not run on Windows Server 2025") {
		t.Errorf("no warning in:\n%s", e.out.String())
	}
}

// The same Windows version as the last build, or no build yet: the
// cluster is not read.
func TestUpgradeCheckOnlyOnAChange(t *testing.T) {
	for _, last := range []string{"2025", ""} {
		e := newEnv(t)
		e.lastWindows = last
		e.cluster = clusterWith(e, images.Incompatible)
		if _, err := e.runner(spec2025).Plan(t.Context(), applyChecks); err != nil {
			t.Fatalf("last build %q: %v", last, err)
		}
		if slices.ContainsFunc(e.rec.all(), func(c string) bool { return strings.HasPrefix(c, "CheckCluster") }) {
			t.Errorf("last build %q: the cluster was checked although the version does not change", last)
		}
	}
}
