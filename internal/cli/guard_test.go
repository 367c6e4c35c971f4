package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
)

// TestPanicExitsOne: a panic in a command exits 1 (an error), never the
// runtime's 2 (which means "differences found"), with a short message.
func TestPanicExitsOne(t *testing.T) {
	var errOut bytes.Buffer
	app := cmdutil.NewApp(cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	code := guard(app, func() int {
		var m map[string]*int
		return *m["missing"]
	})
	if code != cmdutil.ExitError {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitError)
	}
	if msg := errOut.String(); !strings.Contains(msg, "this is a bug") || strings.Contains(msg, "goroutine") {
		t.Errorf("message %q: want a short line without the stack", msg)
	}
}
