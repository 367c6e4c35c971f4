package driftcmd

import (
	"context"

	"github.com/winami/winami/internal/cli/cmdutil"
)

// watch runs the exporter (see exporter.go).
func watch(ctx context.Context, app *cmdutil.App, o *options) error {
	return cmdutil.Usagef("--watch is not built yet")
}
