package cli

import (
	"bytes"
	"errors"
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

// TestErrorsEscaped: an error carrying an endpoint's or a file's text is
// printed with its control characters escaped and its long lines cut,
// keeping its own line breaks.
func TestErrorsEscaped(t *testing.T) {
	var errOut bytes.Buffer
	app := cmdutil.NewApp(cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	printError(app, nil, errors.New("AWS said: \x1b[2Jgone\rforged\nsecond line "+strings.Repeat("v", 5<<20)))
	got := errOut.String()
	if strings.ContainsAny(got, "\x1b\r") || !strings.Contains(got, `\x1b[2Jgone\rforged`) {
		t.Errorf("control characters reach the terminal: %q", got[:min(len(got), 200)])
	}
	if strings.Count(got, "\n") != 2 || len(got) > 3000 {
		t.Errorf("want 2 lines, the second cut: %d lines, %d bytes", strings.Count(got, "\n"), len(got))
	}
}
