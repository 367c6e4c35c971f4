package cmdutil

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
)

// RegistryEndpointEnv names the environment variable behind
// --registry-endpoint.
const RegistryEndpointEnv = "WINAMI_REGISTRY_ENDPOINT"

// ImageCheckerOptions configure an images.Checker for this command: ECR
// tokens through the command's AWS clients, and container registry
// requests sent to a winami sandbox when there is one — the embedded
// sandbox with --sandbox, the one named by --registry-endpoint, or the AWS
// endpoint itself when it is on loopback and announces itself as a winami
// sandbox. The question is asked only before the first registry request,
// and only of a loopback address: against real AWS nothing changes.
func (a *App) ImageCheckerOptions(clients *awsapi.Clients) (images.Options, error) {
	opts := images.Options{ECR: func(region string) awsapi.ECRAPI { return clients.ECR(region) }, Limits: a.HTTPLimits()}
	addr, named := a.SandboxAddr(), "--sandbox"
	if addr == "" && a.Globals.RegistryEndpoint != "" {
		var err error
		if addr, err = loopbackHostPort(a.Globals.RegistryEndpoint); err != nil {
			return images.Options{}, err
		}
		named = "--registry-endpoint"
	}
	if addr == "" {
		// The endpoint ECR calls go to: --endpoint-url, AWS_ENDPOINT_URL_ECR,
		// AWS_ENDPOINT_URL or the profile, as the SDK resolves them. ECR's
		// tokens are what the registries accept, so its endpoint is the one
		// whose registries count.
		endpoint := aws.ToString(ecr.NewFromConfig(clients.Config()).Options().BaseEndpoint)
		hp, ok := images.LoopbackHostPort(endpoint)
		if endpoint == "" || !ok {
			return opts, nil
		}
		addr, named = hp, ""
	}
	opts.Registries = func(ctx context.Context) (*images.Registries, error) {
		return a.sandboxRegistries(ctx, addr, named)
	}
	return opts, nil
}

// sandboxRegistries asks addr whether it is a winami sandbox. named is the
// flag that named it, or "" for the AWS endpoint, which may be another
// local AWS imitation: then registries are reached as usual.
func (a *App) sandboxRegistries(ctx context.Context, addr, named string) (*images.Registries, error) {
	sb, err := images.AskSandbox(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("the winami sandbox at %s, whose registries were to answer, does not (%w); start `winami sandbox` there, or point winami elsewhere", addr, err)
	}
	if sb == nil {
		if named != "" {
			return nil, fmt.Errorf("%s %s is not a winami sandbox (it does not answer %s); give the host:port `winami sandbox` printed", named, addr, images.SandboxAnnouncementPath)
		}
		a.Logger().DebugContext(ctx, "the loopback AWS endpoint is no winami sandbox; registries are reached directly", "endpoint", addr)
		return nil, nil
	}
	a.Logger().DebugContext(ctx, "container registries served by the winami sandbox", "endpoint", sb.Addr, "hosts", strings.Join(sb.Hosts, ","))
	return sb.Registries(), nil
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
