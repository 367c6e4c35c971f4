package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// SandboxAnnouncementPath is where a winami sandbox describes itself and its
// registries (JSON: {"kind": "winami-sandbox", "version": 1, "registries":
// {"endpoint", "hosts", "sizeAnnotation"}}). winami's own knowledge of the
// format, kept apart from the sandbox's code as the house rules ask.
const SandboxAnnouncementPath = "/.well-known/winami-sandbox"

const sandboxKind = "winami-sandbox"

// Registries say where registry requests go, once known.
type Registries struct {
	// Transport carries the registry requests.
	Transport http.RoundTripper
	// SizeAnnotation, when set, is as Options.SizeAnnotation.
	SizeAnnotation string
}

// LocalSandbox is a winami sandbox on this machine serving registries.
type LocalSandbox struct {
	// Addr is the host:port on loopback registry requests go to.
	Addr string
	// Hosts are the registry hosts it serves, as path.Match patterns.
	Hosts []string
	// SizeAnnotation is the layer annotation with the size a layer stands for.
	SizeAnnotation string
}

// Serves reports whether the sandbox serves a registry host (host[:port]).
func (s *LocalSandbox) Serves(registryHost string) bool {
	h := strings.ToLower(registryHost)
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	for _, p := range s.Hosts {
		if ok, _ := path.Match(p, h); ok {
			return true
		}
	}
	return false
}

// NotInSandboxError is the error of a registry request for a host the
// sandbox does not serve: while winami's endpoint is a sandbox nothing
// leaves the machine, so such a host is an error, never a DNS lookup.
type NotInSandboxError struct {
	Host    string // the registry asked for
	Sandbox string // the sandbox's host:port
	Serves  []string
}

func (e *NotInSandboxError) Error() string {
	return fmt.Sprintf("the winami sandbox at %s serves no registry %s (only %s)", e.Sandbox, e.Host, strings.Join(e.Serves, ", "))
}

// Registries routes every registry request to the sandbox over plain HTTP,
// keeping the registry's name in the Host header (which is how the sandbox
// tells mcr.microsoft.com from an ECR host), and refuses, without sending
// it anywhere, a request for a host the sandbox does not serve.
func (s *LocalSandbox) Registries() *Registries {
	return &Registries{Transport: sandboxTransport{s: s, base: loopbackTransport()}, SizeAnnotation: s.SizeAnnotation}
}

type sandboxTransport struct {
	s    *LocalSandbox
	base http.RoundTripper
}

func (t sandboxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.s.Serves(req.URL.Host) {
		return nil, &NotInSandboxError{Host: req.URL.Host, Sandbox: t.s.Addr, Serves: t.s.Hosts}
	}
	r := req.Clone(req.Context())
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.URL.Scheme, r.URL.Host = "http", t.s.Addr
	resp, err := t.base.RoundTrip(r)
	if resp != nil {
		// Errors then name the registry the user asked for, not the sandbox.
		resp.Request = req
	}
	return resp, err
}

// loopbackTransport dials directly, never through a proxy from the
// environment: its requests are for this machine only.
func loopbackTransport() http.RoundTripper {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: time.Minute,
	}
}

// LoopbackHostPort is the host:port of endpoint (an http:// URL, or a bare
// host:port) when it is on loopback; ok is false for anything else, such as
// a real AWS endpoint.
func LoopbackHostPort(endpoint string) (hostport string, ok bool) {
	s := endpoint
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", false
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", false
	}
	if u.Port() == "" {
		return net.JoinHostPort(host, "80"), true
	}
	return u.Host, true
}

// AskSandbox asks the server at addr (host:port on loopback) whether it is a
// winami sandbox, and where its registries are. It answers nil, nil for a
// server that answers but is not a sandbox (say another local AWS
// imitation); an error means the server could not be asked.
func AskSandbox(ctx context.Context, addr string) (*LocalSandbox, error) {
	if _, ok := LoopbackHostPort(addr); !ok {
		return nil, fmt.Errorf("%s is not on loopback", addr)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+SandboxAnnouncementPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: loopbackTransport()}).Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is the sandbox's, which the caller names
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	var a struct {
		Kind       string `json:"kind"`
		Registries struct {
			Endpoint       string   `json:"endpoint"`
			Hosts          []string `json:"hosts"`
			SizeAnnotation string   `json:"sizeAnnotation"`
		} `json:"registries"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil || a.Kind != sandboxKind {
		return nil, nil
	}
	s := &LocalSandbox{Addr: addr, Hosts: a.Registries.Hosts, SizeAnnotation: a.Registries.SizeAnnotation}
	// Registry credentials (ECR tokens) travel there in plain HTTP: only a
	// loopback address is taken, else the address that was asked.
	if hp, ok := LoopbackHostPort(a.Registries.Endpoint); ok && a.Registries.Endpoint != "" {
		s.Addr = hp
	}
	return s, nil
}
