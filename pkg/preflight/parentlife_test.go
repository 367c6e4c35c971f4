package preflight_test

import (
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// TestParentLifecycleWarnsNeverFails: a pin on the sandbox's 2026-08-12
// release is fine in September; on 3 December, nine days before Amazon's
// four months are up, it is a warning with the copy command, and the
// report does not fail (the build would still work today).
func TestParentLifecycleWarnsNeverFails(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	yaml := strings.Replace(specFor("winami-build", ""), "base: {windows: 2022, edition: core}",
		`base: {windows: 2022, edition: core, eksOptimized: {release: "2026.08.12"}}`, 1)
	s, err := spec.Parse("winami.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	runAt := func(now time.Time) preflight.Report {
		d := preflight.DepsFromClients(awsapi.NewClients(cfg))
		d.Clock = clock.NewFake(now)
		return preflight.Run(t.Context(), d, s)
	}

	c := want(t, runAt(time.Date(2026, time.September, 1, 0, 0, 0, 0, time.UTC)), preflight.IDParentLifecycle, preflight.Pass, "")
	if !strings.Contains(c.Detail, "deprecated by EC2 only on") {
		t.Errorf("detail %q does not show the parent's deprecation time", c.Detail)
	}

	rep := runAt(time.Date(2026, time.December, 3, 0, 0, 0, 0, time.UTC))
	c = want(t, rep, preflight.IDParentLifecycle, preflight.Warn, "",
		"winami ami copy --windows 2022 --edition core --kubernetes 1.35 --release 2026.08.12 --regions us-east-1", "copy: true")
	if !strings.Contains(c.Detail, "private 4 months after release, so about 2026-12-12 (in 9 days)") {
		t.Errorf("detail %q", c.Detail)
	}
	if rep.Failed() {
		t.Errorf("the lifecycle warning failed the report: %+v", rep.Failures())
	}
}
