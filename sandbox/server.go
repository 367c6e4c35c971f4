// Package sandbox is winami's local AWS-compatible endpoint: one HTTP server
// that answers every service and region the product uses, over a seeded world.
package sandbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/winami/winami/sandbox/autoscaling"
	"github.com/winami/winami/sandbox/ec2"
	"github.com/winami/winami/sandbox/ecr"
	"github.com/winami/winami/sandbox/eks"
	"github.com/winami/winami/sandbox/faults"
	"github.com/winami/winami/sandbox/iam"
	"github.com/winami/winami/sandbox/imagebuilder"
	"github.com/winami/winami/sandbox/kube"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/ssm"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/sts"
	"github.com/winami/winami/sandbox/world"
)

// DefaultRegion is the region of unsigned requests and of clients that name none.
const DefaultRegion = "us-east-1"

// Dummy credentials to show users: the sandbox reads the region and service
// from a request's signature but never verifies it, so any non-empty pair works.
const (
	DummyAccessKeyID     = "test"
	DummySecretAccessKey = "test"
)

// Options configure a sandbox.
type Options struct {
	// Seed selects the generated world; the same seed gives the same world.
	Seed int64
	// StatePath, when set, is loaded at start and saved after every change.
	StatePath string
	// Faults injects throttling, internal errors and latency, e.g.
	// "throttle=0.2,error=0.05,latency=30ms,seed=7"; empty injects nothing.
	Faults string
	// MaxBodyBytes bounds request bodies; 0 means protocol.DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives request logs; nil discards.
	Logger *slog.Logger
	// BuildPace is how long each state of an Image Builder build lasts; 0
	// means imagebuilder.DefaultPace.
	BuildPace time.Duration
	// FastLaunchPace is how long EC2 Fast Launch stays enabling or disabling;
	// 0 means ec2.DefaultFastLaunchPace.
	FastLaunchPace time.Duration
	// CopyPace is how long an EC2 CopyImage copy stays pending; 0 means
	// ec2.DefaultCopyPace.
	CopyPace time.Duration
	// RolloutPace is how long each step of a node replacement (an EKS node
	// group update's waves, an Auto Scaling instance refresh's batches)
	// takes; 0 means world.DefaultReplacePace unless InstantRollout.
	RolloutPace time.Duration
	// InstantRollout is a rollout pace of zero: every step of a node
	// replacement is due at once (a 1,000-node rollout runs without
	// waiting). It overrides RolloutPace.
	InstantRollout bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ScaleNodes, when positive, adds the EKS cluster "scale" in us-east-1
	// with that many Windows nodes and their instances (see
	// world.SeedScale). They are seeded at start, never saved to StatePath.
	ScaleNodes int
	// FleetClusters, when positive, adds a fleet of that many EKS clusters
	// of ScaleNodes Windows nodes each, over four regions and two accounts,
	// instead of the scale cluster (see world.SeedFleetClusters); seeded at
	// start, never saved.
	FleetClusters int
}

// Server is a sandbox: its state and its HTTP handler.
type Server struct {
	store    *state.Store
	registry *registry.Registry
	handler  http.Handler
	kubeTLS  *tls.Config
	kube     *kube.API
	faults   *faults.Injector
	logger   *slog.Logger

	// inflight counts requests being served, so Close can tell requests it
	// owes an answer from connections that merely sit open.
	inflight atomic.Int64

	mu      sync.Mutex
	httpSrv *http.Server
	url     string
}

// New builds a sandbox. It does not listen; use Start, or mount Handler.
func New(opts Options) (*Server, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	spec, err := faults.Parse(opts.Faults)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	store, err := state.Open(opts.StatePath, func() *world.World { return world.Seed(opts.Seed) })
	if err != nil {
		return nil, err
	}
	s, err := newServer(opts, store, now, logger, spec)
	if err != nil {
		_ = store.Close() // another sandbox may have the state file
		return nil, err
	}
	return s, nil
}

