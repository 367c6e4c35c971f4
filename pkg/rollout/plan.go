package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/pkg/drift"
)

// ErrNoWindowsNodes is a cluster without Windows nodes: nothing to roll.
var ErrNoWindowsNodes = errors.New("the cluster has no Windows nodes: there is nothing to roll out")

// kindOrder is the order groups of each kind are rolled in when the user
// does not name them: managed node groups first (EKS verifies and can fail
// an update by itself), Karpenter last (its drift follows its own budget).
// maxCheckpointDelay is the longest checkpoint wait Auto Scaling takes
// (CheckpointDelay: 0 to 172800 seconds).
const maxCheckpointDelay = 48 * time.Hour

var kindOrder = map[Kind]int{KindNodegroup: 0, KindSelfManaged: 1, KindKarpenter: 2}

// Plan reads the cluster's Windows nodes once, groups them by what
// launched them, asks each group's driver what it would change and lays
// the groups out in waves. It changes nothing.
func (r *Runner) Plan(ctx context.Context, in PlanInput) (*Plan, error) {
	nodes, err := r.Observer.Observe(ctx)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, ErrNoWindowsNodes
	}
	groups := groupNodes(nodes, in.Nodegroups)
	groups, err = only(groups, in.Only, in.Nodegroups)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := r.planGroup(ctx, g, nodes, in); err != nil {
			return nil, err
		}
	}
	p := &Plan{Cluster: in.Cluster, Target: in.Target, Groups: groups}
	var rolled []string
	for _, g := range groups {
		if g.Rolled() {
			rolled = append(rolled, g.ID())
		}
	}
	if len(rolled) > 0 {
		canary := groupByID(groups, rolled[0])
		if n, err := canaryNodes(in.Canary, canary.Nodes); err != nil {
			return nil, err
		} else if n > 0 && n < canary.Nodes && canary.Method == MethodInstanceRefresh {
			// Only an instance refresh can pause part way (a checkpoint);
			// elsewhere the canary is the whole first group.
			canary.CanaryNodes = n
			canary.CheckpointDelay = int32(min(r.timeout(), maxCheckpointDelay).Seconds())
		}
		p.Waves = append(p.Waves, rolled[:1])
		if len(rolled) > 1 {
			p.Waves = append(p.Waves, rolled[1:])
		}
	}
	return p, nil
}

// planGroup decides the group's method and target, and asks its driver.
func (r *Runner) planGroup(ctx context.Context, g *Group, nodes []NodeState, in PlanInput) error {
	if g.Skip != "" {
		return nil
	}
	g.Method = methodOf(g, in.Nodegroups)
	g.MaxUnavailable = in.MaxUnavailable
	if in.InstanceWarmup != nil && g.Kind == KindSelfManaged {
		g.InstanceWarmup = aws.Int32(int32(in.InstanceWarmup.Seconds()))
	}
	if g.Kind == KindKarpenter && in.Target.Mode == "channel" {
		// The node class follows the channel itself: later promotions
		// reach Karpenter's nodes without another rollout.
		g.SSMParameter = in.Target.Parameter
	}
	if in.Resolve != nil {
		if err := in.Resolve(ctx, g); err != nil {
			return fmt.Errorf("%s: %w", g.ID(), err)
		}
	}
	fillFromNodes(&g.Expect, nodes)
	check := r.verify(nodes, g)
	g.Drifted = check.Total - check.Verified
	if check.Total > 0 && check.Old == 0 && len(check.Problems) == 0 && check.Verified == check.Total {
		g.UpToDate = true
		g.Change = "nothing: every node is on " + g.Expect.AMI
		return nil
	}
	d := r.Drivers[g.Method]
	if d == nil {
		g.Skip = fmt.Sprintf("winami cannot roll %s groups (%s) in this run", g.Kind, g.Method)
		return nil
	}
	if err := d.Prepare(ctx, g); err != nil {
		return fmt.Errorf("reading %s: %w", g.ID(), err)
	}
	return nil
}

// verify is the runner's Verify (replaceable in tests).
func (r *Runner) verify(nodes []NodeState, g *Group) Check {
	if r.Verify != nil {
		return r.Verify(nodes, g)
	}
	return Verify(nodes, g)
}

// groupNodes makes one group per owner of Windows nodes, plus the Windows
// managed node groups that have no nodes now.
func groupNodes(nodes []NodeState, nodegroups []drift.Nodegroup) []*Group {
	byID := map[string]*Group{}
	var out []*Group
	add := func(kind Kind, name string) *Group {
		g := &Group{Kind: kind, Name: name}
		if prev := byID[g.ID()]; prev != nil {
			return prev
		}
		byID[g.ID()] = g
		out = append(out, g)
		return g
	}
	for _, n := range nodes {
		g := add(n.OwnerKind, n.OwnerName)
		g.Nodes++
		if n.AMI != "" && !slices.Contains(g.FromAMIs, n.AMI) {
			g.FromAMIs = append(g.FromAMIs, n.AMI)
		}
		if g.Name == "" && g.Skip == "" {
			g.Skip = "its instances belong to no Auto Scaling group, node group or node pool winami knows: replace them by hand"
		}
	}
	for _, ng := range nodegroups {
		if ng.Windows {
			if g := add(KindNodegroup, ng.Name); g.Nodes == 0 {
				g.UpToDate, g.Change = true, "nothing: the node group has no nodes"
			}
		}
	}
	for _, g := range out {
		slices.Sort(g.FromAMIs)
	}
	slices.SortFunc(out, func(a, b *Group) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), strings.Compare(a.Name, b.Name))
	})
	return out
}

