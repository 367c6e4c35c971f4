package rolloutcmd

import (
	"context"

	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/rollout"
)

// wireRollout gives e the observer, the AMI reader and the runner, over
// the clients of the nodes' region (*at, known after the first report).
func wireRollout(e *env, o *options, clients *awsapi.Clients, cfg *rest.Config, _ drift.Sources, at *string) error {
	dyn, err := rollout.KarpenterClient(cfg)
	if err != nil {
		return err
	}
	kube, err := drift.KubeClient(cfg)
	if err != nil {
		return err
	}
	// Verification reads status.images and spec.unschedulable, which
	// drift's own lister (src.Nodes) drops.
	nodes := drift.LeanNodes{Client: kube, Images: true}
	// One observer for the command's first look and the runner's polls:
	// the instances it has described stay known (an instance's AMI never
	// changes), so the plan does not describe them all a second time. It
	// is made on first use, when the nodes' region (*at) is known.
	var observer *rollout.KubeObserver
	observe := func() *rollout.KubeObserver {
		if observer == nil {
			observer = rollout.NewKubeObserver(nodes, clients.EC2(*at))
		}
		return observer
	}
	e.Observe = func(ctx context.Context) ([]rollout.NodeState, error) { return observe().Observe(ctx) }
	e.Expect = func(ctx context.Context, ami string) (rollout.Expect, error) {
		return rollout.ExpectOf(ctx, clients.EC2(*at), clients.SSM(*at), ami)
	}
	e.Runner = func(events func(rollout.Event)) planner {
		drivers := map[rollout.Method]rollout.Driver{
			rollout.MethodInstanceRefresh: rollout.NewRefreshDriver(clients.AutoScaling(*at), clients.EC2(*at)),
			rollout.MethodNodeClass:       rollout.NewKarpenterDriver(dyn),
		}
		// Managed node groups are updated through EKS, by cluster name:
		// with --kubeconfig there is none, and the plan skips them.
		if o.cluster != "" {
			ng := rollout.NewNodegroupDriver(clients.EKS(*at), clients.EC2(*at), o.cluster)
			drivers[rollout.MethodLaunchTemplate], drivers[rollout.MethodReleaseVersion] = ng, ng
		}
		return &rollout.Runner{
			Drivers: drivers, Observer: observe(), Clock: clock.Real{},
			Events: events, Poll: o.poll, Timeout: o.timeout, NoRollback: o.noRollback,
		}
	}
	return nil
}