// newServer builds the services over an opened store.
func newServer(opts Options, store *state.Store, now func() time.Time, logger *slog.Logger, spec faults.Spec) (*Server, error) {
	if err := seedScale(store, opts.FleetClusters, opts.ScaleNodes); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Server{store: store, logger: logger}
	muxOpts := protocol.MuxOptions{DefaultRegion: DefaultRegion, MaxBodyBytes: opts.MaxBodyBytes, Logger: logger}
	if spec.Enabled() {
		s.faults = faults.New(spec, faults.WithCaller(func(req *protocol.Request) (arn string) {
			_ = store.View(func(w *world.World) error {
				arn = w.CallerARN(w.CallerAccount(req.AccessKey), req.Region)
				return nil
			})
			return arn
		}))
		muxOpts.Intercept = s.faults.Intercept
	}
	var ibOpts []imagebuilder.Option
	if opts.BuildPace > 0 {
		ibOpts = append(ibOpts, imagebuilder.WithPace(opts.BuildPace))
	}
	// The registry's content and ECR tokens derive from the stored world's
	// account and seed, so a reloaded state keeps its tokens valid.
	var acct string
	var seed int64
	_ = store.View(func(w *world.World) error { acct, seed = w.AccountID, w.Seed; return nil })
	var err error
	s.registry, err = registry.New(registry.Options{AccountID: acct, Seed: seed, Now: now})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.kubeTLS = kube.ServingTLS(seed)
	// Builds pull their components' container images from the registry.
	ibOpts = append(ibOpts, imagebuilder.WithImages(s.registry))
	mux := protocol.NewMux(muxOpts,
		sts.New(store, now),
		ssm.New(store, now),
		ec2.New(store, now, ec2.WithFastLaunchPace(opts.FastLaunchPace), ec2.WithCopyPace(opts.CopyPace)),
		iam.New(store, now),
		imagebuilder.New(store, now, ibOpts...),
		ecr.New(store, now, s.registry),
		eks.New(store, now, eksOptions(opts)...),
		autoscaling.New(store, now, autoscaling.WithPace(opts.rolloutPace())),
	)
	// Registry requests (/v2/ for a registry host such as mcr.microsoft.com
	// or an ECR host) reach the OCI registry; everything else is an AWS API
	// call, whose Host is the sandbox's own address.
	// Kubernetes API requests (/k8s/<region>/<cluster>/...) reach the
	// clusters' API servers.
	// AnnouncementPath tells clients that this is a winami sandbox and
	// where its registries are.
	s.kube = kube.New(store, now, logger, kubeOptions(opts)...)
	s.handler = s.announce(s.registry.Route(s.kube.Route(mux)))
	if spec.Latency > 0 {
		s.handler = s.delayKubernetes(s.handler)
	}
	return s, nil
}

// delayKubernetes waits the injected latency before each Kubernetes API
// request, as before each AWS call: a cluster's API server is across the
// network too, and a latency that spared it would make every Kubernetes
// read free. Throttling and errors are AWS's (their codes are the
// services'), so they are not injected here. A request whose client is
// gone by then is not answered.
func (s *Server) delayKubernetes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, kube.PathPrefix) {
			if err := s.faults.Delay(r.Context()); err != nil {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func eksOptions(opts Options) []eks.Option {
	return []eks.Option{eks.WithRolloutPace(opts.rolloutPace())}
}

// rolloutPace is the pace of every node replacement the sandbox runs.
func (o Options) rolloutPace() time.Duration {
	switch {
	case o.InstantRollout:
		return 0
	case o.RolloutPace > 0:
		return o.RolloutPace
	}
	return world.DefaultReplacePace
}

// kubeOptions: Karpenter's drift replacement keeps the same pace as the
// node group updates and instance refreshes.
func kubeOptions(opts Options) []kube.Option {
	return []kube.Option{kube.WithRolloutPace(opts.rolloutPace())}
}

// Handler is the sandbox's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry is the sandbox's OCI registry, serving every seeded registry host.
func (s *Server) Registry() *registry.Registry { return s.registry }

// Store is the sandbox's state.
func (s *Server) Store() *state.Store { return s.store }

// Faults is the fault injector, or nil when Options.Faults injects nothing.
func (s *Server) Faults() *faults.Injector { return s.faults }

// Start listens on addr (e.g. "127.0.0.1:0" for a free port) and serves in
// the background until Close. It returns the endpoint URL.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpSrv != nil {
		return "", fmt.Errorf("sandbox: already serving on %s", s.url)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: listening on %s: %w", addr, err)
	}
	s.httpSrv = &http.Server{
		Handler:           s.countInflight(s.handler),
		ReadHeaderTimeout: 10 * time.Second,
		// A client that announces a body and never sends it must not hold a
		// connection for ever. Writes get no deadline: injected latency may be long.
		ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.url = "http://" + clientAddr(ln.Addr())
	srv := s.httpSrv
	// The same port speaks TLS too, for the clusters' Kubernetes APIs.
	sniff := newSniffListener(ln, s.kubeTLS)
	go func() {
		if err := srv.Serve(sniff); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("sandbox server stopped", "error", err)
		}
	}()
	return s.url, nil
}

