package sandboxcmd

import (
	"testing"
	"time"

	"github.com/winami/winami/internal/cli/cmdutil"
)

// --rollout-pace 0s is an instant rollout; without the flag (or with a
// negative pace) the sandbox keeps its default pace.
func TestRolloutPaceFlag(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		pace    time.Duration
		instant bool
	}{
		{nil, 0, false},
		{[]string{"--rollout-pace", "0s"}, 0, true},
		{[]string{"--rollout-pace", "-1s"}, -time.Second, false},
		{[]string{"--rollout-pace", "50ms"}, 50 * time.Millisecond, false},
	} {
		app := cmdutil.NewApp(cmdutil.IOStreams{})
		o := &options{}
		cmd := newCmd(app, o)
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		o.readFlags(cmd)
		if got := o.sandboxOptions(app); got.RolloutPace != tt.pace || got.InstantRollout != tt.instant {
			t.Errorf("%v: pace %v, instant %v; want %v, %v", tt.args, got.RolloutPace, got.InstantRollout, tt.pace, tt.instant)
		}
	}
}
