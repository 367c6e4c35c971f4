package kube

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TokenPrefix starts every EKS bearer token: "k8s-aws-v1." and the base64url
// (no padding) of a presigned STS GetCallerIdentity URL.
const TokenPrefix = "k8s-aws-v1."

// TokenLifetime is how long an EKS token is accepted after its X-Amz-Date,
// whatever its X-Amz-Expires says: aws-iam-authenticator's rule.
const TokenLifetime = 15 * time.Minute

// TokenClockSkew is how far in the future a token's X-Amz-Date may be: STS
// refuses a signed request dated more than 15 minutes after its own clock
// ("Signature not yet current"), so a token presigned on a machine whose
// clock runs ahead works briefly, and one dated later never does.
const TokenClockSkew = 15 * time.Minute

// maxTokenBytes bounds a token, as aws-iam-authenticator does.
const maxTokenBytes = 4096

// stsHost matches the hosts of AWS STS endpoints, global and regional.
var stsHost = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$`) })

// verifyBearer checks an Authorization header the way EKS's authenticator
// checks a token before it asks STS who signed it: the sandbox does not
// check signatures, so the shape and the clock are all there is to check.
// The cluster name is a signed header, not part of the URL, so a token made
// for another cluster cannot be told apart and is accepted. It returns the
// access key ID that presigned the token: STS would answer with its
// identity, which the cluster then maps, or not (see ServeHTTP).
func verifyBearer(header string, now time.Time) (accessKey string, err error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("no bearer token")
	}
	token = strings.TrimSpace(token)
	if len(token) > maxTokenBytes {
		return "", errors.New("token is too large")
	}
	enc, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return "", fmt.Errorf("token does not start with %q", TokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("token is not base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return "", fmt.Errorf("token is not a URL: %w", err)
	}
	q, err := lowerQuery(u.RawQuery)
	if err != nil {
		return "", err
	}
	if !stsHost().MatchString(u.Hostname()) && scopeService(q.Get("x-amz-credential")) != "sts" {
		return "", fmt.Errorf("the presigned URL is not for STS: host %q", u.Host)
	}
	if u.Path != "/" && u.Path != "" {
		return "", fmt.Errorf("unexpected path %q in the presigned URL", u.Path)
	}
	if q.Get("action") != "GetCallerIdentity" {
		return "", errors.New("unexpected action parameter in the presigned URL")
	}
	if !slices.Contains(strings.Split(q.Get("x-amz-signedheaders"), ";"), "x-k8s-aws-id") {
		return "", errors.New("the client did not sign the x-k8s-aws-id header in the presigned URL")
	}
	expires, err := strconv.Atoi(q.Get("x-amz-expires"))
	if err != nil || expires < 0 || expires > int(TokenLifetime/time.Second) {
		return "", fmt.Errorf("invalid X-Amz-Expires %q in the presigned URL", q.Get("x-amz-expires"))
	}
	date, err := time.Parse("20060102T150405Z", q.Get("x-amz-date"))
	if err != nil {
		return "", fmt.Errorf("invalid X-Amz-Date in the presigned URL: %w", err)
	}
	if date.After(now.Add(TokenClockSkew)) {
		return "", fmt.Errorf("X-Amz-Date %s is not yet valid (more than %.f minutes after the current time)", date, TokenClockSkew.Minutes())
	}
	if now.After(date.Add(TokenLifetime)) {
		return "", fmt.Errorf("X-Amz-Date %s is expired (%.f minute expiration)", date, TokenLifetime.Minutes())
	}
	accessKey, _, _ = strings.Cut(q.Get("x-amz-credential"), "/")
	return accessKey, nil
}

// lowerQuery parses a query with lower-cased keys, refusing repeated keys,
// so that one parameter cannot be read two ways.
func lowerQuery(raw string) (url.Values, error) {
	parsed, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed query in the presigned URL: %w", err)
	}
	q := url.Values{}
	for k, vs := range parsed {
		k = strings.ToLower(k)
		if len(vs) != 1 || q.Has(k) {
			return nil, fmt.Errorf("query parameter %q given more than once", k)
		}
		q.Set(k, vs[0])
	}
	return q, nil
}

// scopeService is the service of a SigV4 credential
// "<key>/<date>/<region>/<service>/aws4_request".
func scopeService(cred string) string {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[3]
}
