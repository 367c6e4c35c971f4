// Command winami manages the AMIs that Amazon EKS Windows nodes boot from.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, cmdutil.NewApp(cmdutil.SystemStreams()), os.Args[1:])
	stop()
	os.Exit(code)
}
