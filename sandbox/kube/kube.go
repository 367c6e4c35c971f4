// Package kube is the sandbox's Kubernetes API: for every EKS cluster of the
// world, the small part of an API server that winami, client-go and kubectl
// need (version, discovery, nodes and pods with watches, Karpenter's resources). It is
// served by the sandbox's own HTTP server under /k8s/<region>/<cluster>/
// (/k8s/<account>/<region>/<cluster>/ for another account's cluster), the
// endpoint EKS DescribeCluster reports, and authenticates requests with EKS
// tokens of the cluster's own account.
package kube

import (
	"cmp"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// API serves the clusters' Kubernetes APIs.
type API struct {
	store  *state.Store
	now    func() time.Time
	logger *slog.Logger
	// watchPoll is how often a watch looks for changes; bookmarkEvery how
	// often it sends a bookmark when asked to (the API server: a minute).
	watchPoll, bookmarkEvery time.Duration
	// stopWatches is closed by StopWatches.
	stopWatches chan struct{}
	stopOnce    sync.Once
	// rolloutPace is how long each step of Karpenter's simulated drift
	// replacement takes (world.KarpenterController).
	rolloutPace time.Duration
	// replies recycles the buffers replies are built in.
	replies protocol.BufferPool
}

// Option configures the API.
type Option func(*API)

// WithRolloutPace sets how long each step of the simulated Karpenter's
// drift replacement takes (world.DefaultReplacePace unless set; zero makes
// every step due at once).
func WithRolloutPace(d time.Duration) Option {
	return func(a *API) { a.rolloutPace = max(d, 0) }
}

// StopWatches ends every watch being streamed and any later one at once:
// the server is shutting down.
func (a *API) StopWatches() {
	a.stopOnce.Do(func() { close(a.stopWatches) })
}

// New returns the Kubernetes API over the store; now is the clock tokens
// expire by.
func New(store *state.Store, now func() time.Time, logger *slog.Logger, opts ...Option) *API {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &API{store: store, now: now, logger: logger, watchPoll: defaultWatchPoll, bookmarkEvery: defaultBookmarkEvery,
		stopWatches: make(chan struct{}), rolloutPace: world.DefaultReplacePace}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Route sends requests under PathPrefix to the Kubernetes API and the rest
// to next. No AWS API path starts with /k8s/.
func (a *API) Route(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, PathPrefix) {
			a.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// publicPaths are answered without credentials, as EKS's API servers answer
// them to anonymous callers (the system:public-info-viewer role).
var publicPaths = map[string]bool{"/version": true, "/healthz": true, "/livez": true, "/readyz": true}

// ServeHTTP answers one Kubernetes API request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	account, region, name, path, ok := splitPath(r.URL.Path)
	a.logger.Debug("sandbox kubernetes request", "method", r.Method, "account", account, "region", region, "cluster", name, "path", path)
	if !ok {
		writeNotFoundPage(w)
		return
	}
	auth := r.Header.Get("Authorization")
	authenticated := auth != "" || !publicPaths[path]
	var accessKey string
	if authenticated {
		var err error
		if accessKey, err = verifyBearer(auth, a.now()); err != nil {
			a.logger.Debug("sandbox kubernetes request unauthorized", "reason", err)
			writeStatusFor(w, r, unauthorized())
			return
		}
	}
	// The cluster is looked up by its key (names are unique per account
	// and region only), and maps the IAM identities of its own account
	// only: EKS answers 401 for an identity the cluster does not map.
	var cluster string
	mapped := true
	_ = a.store.View(func(wd *world.World) error {
		cluster = wd.ClusterKey(account, name)
		if c := wd.Cluster(region, cluster); c != nil && authenticated {
			mapped = wd.ClusterOwner(c) == wd.CallerAccount(accessKey)
		}
		return nil
	})
	if !mapped {
		a.logger.Debug("sandbox kubernetes request unauthorized", "reason", "the token's account does not own the cluster")
		writeStatusFor(w, r, unauthorized())
		return
	}
	if r.Method == http.MethodGet && isWatch(r) {
		// A watch streams outside the store's lock.
		if res, ok := a.watchableAt(path); ok {
			a.serveWatch(w, r, region, cluster, res)
			return
		}
	}
	if r.Method == http.MethodPatch {
		if d, name, sub, ok := crdPath(path); ok && name != "" {
			a.patchObject(w, r, region, cluster, d, name, sub)
			return
		}
	}
	if r.Method != http.MethodGet {
		writeStatusFor(w, r, methodNotAllowed(r.Method))
		return
	}
	// The reply is made under the store's read lock and sent after it, so
	// that a client slow to read a large list holds up no change.
	// The reply is built in a recycled buffer, kept grown for the next.
	buf := a.replies.Get()
	defer a.replies.Put(buf)
	reply := bufferedReply{body: *buf}
	// Node replacements in flight are first brought up to the clock.
	err := world.CatchUpReplacements(a.store, a.now())
	if err == nil {
		err = a.store.View(func(wd *world.World) error {
			c := wd.Cluster(region, cluster)
			if c == nil {
				// No API server answers for a cluster that does not exist.
				writeNotFoundPage(&reply)
				return nil
			}
			a.serveCluster(&reply, r, c, newNodeImages(wd, region), path)
			return nil
		})
	}
	if err != nil {
		writeStatusFor(w, r, internalError(err))
		return
	}
	reply.sendTo(w)
	*buf = reply.body
}

// bufferedReply is an http.ResponseWriter that keeps the reply for later.
type bufferedReply struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedReply) Header() http.Header {
	if b.header == nil {
		b.header = http.Header{}
	}
	return b.header
}

func (b *bufferedReply) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedReply) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	b.body = append(b.body, p...)
	return len(p), nil
}

