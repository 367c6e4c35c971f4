// Package images checks, before an AMI build, whether container images will
// run on the AMI's Windows build: it reads each image's index or manifest
// from its registry, lists the platforms, applies containerd's rule for
// Windows process isolation (see Decide) and reports the compressed size
// the cache adds to the AMI. It backs `winami images check` and the image
// check of plan and apply.
//
// Credentials: private ECR registries get a token from ECR
// GetAuthorizationToken (once per account and region); every other registry
// uses the keychain (by default ~/.docker/config.json and credential
// helpers, anonymous when nothing is configured).
package images

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/imageref"
)

// Options configure a Checker.
type Options struct {
	// ECR returns an ECR client for a region; nil means ECR registries are
	// treated like any other (keychain or anonymous).
	ECR func(region string) awsapi.ECRAPI
	// Transport carries the registry requests; nil means
	// remote.DefaultTransport.
	Transport http.RoundTripper
	// Keychain resolves credentials of registries other than ECR; nil means
	// authn.DefaultKeychain.
	Keychain authn.Keychain
	// Concurrency is how many images are read at once; 0 means 8.
	Concurrency int
	// SizeAnnotation, when set, names a layer annotation holding the layer's
	// size in bytes to report instead of the descriptor's (the sandbox's
	// registry.SimulatedSizeAnnotation).
	SizeAnnotation string
	// Registries, when set, is asked once, just before the first registry
	// request, where registry requests go; a non-nil answer replaces
	// Transport and SizeAnnotation. It is how a local winami sandbox is
	// found only when a registry is needed. Its error fails every image.
	Registries func(ctx context.Context) (*Registries, error)
	// Limits bound each registry request (time, body size); zero values
	// mean httpbound.Defaults().
	Limits httpbound.Limits
}

// Checker checks images against a Windows build. It is safe for
// concurrent use; ECR tokens are cached for its lifetime.
type Checker struct {
	opts Options

	mu     sync.Mutex
	tokens map[string]*ecrToken // by account/region

	routeOnce sync.Once
	routeErr  error
}

type ecrToken struct {
	once sync.Once
	auth authn.Authenticator
	err  error
}

