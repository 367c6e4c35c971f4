package cmdutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IsTerminal reports whether a stream is a terminal: the one test every
// command uses (prompts, live progress lines). A character device is not
// enough: /dev/null is one too, and a command run with </dev/null (cron, CI,
// nohup) must not wait for an answer nobody can type.
func IsTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Confirm asks the question on a terminal and goes on only on "yes";
// elsewhere it refuses unless autoApprove, naming the flag.
func (a *App) Confirm(autoApprove bool, question string) error {
	if autoApprove {
		return nil
	}
	if !IsTerminal(a.IO.In) {
		return Usagef("not on a terminal, so nothing can confirm: pass --auto-approve")
	}
	fmt.Fprintf(a.IO.ErrOut, "\n%s\n  Only 'yes' will be accepted: ", question)
	line, err := bufio.NewReader(a.IO.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("cancelled: nothing was changed")
	}
	return nil
}
