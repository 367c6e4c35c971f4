package sandboxcmd

import (
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
)

// --clusters N seeds a fleet whose clusters have --nodes nodes each (20
// when not given); out-of-range sizes are usage errors.
func TestFleetFlags(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		clusters int
		nodes    int
		err      string
	}{
		{[]string{"--clusters", "20", "--nodes", "500"}, 20, 500, ""},
		{[]string{"--clusters", "3"}, 3, 20, ""},
		{[]string{"--nodes", "50000"}, 0, 50000, ""},
		{[]string{"--clusters", "101"}, 0, 0, "--clusters 101 is out of range"},
		{[]string{"--clusters", "-1"}, 0, 0, "--clusters -1 is out of range"},
		{[]string{"--clusters", "2", "--nodes", "50000"}, 0, 0, "--nodes 50000 is out of range with --clusters"},
	} {
		app := cmdutil.NewApp(cmdutil.IOStreams{})
		o := &options{}
		if err := newCmd(app, o).ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		err := o.checkSizes()
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if got := o.sandboxOptions(app); err != nil || got.FleetClusters != tt.clusters || got.ScaleNodes != tt.nodes {
			t.Errorf("%v: %v, clusters %d nodes %d; want %d, %d", tt.args, err, got.FleetClusters, got.ScaleNodes, tt.clusters, tt.nodes)
		}
	}
}
