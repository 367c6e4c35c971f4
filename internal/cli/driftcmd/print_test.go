package driftcmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/drift"
)

// TestPrintEscapesNodeFields: what nodes report (name, kubelet, kernel,
// reasons built from them) reaches the terminal with its control
// characters escaped, so a node cannot forge report lines.
func TestPrintEscapesNodeFields(t *testing.T) {
	evil := "v1.35.2\n  ip-10-0-0-1 ok: \x1b[32mall good\x1b[0m\r"
	r := &drift.Report{Region: "us-east-1", ControlPlane: "1.35",
		Groups:  []drift.Group{{AMI: "ami-1", Kubelet: evil, Nodes: []string{"n\n1"}}},
		Nodes:   []drift.Node{{Name: "n\n1", KubeletVersion: evil, KernelVersion: evil, Reasons: []drift.Reason{{Kind: "kubelet-differs", Detail: "kubelet " + evil}}}},
		Summary: drift.Summary{WindowsNodes: 1, Drifted: 1, Groups: 1}}
	for _, format := range []string{"table", "text"} {
		var out bytes.Buffer
		app := cmdutil.NewApp(cmdutil.IOStreams{Out: &out, ErrOut: &out})
		app.Globals.Output = format
		if err := printReport(app, r); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if strings.ContainsAny(s, "\x1b\r") || strings.Contains(s, "\n  ip-10-0-0-1 ok") {
			t.Errorf("%s: node fields reach the output raw:\n%s", format, s)
		}
	}
}
