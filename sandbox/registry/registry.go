// Package registry is the sandbox's container registry: a read-only OCI
// distribution API (the /v2/ endpoints clients pull with) that serves several
// virtual registry hosts at once, chosen by the request's Host header, so a
// client can point mcr.microsoft.com, public.ecr.aws, Docker Hub and any
// account's ECR at one loopback address. ECR hosts demand Basic auth with a
// password from the sandbox's ECR GetAuthorizationToken; the public hosts
// are anonymous. The content is synthetic and deterministic: image indexes
// with real Windows platforms and os.version, and tiny layers whose digests
// and sizes verify.
package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/winami/winami/sandbox/world"
)

// Options configure a Registry.
type Options struct {
	// AccountID is the sandbox account; its ECR in us-east-1 is seeded, and
	// the partner account's repository lets it pull. Empty means
	// world.DefaultAccountID.
	AccountID string
	// Seed keys the ECR tokens (see Tokens); the same seed the world has.
	Seed int64
	// Now is the clock tokens are checked against; nil means time.Now.
	Now func() time.Time
}

// Registry is the seeded registry content and its HTTP handler.
type Registry struct {
	hosts  map[string]*host
	images []Image
	repos  []Repository
	tokens Tokens
	now    func() time.Time
}

// New builds the seeded registry.
func New(opts Options) (*Registry, error) {
	if opts.AccountID == "" {
		opts.AccountID = world.DefaultAccountID
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Registry{hosts: map[string]*host{}, tokens: NewTokens(opts.Seed), now: opts.Now}
	if err := r.build(opts.AccountID); err != nil {
		return nil, fmt.Errorf("seeding the sandbox registry: %w", err)
	}
	return r, nil
}

// Tokens is the ECR token scheme the registry checks passwords with.
func (r *Registry) Tokens() Tokens { return r.tokens }

// Handler is the registry's HTTP handler: it answers /v2/ for every host it serves.
func (r *Registry) Handler() http.Handler { return http.HandlerFunc(r.serve) }

// Serves reports whether the registry answers for a request's host, so a
// server can send /v2/ requests for registry hosts here and the rest to AWS.
func (r *Registry) Serves(hostport string) bool {
	_, ok := r.lookupHost(hostport)
	return ok
}

func (r *Registry) lookupHost(hostport string) (*host, bool) {
	name := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	if h := r.hosts[name]; h != nil {
		return h, true
	}
	// Any other account's ECR exists, empty: it asks for credentials, then
	// knows no repository.
	if account, region, ok := parseECRHost(name); ok {
		return &host{name: name, account: account, region: region, repos: map[string]*repository{}}, true
	}
	return nil, false
}

// registryError is one entry of a distribution API error body.
type registryError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	body, _ := json.Marshal(map[string][]registryError{"errors": {{Code: code, Message: fmt.Sprintf(format, args...)}}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	h, ok := r.lookupHost(req.Host)
	if !ok {
		writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "the sandbox serves no registry at %s", req.Host)
		return
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "the sandbox registry is read-only")
		return
	}
	caller := ""
	if h.ecr() {
		account, ok := r.authenticate(w, req, h)
		if !ok {
			return
		}
		caller = account
	}
	path := req.URL.Path
	if path == "/v2/" || path == "/v2" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		if req.Method == http.MethodGet {
			_, _ = w.Write([]byte("{}"))
		}
		return
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no route for %s", path)
		return
	}
	name, kind, ref, ok := splitPath(rest)
	if !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no route for %s", path)
		return
	}
	if h.ecr() && caller != h.account && !slices.Contains(h.pullers[name], caller) {
		writeError(w, http.StatusForbidden, "DENIED", "User: arn:aws:iam::%s:root is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:%s:%s:repository/%s because no resource-based policy allows the ecr:BatchGetImage action",
			caller, h.region, h.account, name)
		return
	}
	repo := h.repos[name]
	if repo == nil {
		if h.ecr() {
			writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "The repository with name '%s' does not exist in the registry with id '%s'", name, h.account)
		} else {
			writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		}
		return
	}
	switch kind {
	case "manifests":
		r.serveManifest(w, req, repo, ref)
	case "blobs":
		r.serveBlob(w, req, repo, ref)
	case "tags":
		serveTags(w, req, repo)
	}
}

