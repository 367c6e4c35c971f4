// Package driftcmd is `winami drift`: where a cluster's Windows nodes
// differ in AMI, Windows build and kubelet version, as a report or as a
// long-running exporter.
package driftcmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/release"
	"github.com/winami/winami/pkg/spec"
)

type options struct {
	cluster, kubeconfig, context string
	desiredAMI, file, channel    string
	latest                       bool
	failOn                       string
	watch                        bool
	interval                     time.Duration
	metricsAddr                  string
	fleet                        fleetFlags
	// getenv reads the environment (os.Getenv; a map in tests): inside a
	// pod, KUBERNETES_SERVICE_HOST says the in-cluster config works.
	getenv func(string) string
}

// inCluster reports that neither --cluster nor --kubeconfig is given and
// the process runs in a pod, where the service account reaches the API.
func (o *options) inCluster() bool {
	return o.cluster == "" && o.kubeconfig == "" && !o.fleet.on() && o.getenv("KUBERNETES_SERVICE_HOST") != ""
}

// NewCmd builds `winami drift`.
func NewCmd(app *cmdutil.App) *cobra.Command {
	o := &options{getenv: os.Getenv}
	cmd := &cobra.Command{
		Use:   "drift (--cluster NAME | --kubeconfig FILE [--context C] | --all-clusters | --clusters A,B | in a pod) [--desired-ami AMI | -f winami.yaml | --latest]",
		Short: "Report where a cluster's Windows nodes differ in AMI, Windows build and kubelet version",
		Long: `Read the cluster's Windows nodes (label kubernetes.io/os=windows, in pages of 500), their
instances (DescribeInstances, 1000 IDs a call) and AMIs (DescribeImages, 100 a call), and
compare each node with the desired state:

  --desired-ami AMI   that AMI
  -f winami.yaml      the newest AMI the spec built (in the cluster's region)
  -f winami.yaml --channel stable
                      the AMI the spec's release channel holds (in the cluster's region)
  --latest            the newest EKS optimized release for the cluster's Kubernetes version
                      and each node's Windows version and edition
  (none)              what most nodes run

Nodes are grouped by (AMI, kubelet, Windows build); each drifted node is listed with typed
reasons: ami-differs, ami-not-latest, kubelet-differs, kubelet-behind-control-plane (beyond
the supported skew), os-build-differs, unknown-instance, not-ready. With --cluster, the
cluster is reached with EKS DescribeCluster and a token made as 'aws eks get-token' makes
it, and its managed node groups are shown with the ones behind. In a pod, without either
flag, the pod's service account reaches the API server (the in-cluster config) and
--region or AWS_REGION says the region (else the nodes' zones do).

With --all-clusters (or --clusters A,B), every EKS cluster of --regions (default --region;
"all") in each of --profiles (default the current credentials) is read, --parallel at a
time in each profile and region (64 at most in all), with the same desired state, and
summed up in one row: Windows nodes, on the desired AMI, drifted by reason, node groups
behind, the newest and oldest AMI's age in days. A cluster that cannot be read is a row
with its reason. --details (and -o json/yaml) add each cluster's full report.

Exit status: 0 consistent, 2 drift (of the kinds --fail-on names; with --all-clusters also
a cluster that cannot be read), 1 an error (with --all-clusters: no cluster could be read).

With --watch, winami runs as an exporter: a report every --interval, Prometheus metrics and
/healthz on --metrics-addr, until SIGTERM (see deploy/ for a Deployment).`,
		Example: `  winami drift --cluster prod-eks --region us-east-1
  winami drift --kubeconfig ~/.kube/config --context prod --latest -o json
  winami drift --cluster prod-eks -f winami.yaml --fail-on ami
  winami drift --cluster prod-eks -f winami.yaml --channel stable
  winami drift --all-clusters --regions us-east-1,eu-west-1 --profiles prod,partner --latest
  winami drift --clusters prod-eks,batch-eks -o json
  winami drift --cluster prod-eks --watch --interval 5m --metrics-addr 127.0.0.1:9464
  winami drift --all-clusters --regions all --watch
  winami --sandbox drift --cluster demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), app, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.cluster, "cluster", "", "EKS cluster name (endpoint and token through the AWS credentials)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (its exec plugins run as kubectl runs them)")
	f.StringVar(&o.context, "context", "", "kubeconfig context (default: the current one)")
	f.StringVar(&o.desiredAMI, "desired-ami", "", "the AMI every Windows node should run")
	f.StringVarP(&o.file, "file", "f", "", "a spec: its newest AMI is the desired one")
	f.BoolVar(&o.latest, "latest", false, "the newest EKS optimized release is the desired AMI")
	f.StringVar(&o.channel, "channel", "", "with -f, the release channel whose AMI is the desired one")
	f.StringVar(&o.failOn, "fail-on", "any", "which drift exits 2: any, ami, kubelet or os-build")
	f.BoolVar(&o.watch, "watch", false, "run as an exporter until stopped")
	f.DurationVar(&o.interval, "interval", 5*time.Minute, "with --watch, time between two reports")
	f.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:9464", "with --watch, where to serve /metrics and /healthz")
	cmdutil.SupportsFormats(cmd, output.Table, output.JSON, output.YAML, output.Text, output.HTML)
	o.fleet.add(f)
	cmdutil.NeedsFlag(f, "channel", "file")
	cmdutil.NeedsFlag(f, "interval", "watch")
	cmdutil.NeedsFlag(f, "metrics-addr", "watch")
	// One of --cluster and --kubeconfig is required outside a pod; validate
	// checks it, since cobra cannot know about the in-cluster config.
	cmd.MarkFlagsMutuallyExclusive("cluster", "kubeconfig")
	cmd.MarkFlagsMutuallyExclusive("desired-ami", "file", "latest")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"any", "ami", "kubelet", "os-build"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// validate checks the flags before anything is called.
func (o *options) validate() error {
	if err := o.validateFleet(); err != nil {
		return err
	}
	if o.cluster == "" && o.kubeconfig == "" && !o.fleet.on() && !o.inCluster() {
		return cmdutil.Usagef("one of --cluster or --kubeconfig is required (or --all-clusters or --clusters for many clusters; in a pod, where KUBERNETES_SERVICE_HOST is set, none: the pod's service account is used)")
	}
	if err := cmdutil.CheckClusterFlag("--cluster", o.cluster); err != nil {
		return err
	}
	if o.desiredAMI != "" {
		if err := cmdutil.CheckAMIID("--desired-ami ", o.desiredAMI); err != nil {
			return err
		}
	}
	if o.context != "" && o.kubeconfig == "" && o.cluster != "" {
		return cmdutil.Usagef("--context goes with --kubeconfig")
	}
	switch o.failOn {
	case "any", "ami", "kubelet", "os-build":
	default:
		return cmdutil.Usagef("--fail-on %q: use any, ami, kubelet or os-build", o.failOn)
	}
	if o.watch && o.interval < 10*time.Second {
		return cmdutil.Usagef("--interval %s: at least 10s, so the API servers are not hammered", o.interval)
	}
	return nil
}

// source builds what a run reads from; it is called again for every
// report of --watch, so EKS tokens (valid 15 minutes) are always fresh.
func (o *options) source(ctx context.Context, app *cmdutil.App) (drift.Sources, drift.Options, error) {
	clients, err := app.Clients(ctx)
	if err != nil {
		return drift.Sources{}, drift.Options{}, err
	}
	region := app.Globals.Region
	if region == "" && (o.cluster != "" || o.inCluster()) {
		// The SDK's region: AWS_REGION, which IRSA and EKS Pod Identity
		// set in a pod.
		region = clients.Region()
	}
	opts, err := o.driftOptions(app)
	if err != nil {
		return drift.Sources{}, drift.Options{}, err
	}
	opts.Cluster, opts.Region = o.cluster, region
	restCfg, err := o.restConfig(ctx, clients, region, app.HTTPLimits())
	if err != nil {
		return drift.Sources{}, drift.Options{}, err
	}
	eksRegion := ""
	if o.cluster != "" {
		eksRegion = region
	}
	src, err := drift.NewSources(clients, restCfg, eksRegion)
	return src, opts, err
}

// driftOptions are the desired state the flags name (--desired-ami, -f,
// --channel, --latest), for one cluster or every one of a fleet.
func (o *options) driftOptions(app *cmdutil.App) (drift.Options, error) {
	opts := drift.Options{DesiredAMI: o.desiredAMI, Latest: o.latest}
	switch {
	case o.channel != "":
		// The release section names the channel's parameter.
		s, err := app.LoadSpec(o.file)
		if err != nil {
			return drift.Options{}, err
		}
		ch, err := channelOf(s, o.channel)
		if err != nil {
			return drift.Options{}, err
		}
		opts.Channel = ch
	case o.file != "":
		// Only the name: drift finds the spec's AMIs, it builds nothing.
		s, err := app.LoadSpecHeader(o.file)
		if err != nil {
			return drift.Options{}, err
		}
		opts.Spec = s.Name
	}
	return opts, nil
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

// restConfig reaches the cluster: through EKS with --cluster, the pod's
// service account in a pod, else the kubeconfig.
func (o *options) restConfig(ctx context.Context, clients *awsapi.Clients, region string, limits httpbound.Limits) (*rest.Config, error) {
	cfg, err := o.unboundRestConfig(ctx, clients, region)
	if err == nil {
		drift.Bound(cfg, limits)
	}
	return cfg, err
}

func (o *options) unboundRestConfig(ctx context.Context, clients *awsapi.Clients, region string) (*rest.Config, error) {
	if o.inCluster() {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("reading the in-cluster config (the pod's service account): %w", err)
		}
		return cfg, nil
	}
	return drift.ClusterTarget{Cluster: o.cluster, Region: region, Kubeconfig: o.kubeconfig, Context: o.context}.Config(ctx, clients)
}

// failsOn reports whether drift of this reason kind is of the kinds
// --fail-on names ("any", or a group of drift.ReasonGroups).
func (o *options) failsOn(kind string) bool {
	return o.failOn == "any" || slices.Contains(drift.ReasonGroups[o.failOn], kind)
}

// failing reports whether the report has drift of the kinds --fail-on names.
func (o *options) failing(r *drift.Report) bool {
	for _, n := range r.Nodes {
		for _, reason := range n.Reasons {
			if o.failsOn(reason.Kind) {
				return true
			}
		}
	}
	return false
}

func run(ctx context.Context, app *cmdutil.App, o *options) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.watch {
		return watch(ctx, app, o)
	}
	if o.fleet.on() {
		return runFleet(ctx, app, o)
	}
	src, opts, err := o.source(ctx, app)
	if err != nil {
		return err
	}
	r, err := drift.Run(ctx, src, opts)
	if err != nil {
		return err
	}
	if err := printReport(app, r); err != nil {
		return err
	}
	if o.failing(r) {
		return cmdutil.Differences()
	}
	return nil
}
