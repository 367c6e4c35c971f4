package pipelinecmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/pipeline"
)

// apply's table lists the components in one order, by name, every time.
func TestPrintAppliedOrdersComponents(t *testing.T) {
	a := &pipeline.Applied{Components: map[string]string{}}
	var names []string
	for i := range 12 {
		n := fmt.Sprintf("winami-ci-c%02d", i)
		names = append(names, n)
		a.Components[n] = "arn:" + n
	}
	for range 5 {
		var out strings.Builder
		app := cmdutil.NewApp(cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &strings.Builder{}})
		if err := printApplied(app, a); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(out.String(), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == string(pipeline.KindComponent) {
				got = append(got, f[1])
			}
		}
		if strings.Join(got, " ") != strings.Join(names, " ") {
			t.Fatalf("components in the order %v, want %v", got, names)
		}
	}
}