// splitPath takes "<name>/manifests/<ref>", "<name>/blobs/<digest>" or
// "<name>/tags/list" apart; names may hold slashes.
func splitPath(rest string) (name, kind, ref string, ok bool) {
	if n, found := strings.CutSuffix(rest, "/tags/list"); found && n != "" {
		return n, "tags", "", true
	}
	for _, k := range []string{"manifests", "blobs"} {
		if i := strings.LastIndex(rest, "/"+k+"/"); i > 0 {
			ref = rest[i+len(k)+2:]
			if ref == "" || strings.Contains(ref, "/") {
				return "", "", "", false
			}
			return rest[:i], k, ref, true
		}
	}
	return "", "", "", false
}

// authenticate checks an ECR request's Basic credentials and reports the
// caller's account; it answers 401 itself when they are missing or wrong.
func (r *Registry) authenticate(w http.ResponseWriter, req *http.Request, h *host) (string, bool) {
	challenge := fmt.Sprintf(`Basic realm="https://%s/",service="ecr.amazonaws.com"`, h.name)
	user, pass, ok := req.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return "", false
	}
	account, err := r.tokens.Verify(pass, h.region, r.now())
	if user != "AWS" || err != nil {
		w.Header().Set("WWW-Authenticate", challenge)
		msg := "Your authorization token is invalid."
		if errors.Is(err, ErrExpiredToken) {
			msg = "Your authorization token has expired. Reauthenticate and try again."
		}
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "%s", msg)
		return "", false
	}
	return account, true
}

func (r *Registry) serveManifest(w http.ResponseWriter, req *http.Request, repo *repository, ref string) {
	digest := ref
	if !strings.HasPrefix(ref, "sha256:") {
		digest = repo.tags[ref]
	}
	m := repo.manifests[digest]
	if m == nil {
		writeError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown: %s", ref)
		return
	}
	w.Header().Set("Content-Type", string(m.mediaType))
	w.Header().Set("Docker-Content-Digest", m.digest)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.body)))
	if req.Method == http.MethodGet {
		_, _ = w.Write(m.body)
	}
}

func (r *Registry) serveBlob(w http.ResponseWriter, req *http.Request, repo *repository, digest string) {
	b, ok := repo.blobs[digest]
	if !ok {
		writeError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry: %s", digest)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Docker-Content-Digest", digest)
	http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(b))
}

func serveTags(w http.ResponseWriter, req *http.Request, repo *repository) {
	tags := make([]string, 0, len(repo.tags))
	for t := range repo.tags {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	body, _ := json.Marshal(map[string]any{"name": repo.name, "tags": tags})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if req.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

func isIndex(mt types.MediaType) bool {
	return mt == types.DockerManifestList || mt == types.OCIImageIndex
}

func parseIndex(b []byte) (*v1.IndexManifest, error) {
	return v1.ParseIndexManifest(bytes.NewReader(b))
}

func parseManifest(b []byte) (*v1.Manifest, error) { return v1.ParseManifest(bytes.NewReader(b)) }

func parseConfig(b []byte) (*v1.ConfigFile, error) { return v1.ParseConfigFile(bytes.NewReader(b)) }

// Route sends the distribution API requests (/v2/...) of every registry host
// the registry serves to it and everything else to api: mount it in front of
// the AWS endpoint so one loopback address answers both. AWS API calls reach
// the sandbox under its own address (127.0.0.1:port), which is no registry
// host, so they are never taken for registry requests.
func (r *Registry) Route(api http.Handler) http.Handler {
	reg := r.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if (req.URL.Path == "/v2" || strings.HasPrefix(req.URL.Path, "/v2/")) && r.Serves(req.Host) {
			reg.ServeHTTP(w, req)
			return
		}
		api.ServeHTTP(w, req)
	})
}
