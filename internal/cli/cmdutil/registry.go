package cmdutil

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/registry"
)

// RegistryEndpointEnv names the environment variable behind
// --registry-endpoint.
const RegistryEndpointEnv = "WINAMI_REGISTRY_ENDPOINT"

// ImageCheckerOptions configure an images.Checker for this command: ECR
// tokens through the command's AWS clients, and container registry
// requests sent to the sandbox when there is one — the embedded sandbox
// with --sandbox, or a standalone one named by --registry-endpoint.
func (a *App) ImageCheckerOptions(clients *awsapi.Clients) (images.Options, error) {
	opts := images.Options{ECR: func(region string) images.ECRAPI { return clients.ECR(region) }}
	addr := a.SandboxAddr()
	if addr == "" && a.Globals.RegistryEndpoint != "" {
		var err error
		if addr, err = loopbackHostPort(a.Globals.RegistryEndpoint); err != nil {
			return images.Options{}, err
		}
	}
	if addr != "" {
		// The sandbox serves every registry host itself; its layers are
		// tiny, and the size each stands for is an annotation.
		opts.Transport = sandbox.RegistryTransport(addr, nil)
		opts.SizeAnnotation = registry.SimulatedSizeAnnotation
	}
	return opts, nil
}

// loopbackHostPort reads --registry-endpoint: host:port or http://host:port
// on a loopback address. Registry requests go there over plain HTTP with
// their credentials (ECR tokens), so nothing else is accepted.
func loopbackHostPort(raw string) (string, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	bad := func(why string) error {
		return Usagef("--registry-endpoint %q: %s; give the host:port of a local winami sandbox, e.g. 127.0.0.1:4566", raw, why)
	}
	if err != nil || u.Host == "" {
		return "", bad("not a host:port or http:// URL")
	}
	if u.Scheme != "http" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", bad("only http://host:port is accepted")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" {
		return "", bad("a port is needed")
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", bad(fmt.Sprintf("%s is not a loopback address, and registry credentials must not cross the network in plain HTTP", host))
	}
	return u.Host, nil
}
