package cmdutil

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// /dev/null is a character device, not a terminal: confirm must refuse
// without asking, as it does for a pipe or a file.
func TestConfirmRefusesDevNull(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if IsTerminal(devNull) {
		t.Errorf("IsTerminal(%s) = true", os.DevNull)
	}
	var errOut bytes.Buffer
	app := NewApp(IOStreams{In: devNull, Out: &bytes.Buffer{}, ErrOut: &errOut})
	err = app.Confirm(false, "Apply?")
	if err == nil || !strings.Contains(err.Error(), "pass --auto-approve") {
		t.Errorf("confirm with stdin %s = %v; want the --auto-approve error", os.DevNull, err)
	}
	if errOut.Len() > 0 {
		t.Errorf("confirm asked: %q", errOut.String())
	}
	if err := app.Confirm(true, "Apply?"); err != nil {
		t.Errorf("with --auto-approve: %v", err)
	}
}