// appendBody lets f append to the body in place: a large reply (a list of
// nodes) is then written once, not built and copied.
func (b *bufferedReply) appendBody(f func([]byte) []byte) {
	b.WriteHeader(http.StatusOK)
	b.body = f(b.body)
}

func (b *bufferedReply) sendTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(cmp.Or(b.status, http.StatusOK))
	_, _ = w.Write(b.body)
}

// serveCluster answers a request for one cluster's API path.
func (a *API) serveCluster(w *bufferedReply, r *http.Request, c *world.Cluster, ni *nodeImages, path string) {
	switch {
	case path == "/version":
		writeJSON(w, http.StatusOK, versionInfo(c))
	case path == "/healthz" || path == "/livez" || path == "/readyz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	case path == "/api":
		writeJSON(w, http.StatusOK, apiVersions(r.Host))
	case path == "/apis":
		writeJSON(w, http.StatusOK, apiGroups())
	case path == "/api/v1":
		writeJSON(w, http.StatusOK, coreResources())
	case path == "/api/v1/nodes":
		if m, ok := negotiateReply(w, r, nodeOffers); ok {
			a.listNodes(w, r, c, ni, m)
		}
	case strings.HasPrefix(path, "/api/v1/nodes/") && !strings.Contains(path[len("/api/v1/nodes/"):], "/"):
		if m, ok := negotiateReply(w, r, nodeOffers); ok {
			a.getNode(w, r, c, ni, path[len("/api/v1/nodes/"):], m)
		}
	case serveDiscovery(w, path):
	case isPodPath(path):
		if _, ok := negotiateReply(w, r, podOffers); !ok {
			return
		}
		if ns, name, _ := podPath(path); name != "" {
			a.getPod(w, c, ns, name)
		} else {
			a.listPods(w, r, c, ns)
		}
	default:
		d, name, _, ok := crdPath(path)
		switch {
		case !ok:
			writeNotFoundPage(w)
			return
		}
		m, ok := negotiateReply(w, r, crdOffers)
		switch {
		case !ok:
		case name == "":
			listObjects(w, r, c, d, m, a.now())
		default:
			getObject(w, c, d, name, m, a.now())
		}
	}
}

// isWatch reports a watch request: ?watch=true (or 1).
func isWatch(r *http.Request) bool {
	v := r.URL.Query().Get("watch")
	return v == "true" || v == "1"
}

// watchableAt is the resource whose collection path is path.
func (a *API) watchableAt(path string) (watchable, bool) {
	switch path {
	case "/api/v1/nodes":
		return nodeWatch(a), true
	}
	if ns, name, ok := podPath(path); ok && name == "" {
		return podWatch(ns), true
	}
	if d, name, _, ok := crdPath(path); ok && name == "" {
		return crdWatch(d), true
	}
	return watchable{}, false
}

// splitPath reads "/k8s/[<account>/]<region>/<cluster><path>"; path is "/"
// at least, account "" when the path names none (the default account's).
// A region is never twelve digits, so an account is told apart by its shape.
func splitPath(p string) (account, region, cluster, path string, ok bool) {
	rest, ok := strings.CutPrefix(p, PathPrefix)
	if !ok {
		return "", "", "", "", false
	}
	if first, after, found := strings.Cut(rest, "/"); found && isAccountID(first) {
		account, rest = first, after
	}
	region, rest, ok = strings.Cut(rest, "/")
	if !ok || region == "" {
		return "", "", "", "", false
	}
	cluster, path, _ = strings.Cut(rest, "/")
	if cluster == "" {
		return "", "", "", "", false
	}
	return account, region, cluster, "/" + strings.TrimSuffix(path, "/"), true
}

// isAccountID reports an AWS account ID: twelve digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
