// Package rolloutcmd is `winami rollout`: bring a cluster's Windows nodes
// onto one AMI in verified waves, then report drift against that AMI.
package rolloutcmd

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/pkg/rollout"
)

type options struct {
	cluster, kubeconfig, context string
	ami, file, channel           string
	latest                       bool
	nodegroups                   []string
	canary                       string
	maxUnavailable               int
	instanceWarmup               time.Duration
	instanceWarmupSet            bool
	timeout, poll                time.Duration
	dryRun, autoApprove          bool
	noRollback                   bool
}

// NewCmd builds `winami rollout`.
func NewCmd(app *cmdutil.App) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "rollout (--cluster NAME | --kubeconfig FILE [--context C]) (--ami AMI | -f winami.yaml [--channel C] | --latest) [flags]",
		Short: "Bring a cluster's Windows nodes onto one AMI in verified waves, with rollback",
		Long: `Move every Windows node group of a cluster onto one AMI:

  managed node group with a launch template   a new template version (only ImageId differs),
                                              then UpdateNodegroupVersion
  managed node group on an EKS Windows type   UpdateNodegroupVersion to the release (--latest)
  self-managed Auto Scaling group             a new template version, then an instance refresh
  Karpenter EC2NodeClass                      amiSelectorTerms set to the AMI; Karpenter's
                                              drift replaces the nodes

The plan is printed first (--dry-run stops there: exit 0 when every Windows node is already
on the AMI, 2 otherwise). On a terminal winami asks before changing anything; elsewhere pass
--auto-approve. The canary wave goes first (--canary: N nodes, P% of the first group, or by
default the whole first group), then the rest. A wave counts when its new nodes are Ready, run
the AMI, and show the expected kubelet, Windows build and cached images. A wave that does not
within --timeout stops the rollout and what changed is put back (not with --no-rollback).

Ctrl-C stops following only: the changes go on in AWS. Run the same command again to follow
them: it finds them in flight and starts nothing twice.

It ends with a drift report against the same AMI. Exit status: 0 every Windows node is on
the AMI, 2 drift remains (groups left out, skipped), 1 a failure (with what was put back).`,
		Example: `  winami rollout --cluster prod-eks --ami ami-0abcdef1234567890 --dry-run
  winami rollout --cluster prod-eks -f winami.yaml --channel stable --canary 1
  winami rollout --cluster prod-eks --latest --nodegroups windows-ng --auto-approve -o json
  winami --sandbox rollout --cluster demo --latest --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.instanceWarmupSet = cmd.Flags().Changed("instance-warmup")
			return run(cmd.Context(), app, o, newDeps(app))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cluster, "cluster", "", "EKS cluster name (endpoint and token through the AWS credentials)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (its exec plugins run as kubectl runs them)")
	f.StringVar(&o.context, "context", "", "with --kubeconfig, the context (default: the current one)")
	f.StringVar(&o.ami, "ami", "", "the AMI to bring every Windows node onto")
	f.StringVarP(&o.file, "file", "f", "", "a spec: its newest AMI (or its --channel's) is the target")
	f.StringVar(&o.channel, "channel", "", "with -f, the release channel whose AMI is the target")
	f.BoolVar(&o.latest, "latest", false, "each group's newest EKS optimized release is its target")
	f.StringSliceVar(&o.nodegroups, "nodegroups", nil, "only these groups (node group, Auto Scaling group or node pool names)")
	f.StringVar(&o.canary, "canary", "", "the first wave: N nodes or P% of the first group (default: the whole first group)")
	f.IntVar(&o.maxUnavailable, "max-unavailable", 0, "nodes replaced at once in each group (default: the group's own setting)")
	f.DurationVar(&o.instanceWarmup, "instance-warmup", 0, "how long an instance refresh of a self-managed group waits for each new instance before going on (default: the group's health check grace period)")
	f.DurationVar(&o.timeout, "timeout", rollout.DefaultTimeout, "how long a wave has to verify")
	f.DurationVar(&o.poll, "poll", rollout.DefaultPoll, "how often changes and nodes are read")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the plan; change nothing")
	f.BoolVar(&o.autoApprove, "auto-approve", false, "roll out without asking")
	f.BoolVar(&o.noRollback, "no-rollback", false, "leave a failed wave as it is")
	cmdutil.NeedsFlag(f, "channel", "file")
	cmdutil.NeedsFlag(f, "context", "kubeconfig")
	cmd.MarkFlagsMutuallyExclusive("cluster", "kubeconfig")
	cmd.MarkFlagsMutuallyExclusive("ami", "file", "latest")
	cmdutil.SupportsFormats(cmd, output.Table, output.Text, output.JSON)
	return cmd
}

// validate checks the flags before anything is called.
func (o *options) validate() error {
	if o.cluster == "" && o.kubeconfig == "" {
		return cmdutil.Usagef("one of --cluster or --kubeconfig is required")
	}
	if o.cluster != "" && o.kubeconfig != "" {
		return cmdutil.Usagef("--cluster and --kubeconfig name the cluster twice: give one")
	}
	if err := cmdutil.CheckClusterFlag("--cluster", o.cluster); err != nil {
		return err
	}
	if o.context != "" && o.kubeconfig == "" {
		return cmdutil.Usagef("--context goes with --kubeconfig")
	}
	targets := 0
	for _, given := range []bool{o.ami != "", o.file != "", o.latest} {
		if given {
			targets++
		}
	}
	if targets != 1 {
		return cmdutil.Usagef("say which AMI to roll out: one of --ami, -f (with --channel) or --latest")
	}
	if o.ami != "" {
		if err := cmdutil.CheckAMIID("--ami ", o.ami); err != nil {
			return err
		}
	}
	if o.channel != "" && o.file == "" {
		return cmdutil.Usagef("--channel goes with -f, the spec that names the channel")
	}
	if _, _, err := parseCanary(o.canary); err != nil {
		return err
	}
	if o.maxUnavailable < 0 {
		return cmdutil.Usagef("--max-unavailable %d: a number of nodes, at least 1 (0 or unset: each group's own setting)", o.maxUnavailable)
	}
	if o.instanceWarmup < 0 || o.instanceWarmup > 24*time.Hour {
		return cmdutil.Usagef("--instance-warmup %s: from 0s to 24h", o.instanceWarmup)
	}
	if o.timeout <= 0 {
		return cmdutil.Usagef("--timeout %s: must be more than 0 (e.g. 45m)", o.timeout)
	}
	if o.poll <= 0 {
		return cmdutil.Usagef("--poll %s: must be more than 0 (e.g. 15s)", o.poll)
	}
	if o.poll > o.timeout {
		return cmdutil.Usagef("--poll %s is longer than --timeout %s: a wave would time out before its first reading", o.poll, o.timeout)
	}
	for _, n := range o.nodegroups {
		if strings.TrimSpace(n) == "" {
			return cmdutil.Usagef("--nodegroups: an empty name (give names separated by commas, e.g. --nodegroups ng-a,ng-b)")
		}
	}
	return nil
}

// parseCanary reads --canary: "" (the whole first group), "N" nodes or
// "P%" of the first group, 1..100.
func parseCanary(s string) (n int, percent bool, err error) {
	if s == "" {
		return 0, false, nil
	}
	num, percent := strings.CutSuffix(s, "%")
	v, convErr := strconv.Atoi(num)
	switch {
	case convErr != nil:
		return 0, false, cmdutil.Usagef("--canary %q: a number of nodes (3) or a percentage of the first group (10%%)", s)
	case percent && (v < 1 || v > 100):
		return 0, false, cmdutil.Usagef("--canary %q: a percentage from 1%% to 100%%", s)
	case !percent && v < 1:
		return 0, false, cmdutil.Usagef("--canary %q: at least 1 node", s)
	}
	return v, percent, nil
}

// target is the rollout's target as the runner names it.
func (o *options) target() rollout.Target {
	switch {
	case o.latest:
		return rollout.Target{Mode: "latest"}
	case o.channel != "":
		return rollout.Target{Mode: "channel", Channel: o.channel}
	}
	return rollout.Target{Mode: "ami", AMI: o.ami}
}

// errInterrupted is how Ctrl-C ends a rollout: nothing is stopped in AWS.
var errInterrupted = errors.New("interrupted: winami stopped following, the changes go on in AWS; run the same command again to follow them (it finds them in flight and starts nothing twice)")

// interrupted reports that the user stopped winami (the context ended)
// rather than a call failing.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ctx.Err()))
}
