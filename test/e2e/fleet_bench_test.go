package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFleetWholeProcess times issue 15's fleet report as a user runs
// it, whole process (start-up, configuration and exit included): the
// winami binary, built from this tree, runs `drift --all-clusters` over a
// standalone `winami sandbox --clusters 20 --nodes 500` (20 clusters of 500
// Windows nodes in four regions and two accounts), taken in turn with
// `drift --cluster fleet-01`, one of those clusters alone. Each case is a
// sandbox latency: every AWS call and every Kubernetes API request waits
// it (`--faults latency=…`), as requests to AWS and to an EKS API server
// wait for the network and the server. The metrics are medians over the
// iterations: wall seconds of each command, their ratio, the fleet's CPU
// seconds and peak memory.
//
//	go test -run '^$' -bench FleetWholeProcess -benchtime 11x ./test/e2e/
//
// The sandbox shares the machine's cores with winami.
func BenchmarkFleetWholeProcess(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "winami")
	build := exec.CommandContext(b.Context(), "go", "build", "-o", bin, "github.com/winami/winami/cmd/winami")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building winami: %v\n%s", err, out)
	}
	// Two profiles: the sandbox's default account and its partner account.
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	writeFile(b, config, "[default]\nregion = us-east-1\n[profile partner]\nregion = us-east-1\n")
	writeFile(b, creds, "[default]\naws_access_key_id = test\naws_secret_access_key = test\n"+
		"[partner]\naws_access_key_id = test-444455556666\naws_secret_access_key = test\n")

	fleet := []string{"drift", "--all-clusters", "--regions", "us-east-1,us-west-2,eu-west-1,ap-southeast-1", "--profiles", "default,partner"}
	one := []string{"drift", "--cluster", "fleet-01"}
	for _, latency := range []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			addr := freeAddr(b)
			args := []string{"sandbox", "--clusters", "20", "--nodes", "500", "--listen", addr}
			if latency > 0 {
				args = append(args, "--faults", "latency="+latency.String())
			}
			ctx, cancel := context.WithCancel(b.Context())
			sandbox := exec.CommandContext(ctx, bin, args...)
			sandbox.Cancel = func() error { return sandbox.Process.Signal(os.Interrupt) }
			if err := sandbox.Start(); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { cancel(); _ = sandbox.Wait() })
			waitCtx, waitCancel := context.WithTimeout(ctx, time.Minute)
			waitServing(b, waitCtx, "http://"+addr+"/")
			waitCancel()

			env := append(os.Environ(), "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+creds,
				"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=http://"+addr, "AWS_EC2_METADATA_DISABLED=true")
			run := func(args []string) processRun { return runProcess(b, bin, env, args) }
			run(fleet) // warm the sandbox's and the system's caches
			run(one)
			var fleetRuns, oneRuns []processRun
			for b.Loop() {
				fleetRuns = append(fleetRuns, run(fleet))
				oneRuns = append(oneRuns, run(one))
			}
			f, o := medianRun(fleetRuns), medianRun(oneRuns)
			b.ReportMetric(f.wall.Seconds(), "fleet-wall-s")
			b.ReportMetric(o.wall.Seconds(), "one-wall-s")
			b.ReportMetric(f.wall.Seconds()/o.wall.Seconds(), "fleet/one")
			b.ReportMetric(f.cpu.Seconds(), "fleet-cpu-s")
			b.ReportMetric(float64(f.peakKB)/1024, "fleet-peak-MiB")
		})
	}
}

// processRun is what one run of the binary cost.
type processRun struct {
	wall, cpu time.Duration
	peakKB    int64
}

// runProcess runs the binary to its end; drift's exit 2 (nodes drift) is
// a result, any other failure fails the benchmark.
func runProcess(b *testing.B, bin string, env, args []string) processRun {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), bin, args...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if exit := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 2) {
		b.Fatalf("winami %v: %v\n%s%s", args, err, out, stderrOf(err))
	}
	r := processRun{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.peakKB = ru.Maxrss // kilobytes on Linux
	}
	return r
}

func stderrOf(err error) string {
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}

// medianRun is the median of each figure on its own.
func medianRun(runs []processRun) processRun {
	median := func(f func(processRun) int64) int64 {
		v := make([]int64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return processRun{
		wall:   time.Duration(median(func(r processRun) int64 { return int64(r.wall) })),
		cpu:    time.Duration(median(func(r processRun) int64 { return int64(r.cpu) })),
		peakKB: median(func(r processRun) int64 { return r.peakKB }),
	}
}

func writeFile(b *testing.B, path, content string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(fmt.Errorf("writing %s: %w", path, err))
	}
}
