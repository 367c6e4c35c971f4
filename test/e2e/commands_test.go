package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/winami/winami/sandbox"
)

func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"sandbox":    cmdSandbox,
		"freeport":   cmdFreePort,
		"waithttp":   cmdWaitHTTP,
		"jsonfile":   cmdJSONFile,
		"kubeconfig": cmdKubeconfig,
	}
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
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("sandbox: %v", err)
	}
	if *state != "" {
		*state = ts.MkAbs(*state)
	}
	srv, err := sandbox.New(sandbox.Options{Seed: *seed, Faults: *faults, StatePath: *state, BuildPace: *pace})
	ts.Check(err)
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
