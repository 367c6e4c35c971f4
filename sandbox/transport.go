package sandbox

import "net/http"

// RegistryTransport sends every registry request to the sandbox at addr
// (host:port) over plain HTTP, keeping the registry's name in the Host
// header, which is how the sandbox's registry tells mcr.microsoft.com from
// an ECR host. Responses keep the original request, so errors name the
// registry the user asked for, not the sandbox.
func RegistryTransport(addr string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return registryTransport{addr: addr, base: base}
}

type registryTransport struct {
	addr string
	base http.RoundTripper
}

func (t registryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.URL.Scheme, r.URL.Host = "http", t.addr
	resp, err := t.base.RoundTrip(r)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}
