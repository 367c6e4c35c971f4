// Command winami manages the AMIs that Amazon EKS Windows nodes boot from.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/winami/winami/cmd/winami/sandboxcmd"
	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

// main is the composition root: the only product code that reaches the
// sandbox, which it injects into the App for --sandbox and `winami sandbox`.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, sandboxcmd.NewApp(cmdutil.SystemStreams()), os.Args[1:])
	stop()
	os.Exit(code)
}
