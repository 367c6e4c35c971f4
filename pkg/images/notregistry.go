package images

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// NotARegistryError is a host that answered the distribution API's base
// request (GET /v2/) as no container registry does: the OCI distribution
// spec has a registry answer 200, or 401 to ask for credentials. A web
// server's 404 page or another API's error is caught here, so the user reads
// "not a registry" rather than that server's HTML.
type NotARegistryError struct {
	Host        string
	Status      string
	ContentType string
}

func (e *NotARegistryError) Error() string {
	what := e.Status
	if e.ContentType != "" {
		what += " (" + e.ContentType + ")"
	}
	return fmt.Sprintf("%s answered GET /v2/ with %s, where a container registry answers 200 or 401", e.Host, what)
}

// registryProbe recognises, in the answer to GET /v2/, a host that is not
// a registry.
type registryProbe struct{ base http.RoundTripper }

func (t registryProbe) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || req.URL.Path != "/v2/" || !notARegistry(resp) {
		return resp, err
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return nil, &NotARegistryError{Host: req.URL.Host, Status: resp.Status, ContentType: ct}
}

// notARegistry: 401 asks for credentials, 403, 429 and 5xx may come from a
// registry that refuses or struggles (their own errors say so); any other
// status, or a 200 web page without the distribution API's header, is not
// what a registry answers.
func notARegistry(resp *http.Response) bool {
	switch c := resp.StatusCode; {
	case c == http.StatusOK:
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return strings.HasPrefix(ct, "text/html") && resp.Header.Get("Docker-Distribution-API-Version") == ""
	case c == http.StatusUnauthorized, c == http.StatusForbidden, c == http.StatusTooManyRequests, c >= 500:
		return false
	}
	return true
}
