package rolloutcmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/rollout"
)

// planner is what a run asks of rollout.Runner: an interface so that the
// command's flow is tested with a fake runner.
type planner interface {
	Plan(ctx context.Context, in rollout.PlanInput) (*rollout.Plan, error)
	Apply(ctx context.Context, p *rollout.Plan) (*rollout.Result, error)
}

// env is what one run reaches, built from the App after the flags pass
// (wire.go), or from fakes in tests.
type env struct {
	// Cluster is the EKS cluster's name ("" with --kubeconfig: managed
	// node groups cannot be updated without it).
	Cluster string
	// Report is a drift report against the run's desired state.
	Report func(ctx context.Context) (*drift.Report, error)
	// Observe reads the Windows nodes and the groups they belong to.
	Observe func(ctx context.Context) ([]rollout.NodeState, error)
	// Expect is what nodes of an AMI must show; it refuses an AMI that
	// does not exist.
	Expect func(ctx context.Context, ami string) (rollout.Expect, error)
	// Channel is the -f spec's channel (channel mode): its parameter.
	Parameter string
	// Runner builds the runner, sending its events to events.
	Runner func(events func(rollout.Event)) planner
}

// builder makes a run's env (newDeps in wire.go; fakes in tests).
type builder func(ctx context.Context, o *options) (*env, error)

func run(ctx context.Context, app *cmdutil.App, o *options, build builder) error {
	if err := o.validate(); err != nil {
		return err
	}
	e, err := build(ctx, o)
	if err != nil {
		return err
	}
	before, err := e.Report(ctx)
	if err != nil {
		return err
	}
	nodes, err := e.Observe(ctx)
	if err != nil {
		return err
	}
	if err := checkGroups(o, e.Cluster, nodes, before.Nodegroups); err != nil {
		return err
	}
	target, err := o.resolvedTarget(before, e.Parameter)
	if err != nil {
		return err
	}
	in := rollout.PlanInput{
		Cluster: e.Cluster, Target: target, Nodegroups: before.Nodegroups, Only: o.nodegroups,
		Canary: o.canary, MaxUnavailable: o.maxUnavailable, Resolve: resolver(e, before, target),
	}
	if o.instanceWarmupSet {
		in.InstanceWarmup = &o.instanceWarmup
	}
	out := newRenderer(app)
	r := e.Runner(out.event)
	plan, err := r.Plan(ctx, in)
	if err != nil {
		return err
	}
	if err := out.plan(plan); err != nil {
		return err
	}
	if o.dryRun {
		// As `winami plan` and drift: 2 when the cluster is not yet on
		// the target, so a script can tell "nothing to do" apart.
		if before.Consistent() && !anyRolled(plan) {
			return nil
		}
		return cmdutil.Differences()
	}
	if !anyRolled(plan) {
		if err := out.result(&rollout.Result{Outcome: "nothing-to-do", Groups: plan.Groups}); err != nil {
			return err
		}
	} else {
		if err := app.Confirm(o.autoApprove, fmt.Sprintf("Roll %d group(s) of %s onto the new AMI?", countRolled(plan), clusterName(e.Cluster, o))); err != nil {
			return err
		}
		res, err := r.Apply(ctx, plan)
		out.finish()
		if interrupted(ctx, err) {
			return errInterrupted
		}
		if err != nil {
			return err
		}
		if err := out.result(res); err != nil {
			return err
		}
		if res.Outcome == "failed" {
			// The drift report shows where the nodes are now, then the
			// failure ends the run with exit 1.
			after, derr := e.Report(ctx)
			if derr == nil {
				_ = out.drift(after)
			}
			return failure(res)
		}
	}
	after, err := e.Report(ctx)
	if err != nil {
		return err
	}
	if err := out.drift(after); err != nil {
		return err
	}
	if !after.Consistent() {
		return cmdutil.Differences()
	}
	return nil
}

// failure is the one line a failed rollout ends with.
func failure(res *rollout.Result) error {
	msg := fmt.Sprintf("rollout failed in %s: %s", res.FailedGroup, res.Failure)
	if len(res.PutBack) > 0 {
		msg += "; put back: " + strings.Join(res.PutBack, "; ")
	} else {
		msg += "; nothing was put back (--no-rollback, or nothing had changed)"
	}
	return fmt.Errorf("%s", msg)
}

func anyRolled(p *rollout.Plan) bool { return countRolled(p) > 0 }

