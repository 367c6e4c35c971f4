// Package startup guards winami's start-up cost: Go runs the
// initialisation of every package linked into the binary at every start,
// whatever the command, so a heavy package linked for one command (the
// Kubernetes client for drift) is paid by `winami ami latest` too.
package startup

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// notLinked are packages whose initialisation is too dear for a CLI that
// mostly makes one or two AWS calls, with what to use instead.
var notLinked = map[string]string{
	// A scheme of every Kubernetes type (several ms and 700 kB at start):
	// drift uses a core/v1 REST client (drift.KubeClient).
	"k8s.io/client-go/kubernetes":        "drift.KubeClient",
	"k8s.io/client-go/kubernetes/scheme": "drift.KubeClient",
}

// deps are the packages linked into cmd/winami.
func deps(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "github.com/winami/winami/cmd/winami").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	return strings.Fields(string(out))
}

func TestHeavyPackagesNotLinked(t *testing.T) {
	linked := deps(t)
	for pkg, instead := range notLinked {
		if slices.Contains(linked, pkg) {
			t.Errorf("cmd/winami links %s (its initialisation runs at every start): use %s; `go mod why -m` or `go list -deps` shows who imports it", pkg, instead)
		}
	}
}
