package boundary

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// readSide are the packages that read what winami made and must not depend
// on the code that makes it: drift (and its exporter) reads the tags and
// the cache record through pkg/amimeta, not pkg/pipeline, so a change to
// how pipelines are built cannot change what drift reports (DESIGN.md §4,
// issue 12).
var readSide = []struct{ from, forbidden string }{
	{"pkg/drift/...", "pkg/pipeline"},
}

func TestReadSideDoesNotDependOnWriteSide(t *testing.T) {
	statSources(t)
	for _, r := range readSide {
		deps := listDeps(t, r.from)
		if len(deps) == 0 {
			t.Fatalf("go list -deps %s listed nothing; is the test run inside the module?", r.from)
		}
		if bad := dependsOn(deps, module+"/"+r.forbidden); bad {
			t.Errorf("%s depends on %s (directly or not): read the shared metadata from pkg/amimeta", r.from, r.forbidden)
		}
	}
}

// listDeps is `go list -deps` of a pattern of the module: every package its
// packages import, directly or not (not their tests').
func listDeps(t *testing.T, pattern string) []string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", module+"/"+pattern)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pattern, err, stderr.String())
	}
	return strings.Fields(string(out))
}

// dependsOn reports whether deps holds pkg or a package under it.
func dependsOn(deps []string, pkg string) bool {
	return slices.ContainsFunc(deps, func(d string) bool { return under(d, pkg) })
}

func TestDependsOn(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	if !dependsOn([]string{"context", m("pkg/pipeline")}, m("pkg/pipeline")) {
		t.Error("a direct dependency was missed")
	}
	if dependsOn([]string{m("pkg/pipelinex"), m("pkg/amimeta")}, m("pkg/pipeline")) {
		t.Error("a package with a longer name was taken for pkg/pipeline")
	}
}
