package workloads

import (
	"context"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// Target names the cluster to read: an EKS cluster by name (reached as
// drift reaches it: DescribeCluster and an EKS token, in Region or the
// SDK's region), else a kubeconfig and context.
type Target drift.ClusterTarget

// Name is how reports name the target.
func (t Target) Name() string {
	switch {
	case t.Cluster != "":
		return t.Cluster
	case t.Context != "":
		return t.Context
	}
	return t.Kubeconfig
}

// Connect is a Reader of the target's API server, every request bounded
// by limits.
func Connect(ctx context.Context, clients *awsapi.Clients, t Target, limits httpbound.Limits) (Reader, error) {
	cfg, err := drift.ClusterTarget(t).Config(ctx, clients)
	if err != nil {
		return Reader{}, err
	}
	drift.Bound(cfg, limits)
	kube, err := drift.KubeClient(cfg)
	if err != nil {
		return Reader{}, err
	}
	return Reader{Nodes: drift.LeanNodes{Client: kube}, Pods: kube}, nil
}
