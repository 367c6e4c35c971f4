// Package sandboxcmd is winami's tie to its sandbox: `winami sandbox` (the
// local AWS-compatible endpoint, served until interrupted) and the embedded
// sandbox behind --sandbox. It sits beside main, the composition root,
// because no other product package may import the sandbox.
package sandboxcmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/internal/cli/output"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/world"
)

type options struct {
	listen         string
	state          string
	faults         string
	seed           int64
	pace           time.Duration
	fastLaunchPace time.Duration
	rolloutPace    time.Duration
	// instantRollout: --rollout-pace 0s given (absent, or negative, is the
	// default pace).
	instantRollout bool
	copyPace       time.Duration
	nodes          int
	clusters       int
}

// NewCmd builds `winami sandbox`.
func NewCmd(app *cmdutil.App) *cobra.Command { return newCmd(app, &options{}) }

func newCmd(app *cmdutil.App, o *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve a local AWS-compatible endpoint seeded with a realistic world",
		Long: `Serve a local AWS-compatible endpoint (STS, SSM, EC2, ...) on loopback until interrupted.

The world is generated from --seed: two accounts, seven regions, the EKS optimized
Windows AMIs of recent months and their SSM parameters, container registries
(mcr.microsoft.com, Docker Hub, public.ecr.aws, every ECR host). Any AWS client can use it:
point it at the printed endpoint with any non-empty credentials. Requests are routed
by the SigV4 credential scope, so one endpoint serves every region.

With --state the world is loaded from FILE at start and saved after every change;
a state file serves one sandbox at a time (a second one on it refuses to start).

EKS clusters come with a Kubernetes API each: DescribeCluster's endpoint is the
sandbox itself, https://HOST:PORT/k8s/REGION/CLUSTER (the same port speaks TLS
too, as kubeconfigs send credentials only over TLS), and takes EKS tokens
(aws eks get-token).

winami finds the sandbox's registries by itself when its AWS endpoint is the
sandbox (it asks GET /.well-known/winami-sandbox), so nothing is looked up off
the machine. The seeded cluster "demo" (us-east-1) has eight Windows nodes,
two of which drift; --nodes N adds a cluster "scale" of N Windows nodes.

--clusters N --nodes M instead adds a fleet: N clusters fleet-01... of M Windows
nodes each (M defaults to 20), spread over us-east-1, us-west-2, eu-west-1 and
ap-southeast-1, every third one owned by the partner account 444455556666 (seen
with the access key test-444455556666; see docs/sandbox.md), their node groups
on the newest AMI or drifted by one to three releases.`,
		Example: `  # Serve on the default port and point the aws CLI at it
  winami sandbox
  aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity

  # Keep changes across restarts, and inject throttling, errors and latency
  winami sandbox --state sandbox.json --faults throttle=0.2,error=0.05,latency=30ms,seed=7

  # Add a cluster of 10,000 Windows nodes to try drift reports at scale
  winami sandbox --nodes 10000

  # A fleet of 20 clusters of 500 Windows nodes in 4 regions and 2 accounts
  winami sandbox --clusters 20 --nodes 500

  # Or use a sandbox for one command only
  winami --sandbox ami latest --windows 2022 --edition core --kubernetes 1.35`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.readFlags(cmd)
			return run(cmd.Context(), app, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:4566", "loopback address to serve on (port 0 picks a free one)")
	f.StringVar(&o.state, "state", "", "file to load the world from and save every change to")
	f.StringVar(&o.faults, "faults", "", "inject faults: throttle=P,error=P,latency=DURATION,seed=N,deny=SERVICE:OPERATION@REGION[+...]")
	f.Int64Var(&o.seed, "seed", 1, "seed of the generated world")
	f.DurationVar(&o.pace, "build-pace", 0, "how long each state of an Image Builder build lasts (default 2s)")
	f.DurationVar(&o.fastLaunchPace, "fast-launch-pace", 0, "how long EC2 Fast Launch stays enabling or disabling (default 3s)")
	f.DurationVar(&o.copyPace, "copy-pace", 0, "how long an EC2 CopyImage copy stays pending (default 5s)")
	f.DurationVar(&o.rolloutPace, "rollout-pace", 0, "how long each step of a node replacement (launch, Ready, drain) takes in EKS node group updates, instance refreshes and Karpenter drift; 0s: at once (default 2s)")
	f.IntVar(&o.nodes, "nodes", 0, "add the EKS cluster \"scale\" in us-east-1 with N Windows nodes and their instances (not saved to --state); with --clusters, the nodes of each fleet cluster")
	f.IntVar(&o.clusters, "clusters", 0, "add a fleet of N EKS clusters (fleet-01...) in four regions and two accounts, --nodes Windows nodes each (not saved to --state)")
	// The banner is for people, JSON and YAML for scripts; there is no text form.
	cmdutil.SupportsFormats(cmd, output.Table, output.JSON, output.YAML)
	return cmd
}

// readFlags reads what the flags' values alone do not say: an explicit
// --rollout-pace 0s is instant replacement, its absence the default pace.
func (o *options) readFlags(cmd *cobra.Command) {
	o.instantRollout = cmd.Flags().Changed("rollout-pace") && o.rolloutPace == 0
}

// sandboxOptions are the sandbox's options from the flags.
func (o *options) sandboxOptions(app *cmdutil.App) sandbox.Options {
	return sandbox.Options{Seed: o.seed, StatePath: o.state, Faults: o.faults, BuildPace: o.pace,
		FastLaunchPace: o.fastLaunchPace, CopyPace: o.copyPace, RolloutPace: o.rolloutPace,
		InstantRollout: o.instantRollout, ScaleNodes: o.nodes, FleetClusters: o.clusters, Logger: app.Logger()}
}

// checkSizes checks --clusters and --nodes (and fills in --nodes of a
// fleet) before anything is seeded.
func (o *options) checkSizes() error {
	if o.clusters != 0 {
		if o.clusters < 0 || o.clusters > world.MaxFleetClusters {
			return cmdutil.Usagef("--clusters %d is out of range: use 1 to %d", o.clusters, world.MaxFleetClusters)
		}
		if o.nodes == 0 {
			o.nodes = defaultFleetNodes
		}
		if o.nodes < 0 || o.nodes > world.MaxFleetNodes {
			return cmdutil.Usagef("--nodes %d is out of range with --clusters: use 1 to %d nodes a cluster", o.nodes, world.MaxFleetNodes)
		}
	} else if o.nodes < 0 || o.nodes > world.MaxScaleNodes {
		return cmdutil.Usagef("--nodes %d is out of range: use 0 (no scale cluster) to %d", o.nodes, world.MaxScaleNodes)
	}
	return nil
}

// defaultFleetNodes is --nodes with --clusters when not given.
const defaultFleetNodes = 20

// endpoint is what a client needs, as -o json/yaml prints it.
type endpoint struct {
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	AccountID       string `json:"accountId"`
}

func run(ctx context.Context, app *cmdutil.App, o *options) error {
	if err := checkLoopback(o.listen); err != nil {
		return err
	}
	if err := o.checkSizes(); err != nil {
		return err
	}
	srv, err := sandbox.New(o.sandboxOptions(app))
	if err != nil {
		return err
	}
	url, err := srv.Start(o.listen)
	if err != nil {
		_ = srv.Stop() // releases the --state file
		return listenError(o.listen, err)
	}
	ep := endpoint{Endpoint: url, Region: sandbox.DefaultRegion, AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey, AccountID: accountID(srv)}
	if f := app.Format(); f == output.JSON || f == output.YAML {
		if err := app.Print(ep, output.Rows{}); err != nil {
			return err
		}
	} else {
		fmt.Fprint(app.IO.Out, srv.Banner())
		fmt.Fprintf(app.IO.Out, "  winami ami list --kubernetes 1.35\n")
		// The seeded EKS cluster's Kubernetes API is served too (over TLS on
		// the same port): a kubeconfig from the aws CLI reaches it.
		fmt.Fprintf(app.IO.Out, "  aws eks update-kubeconfig --name %s && kubectl get nodes\n\nPress Ctrl-C to stop.\n", world.DemoCluster)
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Close(shutdown); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("stopping the sandbox: %w", err)
		}
		// Stopping was asked for: a client that holds a request open (a
		// slow upload) is cut off rather than turning the stop into a failure.
		fmt.Fprintf(app.IO.ErrOut, "%v\n", err)
	}
	fmt.Fprintln(app.IO.ErrOut, "sandbox stopped")
	return nil
}

func accountID(srv *sandbox.Server) string {
	var id string
	_ = srv.Store().View(func(w *world.World) error { id = w.AccountID; return nil })
	return id
}

// checkLoopback keeps the sandbox off the network: it has no authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return cmdutil.Usagef("--listen %q is not HOST:PORT: use e.g. 127.0.0.1:4566", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return cmdutil.Usagef("--listen %q is not a loopback address: the sandbox has no authentication, so it serves on loopback only (use 127.0.0.1:PORT)", addr)
}

// listenError says why the sandbox cannot serve on addr. The network error
// is not wrapped: it is about this machine's port, and the AWS error
// explainer would read it as an unreachable endpoint.
func listenError(addr string, err error) error {
	_, port, _ := net.SplitHostPort(addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("port %s is already in use (another winami sandbox, or another program, listens on %s): choose another port with --listen 127.0.0.1:PORT, or --listen 127.0.0.1:0 for a free one", port, addr)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return fmt.Errorf("cannot serve on %s (%v): choose another address with --listen 127.0.0.1:PORT", addr, err)
}
