// Command winami manages the AMIs that Amazon EKS Windows nodes boot from.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/winami/winami/cmd/winami/sandboxcmd"
	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

// main is the composition root: the only product code that reaches the
// sandbox, which it injects into the App for --sandbox and `winami sandbox`.
func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, sandboxcmd.NewApp(cmdutil.SystemStreams()), os.Args[1:])
	stop()
	os.Exit(code)
}

// tuneGC collects garbage less often than Go's default unless GOGC or
// GOMEMLIMIT says otherwise. A run reads replies of megabytes and keeps
// little of them, so at the default (a collection each time the heap
// doubles) a fleet report of 10,000 nodes spent a sixth of its CPU
// collecting; at 4x it spends a third of that, for 146 MB of peak
// memory instead of 110. The soft limit keeps a long `drift --watch`
// of a large fleet from growing past 256 MiB before a collection.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}