// only keeps the named groups, in the order named; a name that is no
// Windows group is an error naming the ones there are.
func only(groups []*Group, names []string, nodegroups []drift.Nodegroup) ([]*Group, error) {
	if len(names) == 0 {
		return groups, nil
	}
	var out []*Group
	for _, name := range names {
		var match []*Group
		for _, g := range groups {
			if g.Name == name || g.ID() == name {
				match = append(match, g)
			}
		}
		switch {
		case len(match) == 1:
			if !slices.Contains(out, match[0]) {
				out = append(out, match[0])
			}
		case len(match) > 1:
			return nil, fmt.Errorf("--nodegroups: %q names more than one group (%s): write it as kind/name", name, ids(match))
		default:
			for _, ng := range nodegroups {
				if ng.Name == name && !ng.Windows {
					return nil, fmt.Errorf("--nodegroups: node group %s is not a Windows node group (amiType %s); Windows groups: %s", name, ng.AMIType, ids(groups))
				}
			}
			return nil, fmt.Errorf("--nodegroups: the cluster has no Windows group %q; Windows groups: %s", name, ids(groups))
		}
	}
	return out, nil
}

func ids(groups []*Group) string {
	var s []string
	for _, g := range groups {
		s = append(s, g.ID())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// Group is the plan's group of that ID (kind/name), or nil.
func (p *Plan) Group(id string) *Group { return groupByID(p.Groups, id) }

func groupByID(groups []*Group, id string) *Group {
	for _, g := range groups {
		if g.ID() == id {
			return g
		}
	}
	return nil
}

// methodOf is how a group is rolled: a managed node group by its launch
// template when EKS lets it name an AMI (amiType CUSTOM), else by EKS
// release; self-managed groups by instance refresh; node pools through
// their node class.
func methodOf(g *Group, nodegroups []drift.Nodegroup) Method {
	switch g.Kind {
	case KindSelfManaged:
		return MethodInstanceRefresh
	case KindKarpenter:
		return MethodNodeClass
	}
	for _, ng := range nodegroups {
		if ng.Name == g.Name && ng.AMIType != "CUSTOM" {
			return MethodReleaseVersion
		}
	}
	return MethodLaunchTemplate
}

// canaryNodes parses --canary: "N" nodes or "P%" of size (at least one);
// "" is 0 (the whole first group).
func canaryNodes(spec string, size int) (int, error) {
	if spec == "" {
		return 0, nil
	}
	if pct, ok := strings.CutSuffix(spec, "%"); ok {
		p, err := strconv.Atoi(pct)
		if err != nil || p < 1 || p > 100 {
			return 0, fmt.Errorf("--canary %q: a percentage is 1%% to 100%%", spec)
		}
		return max(1, size*p/100), nil
	}
	n, err := strconv.Atoi(spec)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--canary %q: give a number of nodes (1 or more) or a percentage such as 25%%", spec)
	}
	return n, nil
}

// fillFromNodes completes what the AMI does not say about itself (an EKS
// AMI records its Kubernetes minor, not the kubelet patch): the kubelet
// and Windows build most nodes already on the AMI show, as drift decides
// them, so that a node left on an older kubelet patch is replaced too.
func fillFromNodes(e *Expect, nodes []NodeState) {
	if e.AMI == "" {
		return
	}
	kubelets, builds := map[string]int{}, map[string]int{}
	for _, n := range nodes {
		if n.AMI != e.AMI {
			continue
		}
		if n.Kubelet != "" && (e.Kubelet == "" || kubeletMatches(e.Kubelet, n.Kubelet)) {
			kubelets["v"+kubeletCore(n.Kubelet)]++
		}
		if n.WindowsBuild != "" && (e.WindowsBuild == "" || buildMatches(e.WindowsBuild, n.WindowsBuild)) {
			builds[n.WindowsBuild]++
		}
	}
	if e.Kubelet == "" || strings.Count(kubeletCore(e.Kubelet), ".") < 2 {
		if k := mostCommon(kubelets); k != "" {
			e.Kubelet = k
		}
	}
	if e.WindowsBuild == "" {
		e.WindowsBuild = mostCommon(builds)
	}
}

// mostCommon is the value counted most often (ties: the greatest, so the
// answer does not depend on map order); "" for none.
func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for v, c := range counts {
		if c > n || (c == n && v > best) {
			best, n = v, c
		}
	}
	return best
}
