package chart

import (
	"bytes"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
)

// parseArgs parses a container's args with winami's own command tree, as
// the binary in the image would: a flag the chart renders (or a value
// type, say an --interval that is no duration) that winami does not have
// fails here, not in a crash-looping pod.
func parseArgs(t *testing.T, args []string) {
	t.Helper()
	var out bytes.Buffer
	root := cli.NewRootCmd(cmdutil.NewApp(cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}))
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("args %q: %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("args %q: winami %s refuses them: %v", args, cmd.Name(), err)
		return
	}
	if pos := cmd.Flags().Args(); len(pos) != 0 {
		t.Errorf("args %q: winami %s would take %q as arguments", args, cmd.Name(), pos)
	}
}
