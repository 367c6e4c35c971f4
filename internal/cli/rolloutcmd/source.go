package rolloutcmd

import (
	"context"

	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/release"
	"github.com/winami/winami/pkg/spec"
)

// newDeps wires a run to AWS and the cluster, reaching them as drift does:
// the drift reports before and after, then the rollout's own clients
// (wireRollout).
func newDeps(app *cmdutil.App) builder {
	return func(ctx context.Context, o *options) (*env, error) {
		clients, err := app.Clients(ctx)
		if err != nil {
			return nil, err
		}
		region := app.Globals.Region
		if region == "" && o.cluster != "" {
			region = clients.Region()
		}
		opts := drift.Options{Cluster: o.cluster, Region: region, DesiredAMI: o.ami, Latest: o.latest}
		e := &env{Cluster: o.cluster}
		switch {
		case o.channel != "":
			s, err := app.LoadSpec(o.file)
			if err != nil {
				return nil, err
			}
			ch, err := channelOf(s, o.channel)
			if err != nil {
				return nil, err
			}
			opts.Channel, e.Parameter = ch, ch.Parameter
		case o.file != "":
			h, err := app.LoadSpecHeader(o.file)
			if err != nil {
				return nil, err
			}
			opts.Spec = h.Name
		}
		cfg, err := o.restConfig(ctx, clients, region)
		if err != nil {
			return nil, err
		}
		drift.Bound(cfg, app.HTTPLimits())
		eksRegion := ""
		if o.cluster != "" {
			eksRegion = region
		}
		src, err := drift.NewSources(clients, cfg, eksRegion)
		if err != nil {
			return nil, err
		}
		// The nodes' region: with --kubeconfig only the first report,
		// from the nodes' zones, tells it.
		at := &region
		e.Report = func(ctx context.Context) (*drift.Report, error) {
			opts.Region = *at
			r, err := drift.Run(ctx, src, opts)
			if err == nil && *at == "" {
				*at = r.Region
			}
			return r, err
		}
		return e, wireRollout(e, o, clients, cfg, src, at)
	}
}

// restConfig reaches the cluster: through EKS with --cluster, else the
// kubeconfig.
func (o *options) restConfig(ctx context.Context, clients *awsapi.Clients, region string) (*rest.Config, error) {
	return drift.ClusterTarget{Cluster: o.cluster, Region: region, Kubeconfig: o.kubeconfig, Context: o.context}.Config(ctx, clients)
}

// channelOf is a spec's release channel, for --channel: the release
// commands' own lookup, so both name a missing channel the same way.
func channelOf(s *spec.Spec, name string) (*drift.Channel, error) {
	cfg, err := release.ConfigFrom(s)
	if err != nil {
		return nil, cmdutil.Usagef("--channel %s: %v", name, err)
	}
	_, ch, err := cfg.Channel(name)
	if err != nil {
		return nil, cmdutil.Usagef("--channel %s: %v", name, err)
	}
	return &drift.Channel{Name: ch.Name, Parameter: ch.Parameter}, nil
}
