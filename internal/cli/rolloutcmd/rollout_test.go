package rolloutcmd

import (
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/rollout"
)

func valid() *options {
	return &options{cluster: "demo", ami: "ami-0123456789abcdef0", timeout: rollout.DefaultTimeout, poll: rollout.DefaultPoll}
}

// TestValidate: every bad flag is refused with a line naming the flag,
// before anything is built or called.
func TestValidate(t *testing.T) {
	if err := valid().validate(); err != nil {
		t.Fatalf("valid flags: %v", err)
	}
	cases := []struct {
		name string
		edit func(o *options)
		want string
	}{
		{"no cluster", func(o *options) { o.cluster = "" }, "one of --cluster or --kubeconfig"},
		{"both clusters", func(o *options) { o.kubeconfig = "/k" }, "give one"},
		{"bad cluster name", func(o *options) { o.cluster = "bad name!" }, `--cluster "bad name!"`},
		{"context without kubeconfig", func(o *options) { o.context = "prod" }, "--context goes with --kubeconfig"},
		{"no target", func(o *options) { o.ami = "" }, "one of --ami, -f (with --channel) or --latest"},
		{"two targets", func(o *options) { o.latest = true }, "one of --ami"},
		{"bad AMI", func(o *options) { o.ami = "ami-xyz" }, `--ami "ami-xyz" is not an AMI ID`},
		{"channel without spec", func(o *options) { o.ami, o.latest, o.channel = "", true, "stable" }, "--channel goes with -f"},
		{"canary words", func(o *options) { o.canary = "some" }, `--canary "some": a number of nodes`},
		{"canary zero", func(o *options) { o.canary = "0" }, "at least 1 node"},
		{"canary 0%", func(o *options) { o.canary = "0%" }, "from 1% to 100%"},
		{"canary 101%", func(o *options) { o.canary = "101%" }, "from 1% to 100%"},
		{"negative max-unavailable", func(o *options) { o.maxUnavailable = -1 }, "--max-unavailable -1"},
		{"negative warmup", func(o *options) { o.instanceWarmup = -time.Second }, "--instance-warmup -1s: from 0s to 24h"},
		{"zero timeout", func(o *options) { o.timeout = 0 }, "--timeout 0s"},
		{"negative poll", func(o *options) { o.poll = -time.Second }, "--poll -1s"},
		{"poll over timeout", func(o *options) { o.poll, o.timeout = time.Hour, time.Minute }, "longer than --timeout"},
		{"empty group name", func(o *options) { o.nodegroups = []string{"a", ""} }, "--nodegroups: an empty name"},
	}
	for _, c := range cases {
		o := valid()
		c.edit(o)
		err := o.validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is more than one line: %q", c.name, err)
		}
	}
}

func TestParseCanary(t *testing.T) {
	for in, want := range map[string]struct {
		n       int
		percent bool
	}{"": {0, false}, "1": {1, false}, "25": {25, false}, "10%": {10, true}, "100%": {100, true}} {
		n, p, err := parseCanary(in)
		if err != nil || n != want.n || p != want.percent {
			t.Errorf("parseCanary(%q) = %d, %v, %v", in, n, p, err)
		}
	}
}

// TestTarget: the flags become the runner's target mode.
func TestTarget(t *testing.T) {
	if got := (&options{latest: true}).target(); got.Mode != "latest" {
		t.Errorf("--latest: %+v", got)
	}
	if got := (&options{file: "w.yaml", channel: "stable"}).target(); got.Mode != "channel" || got.Channel != "stable" {
		t.Errorf("--channel: %+v", got)
	}
	if got := (&options{ami: "ami-0123456789abcdef0"}).target(); got.Mode != "ami" || got.AMI != "ami-0123456789abcdef0" {
		t.Errorf("--ami: %+v", got)
	}
}