// clientAddr is the address a client dials: a wildcard listen address
// (":4566", "0.0.0.0:4566") is reached through loopback.
func clientAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	if tcp.IP.To4() == nil {
		return net.JoinHostPort("::1", fmt.Sprint(tcp.Port))
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}

// URL is the endpoint after Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops serving: it stops accepting, lets requests in flight finish
// within ctx, then closes every connection. (http.Server.Shutdown alone
// would also wait up to 5 s for connections a client dialled but never
// used, which SDK clients leave behind after concurrent calls.)
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srv := s.httpSrv
	s.mu.Unlock()
	if srv == nil {
		return s.store.Close()
	}
	// The state file is released once nothing can change the world any more.
	defer s.store.Close()
	// Watches stream until told to stop: end them, as an API server ends
	// its watches when it shuts down, so that they do not hold up Close.
	s.kube.StopWatches()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				n := s.inflight.Load()
				_ = srv.Close()
				return fmt.Errorf("sandbox: %d request(s) still in flight when the grace period ended were cut off: %w", n, err)
			}
			return nil
		case <-tick.C:
			if s.inflight.Load() == 0 {
				_ = srv.Close() // ends the wait of Shutdown too
				return nil
			}
		}
	}
}

func (s *Server) countInflight(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// ClientHints are the shell lines that point any AWS client (the aws CLI,
// SDKs, winami itself) at the sandbox, after Start.
func (s *Server) ClientHints() []string {
	return []string{
		"export AWS_ENDPOINT_URL=" + s.URL(),
		"export AWS_ACCESS_KEY_ID=" + DummyAccessKeyID,
		"export AWS_SECRET_ACCESS_KEY=" + DummySecretAccessKey,
		// AWS_REGION for the SDKs and aws CLI v2, AWS_DEFAULT_REGION for CLI v1.
		"export AWS_REGION=" + DefaultRegion,
		"export AWS_DEFAULT_REGION=" + DefaultRegion,
	}
}

// Stop closes the listener and every connection at once, without waiting:
// for an embedded sandbox whose only client, the command, has finished.
// (A graceful Close waits up to 5 s for connections the client dialled but
// never used.)
func (s *Server) Stop() error {
	s.mu.Lock()
	srv := s.httpSrv
	s.mu.Unlock()
	if srv == nil {
		return s.store.Close()
	}
	err := srv.Close()
	// A handler still running finds the store closed and its change
	// refused: nothing is written to the file once it is released.
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Banner is what a person needs to use the sandbox: where it is, how to
// point a client at it, and a first command to try.
func (s *Server) Banner() string {
	var b strings.Builder
	fmt.Fprintf(&b, "winami sandbox serving on %s", s.URL())
	if acct := s.accountID(); acct != "" {
		fmt.Fprintf(&b, " (account %s)", acct)
	}
	if s.faults != nil {
		fmt.Fprintf(&b, ", injecting faults %s", s.faults.Spec())
	}
	b.WriteString("\n\nPoint any AWS client at it (any non-empty credentials work; signatures are not checked):\n\n")
	for _, l := range s.ClientHints() {
		b.WriteString("  " + l + "\n")
	}
	fmt.Fprintf(&b, "\n  aws --endpoint-url %s sts get-caller-identity\n", s.URL())
	return b.String()
}

func (s *Server) accountID() string {
	var id string
	_ = s.store.View(func(w *world.World) error { id = w.AccountID; return nil })
	return id
}
