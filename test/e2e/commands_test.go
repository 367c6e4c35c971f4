package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/world"
	"github.com/winami/winami/test/hostile"
)

func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"sandbox":    cmdSandbox,
		"freeport":   cmdFreePort,
		"waithttp":   cmdWaitHTTP,
		"jsonfile":   cmdJSONFile,
		"kubeconfig": cmdKubeconfig,
		"httpget":    cmdHTTPGet,
		"hostile":    cmdHostile,
		"slowpost":   cmdSlowPost,
		"envfrom":    cmdEnvFrom,
		"sleep":      cmdSleep,
	}
}

// envfrom NAME FILE REGEXP sets NAME to REGEXP's first group in FILE (say,
// an AMI ID from a command's JSON output kept with cp stdout FILE), for a
// later command's arguments.
func cmdEnvFrom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: envfrom NAME FILE REGEXP")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile(args[1]))
	if len(m) < 2 {
		ts.Fatalf("%s: no match for %s", args[1], args[2])
	}
	ts.Setenv(args[0], m[1])
}

// sandbox [-seed N] [-faults SPEC] [-state FILE] [-pace D] starts a sandbox for the
// rest of the script and points the AWS environment variables at it, as a
// user does with a standalone `winami sandbox`.
func cmdSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandbox")
	}
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	seed := fs.Int64("seed", 1, "")
	faults := fs.String("faults", "", "")
	state := fs.String("state", "", "")
	pace := fs.Duration("pace", 0, "")
	rolloutPace := fs.Duration("rollout-pace", 0, "")
	noWindows := fs.Bool("no-windows", false, "")
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("sandbox: %v", err)
	}
	if *state != "" {
		*state = ts.MkAbs(*state)
	}
	srv, err := sandbox.New(sandbox.Options{Seed: *seed, Faults: *faults, StatePath: *state, BuildPace: *pace, RolloutPace: *rolloutPace})
	ts.Check(err)
	// BAD_AMI is the seeded broken AMI (its nodes never become Ready);
	// -no-windows takes the demo cluster's Windows nodes away, as a cluster
	// that never had any.
	ts.Check(srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		if img := r.ImageByName(world.BadAMIName); img != nil {
			ts.Setenv("BAD_AMI", img.ImageID)
		}
		if c := r.Clusters[world.DemoCluster]; *noWindows && c != nil {
			for _, n := range slices.Clone(c.Nodes) {
				if n.Labels["kubernetes.io/os"] == "windows" {
					c.DeleteNode(n.Name)
				}
			}
		}
		return nil
	}))
	url, err := srv.Start("127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	ts.Setenv("SANDBOX_URL", url)
	ts.Setenv("AWS_ENDPOINT_URL", url)
	ts.Setenv("AWS_ACCESS_KEY_ID", "test")
	ts.Setenv("AWS_SECRET_ACCESS_KEY", "test")
}

// freeport VAR sets VAR to a loopback port that was free a moment ago.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ts.Check(ln.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

// sleep D waits D (a Go duration): the time a background command takes
// to be under way before a scenario interrupts it.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// waithttp URL waits up to 10s for anything to answer HTTP at URL.
func cmdWaitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waithttp URL")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Post(args[0], "application/x-www-form-urlencoded", nil)
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("nothing answered at %s within 10s", args[0])
}

// jsonfile FILE fails unless FILE holds one valid JSON document.
func cmdJSONFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: jsonfile FILE")
	}
	var v any
	err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &v)
	switch {
	case neg && err == nil:
		ts.Fatalf("%s is valid JSON", args[0])
	case !neg && err != nil:
		ts.Fatalf("%s: %v", args[0], err)
	}
}

// httpget [-status N] [-match REGEXP] URL waits up to 10s for URL to
// answer a GET with status N (default 200) and a body REGEXP matches, and
// writes the body on stdout: long-running commands (the drift exporter)
// answer what they know only after a while.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! httpget (use -status)")
	}
	fs := flag.NewFlagSet("httpget", flag.ContinueOnError)
	status := fs.Int("status", http.StatusOK, "")
	match := fs.String("match", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		ts.Fatalf("usage: httpget [-status N] [-match REGEXP] URL")
	}
	re, err := regexp.Compile(*match)
	ts.Check(err)
	url := fs.Arg(0)
	deadline := time.Now().Add(10 * time.Second)
	last := "no answer"
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == *status && re.Match(body) {
				_, _ = ts.Stdout().Write(body)
				return
			}
			last = resp.Status + ": " + string(body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("GET %s: no status %d within 10s; last: %s", url, *status, last)
}

// hostile MODE VAR starts a misbehaving endpoint (test/hostile) for the rest
// of the script and sets VAR to its URL. MODE: hang, headers (then
// nothing), trickle (a byte a second), html (a 200 page), endless (a body
// without end), empty (well-formed AWS replies with no members).
func cmdHostile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: hostile MODE VAR")
	}
	t := scriptTB{ts: ts}
	var url string
	switch args[0] {
	case "hang":
		url = hostile.Hang(t)
	case "headers":
		url = hostile.HeadersThenHang(t, "application/x-amz-json-1.1")
	case "trickle":
		url = hostile.Trickle(t, "text/xml", "<DescribeImagesResponse>"+strings.Repeat(" ", 10000), time.Second)
	case "html":
		url = hostile.Reply(t, 200, "text/html", hostile.HTMLPage)
	case "endless":
		url = hostile.Endless(t, "application/json", "{")
	case "empty":
		url = hostile.Empty(t)
	default:
		ts.Fatalf("hostile: unknown mode %q", args[0])
	}
	ts.Setenv(args[1], url)
}

// scriptTB lends a script the parts of testing.TB that test/hostile uses.
type scriptTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (s scriptTB) Helper()                   {}
func (s scriptTB) Cleanup(f func())          { s.ts.Defer(f) }
func (s scriptTB) Fatalf(f string, a ...any) { s.ts.Fatalf(f, a...) }

// slowpost URL starts a POST to URL that announces 1000 bytes and sends one
// a second, for the rest of the script: a client holding a request open.
func cmdSlowPost(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: slowpost URL")
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts.Defer(cancel)
	pr, pw := io.Pipe()
	go func() {
		defer pw.Close()
		for i := 0; i < 1000; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			if _, err := pw.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, args[0], pr)
	ts.Check(err)
	req.ContentLength = 1000
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.PutParameter")
	started := make(chan struct{})
	go func() {
		close(started)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	time.Sleep(time.Second) // net/http sends the headers once the body has been slow for 200 ms
}
