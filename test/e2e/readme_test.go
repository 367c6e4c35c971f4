package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReadmeStandaloneSandbox runs the README's standalone-sandbox section
// line by line, as a user on a fresh machine would: the first line starts
// `winami sandbox` (in the background here, a second terminal there), the
// others run in one shell so its exports carry over. The section is read from
// the README itself, so the README cannot drift from what works. Only the port
// is changed, to a free one, so the test cannot collide with anything else.
func TestReadmeStandaloneSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole build against a standalone sandbox")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lines := readmeSection(t, filepath.Join(root, "README.md"), "## The sandbox")
	const readmeAddr = "127.0.0.1:4566"
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "winami sandbox ") || !strings.Contains(lines[0], readmeAddr) {
		t.Fatalf("the README's sandbox section must start with `winami sandbox --listen %s …`; it has %q", readmeAddr, lines)
	}
	addr := freeAddr(t)
	for i := range lines {
		lines[i] = strings.ReplaceAll(lines[i], readmeAddr, addr)
	}

	// A fresh machine: an empty home and working directory with the
	// repository's examples, and no AWS setting inherited from the developer.
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "aws-credentials")}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOCOVERDIR=") || strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	var sandboxOut syncBuffer
	server := exec.CommandContext(ctx, "bash", "-c", "exec "+lines[0])
	server.Dir, server.Env, server.Stdout, server.Stderr = dir, env, &sandboxOut, &sandboxOut
	server.Cancel = func() error { return server.Process.Signal(syscall.SIGINT) }
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = server.Process.Signal(syscall.SIGINT)
		_ = server.Wait()
		t.Logf("sandbox output:\n%s", sandboxOut.String())
	}()
	waitServing(t, ctx, "http://"+addr+"/")

	runUserLines(t, ctx, dir, env, "README line", 2, lines[1:])

	// The banner's own instructions, as the sandbox printed them.
	banner := bannerLines(sandboxOut.String())
	if len(banner) == 0 {
		t.Fatalf("the sandbox printed no instructions:\n%s", sandboxOut.String())
	}
	runUserLines(t, ctx, t.TempDir(), env, "banner line", 1, banner)
}

// runUserLines runs lines in one bash, as a user types them into one terminal,
// so exports carry over; the first failing line fails the test. Lines of a
// CLI that is not installed are left out (the aws CLI must be there in CI).
func runUserLines(t *testing.T, ctx context.Context, dir string, env []string, what string, first int, lines []string) {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for i, line := range lines {
		if tool := missingTool(line); tool != "" {
			if tool == "aws" && os.Getenv("CI") != "" {
				t.Fatalf("the aws CLI is not installed; .ci/run installs it so that %q is run", line)
			}
			t.Logf("%s not installed: not running %q", tool, line)
			continue
		}
		fmt.Fprintf(&script, "echo %s >&2\n%s\n", shellQuote(fmt.Sprintf("--- %s %d: %s", what, first+i, line)), line)
	}
	client := exec.CommandContext(ctx, "bash", "-c", script.String())
	client.Dir, client.Env = dir, env
	out, err := client.CombinedOutput()
	if err != nil {
		t.Fatalf("a %s fails (%v):\n%s", what, err, out)
	}
	t.Logf("%ss ran:\n%s", what, out)
}

// missingTool names the first program of a line (commands joined by && or
// |) that is not installed; winami and shell builtins always are.
func missingTool(line string) string {
	for _, cmd := range strings.FieldsFunc(line, func(r rune) bool { return r == '&' || r == '|' || r == ';' }) {
		fields := strings.Fields(cmd)
		if len(fields) == 0 || fields[0] == "export" || fields[0] == "winami" {
			continue
		}
		if _, err := exec.LookPath(fields[0]); err != nil {
			return fields[0]
		}
	}
	return ""
}

// bannerLines are the indented command lines the sandbox prints after
// "Point any AWS client at it".
func bannerLines(out string) []string {
	var lines []string
	_, rest, ok := strings.Cut(out, "Point any AWS client")
	if !ok {
		return nil
	}
	for _, line := range strings.Split(rest, "\n") {
		if cmd, ok := strings.CutPrefix(line, "  "); ok && strings.TrimSpace(cmd) != "" {
			lines = append(lines, strings.TrimSpace(cmd))
		}
	}
	return lines
}

// readmeSection returns the command lines of the first ```sh block after the
// heading, without comments and blank lines.
func readmeSection(t *testing.T, path, heading string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	inSection, inBlock := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			if inSection && lines != nil {
				return lines
			}
			inSection = line == heading
		case inSection && strings.HasPrefix(line, "```"):
			if inBlock {
				return lines
			}
			inBlock = line == "```sh"
		case inBlock:
			if cmd, _, _ := strings.Cut(line, " #"); strings.TrimSpace(cmd) != "" && !strings.HasPrefix(strings.TrimSpace(cmd), "#") {
				lines = append(lines, strings.TrimSpace(cmd))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s: no ```sh block under %q", path, heading)
	return nil
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitServing(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never answered", url)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// syncBuffer is a bytes.Buffer the sandbox process writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReadmeInstall runs the README's install lines in this clone (the
// clone itself and the cd into it are what the test already stands in),
// with GOBIN in a temporary directory, and runs the installed winami.
func TestReadmeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds winami")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lines := readmeSection(t, filepath.Join(root, "README.md"), "## Install")
	bin := t.TempDir()
	ran := 0
	for _, line := range lines {
		if strings.HasPrefix(line, "git clone ") {
			continue // this checkout is the clone
		}
		cmd := exec.CommandContext(t.Context(), "bash", "-c", line)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOBIN="+bin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("README install line %q fails (%v):\n%s", line, err, out)
		}
		ran++
	}
	if ran == 0 {
		t.Fatalf("the README's Install section has no command to run: %q", lines)
	}
	out, err := exec.CommandContext(t.Context(), filepath.Join(bin, "winami"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "winami") {
		t.Fatalf("the installed winami --version: %v\n%s", err, out)
	}
}
