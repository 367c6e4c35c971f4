package pipelinecmd

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
)

// /dev/null is a character device, not a terminal: confirm must refuse
// without asking, as it does for a pipe or a file.
func TestConfirmRefusesDevNull(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if isTerminal(devNull) {
		t.Errorf("isTerminal(%s) = true", os.DevNull)
	}
	var errOut bytes.Buffer
	app := cmdutil.NewApp(cmdutil.IOStreams{In: devNull, Out: &bytes.Buffer{}, ErrOut: &errOut})
	err = confirm(app, false, "Apply?")
	if err == nil || !strings.Contains(err.Error(), "pass --auto-approve") {
		t.Errorf("confirm with stdin %s = %v; want the --auto-approve error", os.DevNull, err)
	}
	if errOut.Len() > 0 {
		t.Errorf("confirm asked: %q", errOut.String())
	}
	if err := confirm(app, true, "Apply?"); err != nil {
		t.Errorf("with --auto-approve: %v", err)
	}
}