func countRolled(p *rollout.Plan) int {
	n := 0
	for _, g := range p.Groups {
		if g.Rolled() {
			n++
		}
	}
	return n
}

func clusterName(cluster string, o *options) string {
	if cluster != "" {
		return "cluster " + cluster
	}
	if o.context != "" {
		return "context " + o.context
	}
	return "the cluster of " + o.kubeconfig
}

// checkGroups refuses, before anything is planned, a cluster without
// Windows nodes and --nodegroups names that are not Windows groups.
func checkGroups(o *options, cluster string, nodes []rollout.NodeState, managed []drift.Nodegroup) error {
	where := clusterName(cluster, o)
	if len(nodes) == 0 {
		return fmt.Errorf("%s has no Windows nodes (label kubernetes.io/os=windows): nothing to roll out", where)
	}
	windows := map[string]bool{}
	for _, n := range nodes {
		if n.OwnerName != "" {
			windows[n.OwnerName] = true
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range windows {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range o.nodegroups {
		if windows[name] {
			continue
		}
		have := "its Windows groups are " + strings.Join(names, ", ")
		if len(names) == 0 {
			have = "no Windows node has a group"
		}
		if i := slices.IndexFunc(managed, func(g drift.Nodegroup) bool { return g.Name == name }); i >= 0 && !managed[i].Windows {
			return cmdutil.Usagef("--nodegroups %s: node group %s of %s is not a Windows node group (AMI type %s); %s", name, name, where, managed[i].AMIType, have)
		}
		return cmdutil.Usagef("--nodegroups %s: %s has no Windows group of that name; %s", name, where, have)
	}
	return nil
}

// resolvedTarget completes the target from the drift report made against
// it: the channel's or the spec's AMI in the cluster's region.
func (o *options) resolvedTarget(before *drift.Report, parameter string) (rollout.Target, error) {
	t := o.target()
	switch before.Desired.Mode {
	case "channel":
		t.AMI, t.Parameter = before.Desired.AMI, parameter
	case "spec":
		t.AMI = before.Desired.AMI
	}
	if t.Mode != "latest" && t.AMI == "" {
		return t, fmt.Errorf("could not tell the target AMI in %s", before.Region)
	}
	return t, nil
}

// resolver fills each group's expectations: the target AMI's, or in latest
// mode the newest EKS release of the group's own Windows version and
// edition, as the drift report found it. Each AMI is read once.
func resolver(e *env, before *drift.Report, t rollout.Target) func(ctx context.Context, g *rollout.Group) error {
	var mu sync.Mutex
	seen := map[string]rollout.Expect{}
	return func(ctx context.Context, g *rollout.Group) error {
		ami := t.AMI
		if t.Mode == "latest" {
			rel, ok := latestOf(before, g.FromAMIs)
			if !ok {
				g.Skip = "its nodes do not run an EKS optimized AMI, so --latest names none for it: use --ami or -f"
				return nil
			}
			ami, g.ReleaseVersion = rel.AMI, rel.ReleaseVersion
		}
		mu.Lock()
		exp, ok := seen[ami]
		mu.Unlock()
		if !ok {
			var err error
			if exp, err = e.Expect(ctx, ami); err != nil {
				return err
			}
			mu.Lock()
			seen[ami] = exp
			mu.Unlock()
		}
		g.Expect = exp
		return nil
	}
}

// latestOf is the newest EKS release for nodes on the given AMIs: the key
// (Windows version, edition, the control plane's Kubernetes) of the first
// AMI whose name is an EKS optimized one.
func latestOf(r *drift.Report, from []string) (drift.LatestRelease, bool) {
	kubernetes := ""
	if parts := strings.SplitN(strings.TrimPrefix(r.ControlPlane, "v"), ".", 3); len(parts) >= 2 {
		kubernetes = parts[0] + "." + strings.TrimRightFunc(parts[1], func(c rune) bool { return c < '0' || c > '9' })
	}
	for _, ami := range from {
		for _, n := range r.Nodes {
			if n.AMI != ami {
				continue
			}
			key, _, err := eksami.ParseAMIName(n.AMIName)
			if err != nil {
				continue
			}
			if kubernetes != "" {
				key.Kubernetes = kubernetes
			}
			if rel, ok := r.Desired.Latest[key.String()]; ok {
				return rel, true
			}
		}
	}
	return drift.LatestRelease{}, false
}
