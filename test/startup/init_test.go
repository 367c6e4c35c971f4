package startup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// initBudget bounds what package initialisation allocates in cmd/winami
// before main runs. Allocation, unlike time, is the same on every run and
// machine, and it drives the time: past about 4 MiB the runtime starts a
// garbage collection during initialisation. Most of what is left is the
// AWS SDK's: the per-service schema tables of its schema-based serde
// (ssm, eks, iam, ecr, sts, sso, ssooidc, signin; 3.3 MB) and the
// endpoint tables (0.8 MB).
const initBudget = 6 << 20

type pkgInit struct {
	pkg    string
	bytes  int
	millis float64
}

// initTrace runs the binary with GODEBUG=inittrace=1 and reads one line
// per package: "init PKG @T ms, C ms clock, B bytes, A allocs".
func initTrace(t *testing.T, bin string) []pkgInit {
	t.Helper()
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, stderr.String())
	}
	var out []pkgInit
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" {
			continue
		}
		ms, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.Atoi(f[7])
		if err1 != nil || err2 != nil {
			t.Fatalf("unexpected inittrace line %q", sc.Text())
		}
		out = append(out, pkgInit{pkg: f[1], bytes: b, millis: ms})
	}
	if len(out) == 0 {
		t.Fatalf("no inittrace lines in:\n%s", stderr.String())
	}
	return out
}

func TestInitAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "winami")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/winami/winami/cmd/winami").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	inits := initTrace(t, bin)
	total, millis := 0, 0.0
	for _, p := range inits {
		total += p.bytes
		millis += p.millis
	}
	slices.SortFunc(inits, func(a, b pkgInit) int { return b.bytes - a.bytes })
	var top strings.Builder
	for _, p := range inits[:min(12, len(inits))] {
		fmt.Fprintf(&top, "\n  %8d B %6.3f ms  %s", p.bytes, p.millis, p.pkg)
	}
	t.Logf("%d packages initialised: %d bytes, %.2f ms of clock this run; the largest:%s", len(inits), total, millis, top.String())
	if total > initBudget {
		t.Errorf("package initialisation allocates %d bytes, over the budget of %d: every command pays it at start. The largest:%s", total, initBudget, top.String())
	}
}