// NewChecker returns a checker.
func NewChecker(opts Options) *Checker {
	if opts.Transport == nil {
		opts.Transport = remote.DefaultTransport
	}
	if opts.Keychain == nil {
		opts.Keychain = authn.DefaultKeychain
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	opts.Limits = opts.Limits.OrDefaults()
	return &Checker{opts: opts, tokens: map[string]*ecrToken{}}
}

// Verdict is the outcome for one image.
type Verdict string

// Verdicts.
const (
	Compatible   Verdict = "compatible"
	Incompatible Verdict = "incompatible"
	Error        Verdict = "error"
)

// ErrorKind classifies an Error verdict.
type ErrorKind string

// Error kinds.
const (
	Unreachable  ErrorKind = "unreachable"
	Unauthorized ErrorKind = "unauthorized"
	Denied       ErrorKind = "denied"
	NotFound     ErrorKind = "not-found"
	NotARegistry ErrorKind = "not-a-registry"
	Failed       ErrorKind = "failed"
)

// Chosen is the manifest a compatible image will be pulled as.
type Chosen struct {
	Digest    string `json:"digest"`
	OSVersion string `json:"osVersion"`
}

// Result is the verdict on one image.
type Result struct {
	Image   string  `json:"image"`
	Digest  string  `json:"digest,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Reason says why an image is incompatible or could not be read, with
	// the fix when there is one.
	Reason    string     `json:"reason,omitempty"`
	ErrorKind ErrorKind  `json:"errorKind,omitempty"`
	Platforms []Platform `json:"platforms,omitempty"`
	Chosen    *Chosen    `json:"chosen,omitempty"`
	// CompressedBytes is the chosen manifest's layers plus its config.
	CompressedBytes int64 `json:"compressedBytes"`

	blobs map[string]int64 // digest -> size of the chosen manifest's blobs
}

// Report is the verdict on every image, in the order given.
type Report struct {
	Host   HostBuild `json:"host"`
	Images []Result  `json:"images"`
	// TotalCompressedBytes is what the compatible images add, each blob
	// (layer, config) counted once however many images share it.
	TotalCompressedBytes int64 `json:"totalCompressedBytes"`
}

// AllCompatible reports whether every image is compatible.
func (r Report) AllCompatible() bool {
	for _, i := range r.Images {
		if i.Verdict != Compatible {
			return false
		}
	}
	return true
}

// HasErrors reports whether some image could not be read.
func (r Report) HasErrors() bool {
	for _, i := range r.Images {
		if i.Verdict == Error {
			return true
		}
	}
	return false
}

// Check reads every image and gives its verdict for the host build. The
// error is only for a cancelled context; problems with one image are that
// image's Error verdict.
func (c *Checker) Check(ctx context.Context, host HostBuild, refs []imageref.Ref) (Report, error) {
	rep := Report{Host: host, Images: make([]Result, len(refs))}
	// One image's failure is its verdict, not a reason to stop the others:
	// the group only bounds how many are read at once.
	var g errgroup.Group
	g.SetLimit(c.opts.Concurrency)
	for i, ref := range refs {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				rep.Images[i] = Result{Image: ref.String(), Verdict: Error, ErrorKind: Failed, Reason: err.Error()}
				return nil
			}
			rep.Images[i] = c.checkOne(ctx, host, ref)
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	seen := map[string]bool{}
	for _, r := range rep.Images {
		for d, n := range r.blobs {
			if !seen[d] {
				seen[d] = true
				rep.TotalCompressedBytes += n
			}
		}
	}
	return rep, nil
}

func (c *Checker) checkOne(ctx context.Context, host HostBuild, ref imageref.Ref) Result {
	res := Result{Image: ref.String()}
	fail := func(err error) Result {
		res.Verdict = Error
		_, _, isECR := ref.IsECR()
		res.ErrorKind, res.Reason = classify(ref, isECR && c.opts.ECR != nil, err)
		return res
	}
	r, err := name.ParseReference(ref.String(), name.StrictValidation)
	if err != nil {
		return fail(err)
	}
	auth, err := c.authFor(ctx, ref, r.Context())
	if err != nil {
		return fail(err)
	}
	tr, sizeAnnotation, err := c.route(ctx)
	if err != nil {
		return fail(err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth), remote.WithTransport(tr)}
	desc, err := remote.Get(r, ropts...)
	if err != nil {
		return fail(err)
	}
	res.Digest = desc.Digest.String()

	var digests []v1.Hash
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return fail(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return fail(err)
		}
		for _, m := range im.Manifests {
			p := Platform{}
			if m.Platform != nil {
				p = Platform{OS: m.Platform.OS, Architecture: m.Platform.Architecture, OSVersion: m.Platform.OSVersion}
			}
			res.Platforms = append(res.Platforms, p)
			digests = append(digests, m.Digest)
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			return fail(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			return fail(err)
		}
		res.Platforms = []Platform{{OS: cfg.OS, Architecture: cfg.Architecture, OSVersion: cfg.OSVersion}}
		digests = []v1.Hash{desc.Digest}
	}

	d := Decide(host, res.Platforms)
	if !d.OK {
		res.Verdict, res.Reason = Incompatible, d.Reason
		return res
	}
	chosen := digests[d.Chosen]
	res.Verdict = Compatible
	res.Chosen = &Chosen{Digest: chosen.String(), OSVersion: res.Platforms[d.Chosen].OSVersion}

	var m *v1.Manifest
	if chosen == desc.Digest {
		img, err := desc.Image()
		if err != nil {
			return fail(err)
		}
		if m, err = img.Manifest(); err != nil {
			return fail(err)
		}
	} else {
		cd, err := remote.Get(r.Context().Digest(chosen.String()), ropts...)
		if err != nil {
			return fail(err)
		}
		if m, err = v1.ParseManifest(bytes.NewReader(cd.Manifest)); err != nil {
			return fail(err)
		}
	}
	res.blobs = map[string]int64{m.Config.Digest.String(): m.Config.Size}
	res.CompressedBytes = m.Config.Size
	for _, l := range m.Layers {
		n := l.Size
		if a := sizeAnnotation; a != "" {
			if v, err := strconv.ParseInt(l.Annotations[a], 10, 64); err == nil && v >= 0 {
				n = v
			}
		}
		if _, dup := res.blobs[l.Digest.String()]; !dup {
			res.CompressedBytes += n
		}
		res.blobs[l.Digest.String()] = n
	}
	return res
}

// route is where registry requests go: asked of Options.Registries once.
func (c *Checker) route(ctx context.Context) (http.RoundTripper, string, error) {
	c.routeOnce.Do(func() {
		if c.opts.Registries == nil {
			return
		}
		r, err := c.opts.Registries(ctx)
		switch {
		case err != nil:
			c.routeErr = err
		case r != nil:
			c.opts.Transport, c.opts.SizeAnnotation = r.Transport, r.SizeAnnotation
		}
	})
	// A registry that hangs, trickles or streams without end fails the
	// image rather than holding the check.
	return registryProbe{base: httpbound.Transport(c.opts.Transport, c.opts.Limits)}, c.opts.SizeAnnotation, c.routeErr
}

// authFor is the ECR token of an ECR registry (when ECR clients are
// configured), else what the keychain has.
func (c *Checker) authFor(ctx context.Context, ref imageref.Ref, repo name.Repository) (authn.Authenticator, error) {
	account, region, ok := ref.IsECR()
	if !ok || c.opts.ECR == nil {
		return authn.Resolve(ctx, c.opts.Keychain, repo)
	}
	key := account + "/" + region
	c.mu.Lock()
	t := c.tokens[key]
	if t == nil {
		t = &ecrToken{}
		c.tokens[key] = t
	}
	c.mu.Unlock()
	t.once.Do(func() { t.auth, t.err = c.ecrToken(ctx, account, region) })
	return t.auth, t.err
}

// errECRToken marks a failure to obtain an ECR token.
var errECRToken = errors.New("getting an ECR authorization token")

func (c *Checker) ecrToken(ctx context.Context, account, region string) (authn.Authenticator, error) {
	// registryIds is deprecated (a token serves every registry of the
	// region) but still names the registry the token is wanted for, and the
	// endpoint answered.
	//lint:ignore SA1019 registryIds set on purpose, see above
	in := &ecr.GetAuthorizationTokenInput{RegistryIds: []string{account}}
	out, err := c.opts.ECR(region).GetAuthorizationToken(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("%w for %s in %s: %w", errECRToken, account, region, err)
	}
	if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
		return nil, fmt.Errorf("%w for %s in %s: the answer holds no token", errECRToken, account, region)
	}
	raw, err := base64.StdEncoding.DecodeString(*out.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		return nil, fmt.Errorf("%w for %s in %s: the token is not base64", errECRToken, account, region)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, fmt.Errorf("%w for %s in %s: the token is not user:password", errECRToken, account, region)
	}
	return &authn.Basic{Username: user, Password: pass}, nil
}

// classify turns an error reading an image into its kind and a reason with
// the fix. ecrToken reports that an ECR token was sent.
func classify(ref imageref.Ref, ecrToken bool, err error) (ErrorKind, string) {
	_, _, isECR := ref.IsECR()
	var nar *NotARegistryError
	if errors.As(err, &nar) {
		return NotARegistry, fmt.Sprintf("not a registry: %s; check the registry host and port in %s", nar, ref)
	}
	var nis *NotInSandboxError
	if errors.As(err, &nis) {
		return Unreachable, fmt.Sprintf("unreachable: %s; while the AWS endpoint is a winami sandbox no registry off this machine is asked: use an image the sandbox serves, or point winami at AWS", nis)
	}
	if errors.Is(err, errECRToken) {
		return Unauthorized, err.Error() + "; check the AWS credentials and that they allow ecr:GetAuthorizationToken"
	}
	var te *transport.Error
	if errors.As(err, &te) {
		msg := err.Error()
		switch {
		case te.StatusCode == http.StatusUnauthorized:
			if ecrToken {
				return Unauthorized, fmt.Sprintf("unauthorized: %s refused the ECR token (%s); check the AWS credentials' account and region", ref.Registry, msg)
			}
			fix := fmt.Sprintf("run `docker login %s` (~/.docker/config.json is honoured)", ref.Registry)
			if isECR {
				fix = "give AWS credentials for an ECR token, or " + fix
			}
			return Unauthorized, fmt.Sprintf("unauthorized: %s asks for credentials (%s); %s", ref.Registry, msg, fix)
		case te.StatusCode == http.StatusForbidden:
			if isECR {
				return Denied, fmt.Sprintf("denied: %s; the caller needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository (its repository policy must allow other accounts)", msg)
			}
			return Denied, "denied: " + msg
		case te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode):
			return NotFound, fmt.Sprintf("not found: %s (%s)", ref, msg)
		}
		return Failed, msg
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &oe) || errors.As(err, &de) || (errors.As(err, &ne) && ne.Timeout()) {
		return Unreachable, fmt.Sprintf("unreachable: %s: %v", ref.Registry, err)
	}
	return Failed, err.Error()
}

func hasCode(te *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range te.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}
