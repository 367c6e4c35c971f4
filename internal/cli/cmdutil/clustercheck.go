package cmdutil

import (
	"context"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/pkg/workloads"
)

// ClusterCheck checks the images of the pods on a cluster's Windows nodes
// against a target build, with the registry credentials and routes of the
// cache check (`images check --cluster`, and plan and preflight of a spec
// that changes its Windows version).
func (a *App) ClusterCheck(clients *awsapi.Clients, t workloads.Target) images.ClusterCheck {
	return func(ctx context.Context, target images.HostBuild) (images.ClusterReport, error) {
		r, err := workloads.Connect(ctx, clients, t, a.HTTPLimits())
		if err != nil {
			return images.ClusterReport{}, err
		}
		inv, err := r.Read(ctx)
		if err != nil {
			return images.ClusterReport{}, err
		}
		opts, err := a.ImageCheckerOptions(clients)
		if err != nil {
			return images.ClusterReport{}, err
		}
		rep, err := images.NewChecker(opts).CheckCluster(ctx, target, inv)
		rep.Cluster = t.Name()
		return rep, err
	}
}

// CheckClusterFlag is a usage error when the value of a --cluster flag is
// not an EKS cluster name, before anything is called.
func CheckClusterFlag(flag, name string) error {
	if name == "" || spec.IsClusterName(name) {
		return nil
	}
	return Usagef("%s %q: an EKS cluster name is %s", flag, name, spec.ClusterNameRule)
}
