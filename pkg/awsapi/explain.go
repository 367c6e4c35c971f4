package awsapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// ExplainedError is a one-line, user-facing account of an AWS failure: what
// went wrong and the fix. The SDK's error stays reachable through Unwrap (for
// errors.As and for -v output).
type ExplainedError struct {
	Message string
	Err     error
}

func (e *ExplainedError) Error() string { return e.Message }
func (e *ExplainedError) Unwrap() error { return e.Err }

// RegionError says which region a per-region failure happened in. Multi-region
// operations wrap each region's error in one, and Explain keeps the region.
type RegionError struct {
	Region string
	Err    error
}

func (e *RegionError) Error() string { return fmt.Sprintf("region %s: %v", e.Region, e.Err) }
func (e *RegionError) Unwrap() error { return e.Err }

// Explain turns common AWS failures (missing or rejected credentials, missing
// permissions, unreachable endpoints, throttling that outlived the retries)
// into an *ExplainedError; other errors are returned unchanged. Errors joined
// with errors.Join are explained one by one.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs := joined.Unwrap()
		out := make([]error, 0, len(errs))
		changed := false
		for _, e := range errs {
			x := Explain(e)
			changed = changed || x != e
			out = append(out, x)
		}
		if !changed {
			return err
		}
		return errors.Join(out...)
	}
	var already *ExplainedError
	if errors.As(err, &already) {
		return err
	}
	msg, ok := explain(err)
	if !ok {
		return err
	}
	var re *RegionError
	if errors.As(err, &re) {
		msg = "region " + re.Region + ": " + msg
	}
	return &ExplainedError{Message: msg, Err: err}
}

// Error codes grouped by the fix they need.
func isAccessDeniedCode(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess":
		return true
	}
	return false
}

func isBadCredentialsCode(code string) bool {
	switch code {
	case "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure",
		"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException":
		return true
	}
	return false
}

func isExpiredCode(code string) bool {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired":
		return true
	}
	return false
}

const noCredentialsMsg = "no AWS credentials found: run `aws configure`, `aws sso login --profile <profile>`, set AWS_PROFILE, or use --sandbox"

func explain(err error) (string, bool) {
	op := "the AWS call"
	perm := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.ServiceID + " " + oe.OperationName
		perm = IAMAction(oe.ServiceID, oe.OperationName)
	}

	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case isAccessDeniedCode(code):
			if perm == "" {
				return fmt.Sprintf("access denied (%s): your AWS identity lacks a permission; grant it or use another profile", code), true
			}
			return fmt.Sprintf("access denied calling %s: your AWS identity needs %s; grant it in IAM or use another profile (check who you are with `aws sts get-caller-identity`)", op, perm), true
		case isExpiredCode(code):
			return fmt.Sprintf("AWS credentials have expired (%s calling %s): run `aws sso login --profile <profile>` or refresh your session credentials", code, op), true
		case isBadCredentialsCode(code):
			// AWS gives the same answer for an opt-in region the account
			// has not enabled, so name that cause too.
			return fmt.Sprintf("AWS rejected the credentials (%s calling %s): check the access key and secret or the profile (`aws configure`, `aws sso login --profile <profile>`); if they work in other regions, this region is not enabled for the account", code, op), true
		case isThrottleCode(code):
			return throttleMsg(op, code), true
		}
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return throttleMsg(op, "client retry quota exhausted"), true
	}

	if isNoCredentials(err) {
		return noCredentialsMsg, true
	}
	if endpoint, cause, ok := unreachable(err); ok {
		return fmt.Sprintf("cannot reach %s (%s): check --endpoint-url / AWS_ENDPOINT_URL, network or proxy", endpoint, cause), true
	}
	return "", false
}

func isThrottleCode(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}

func throttleMsg(op, cause string) string {
	return fmt.Sprintf("AWS kept throttling %s after all retries (%s): try again later, or allow more retries with AWS_MAX_ATTEMPTS=10 (and AWS_RETRY_MODE=adaptive)", op, cause)
}

// IAMAction derives the IAM action from an operation's service ID:
// "SSM"+"GetParameters" → "ssm:GetParameters". Service IDs are the service's
// IAM prefix in every service winami calls, modulo case and spaces. The
// policy test maps the calls it counts with it.
func IAMAction(serviceID, operation string) string {
	if serviceID == "" || operation == "" {
		return ""
	}
	prefix := strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	return prefix + ":" + operation
}

// isNoCredentials recognises the credential chain giving up. The SDK reports
// it only as text (signing and provider errors are untyped), so match the
// phrases its v4 signer and providers use.
func isNoCredentials(err error) bool {
	s := err.Error()
	for _, phrase := range []string{
		"failed to retrieve credentials",
		"failed to refresh cached credentials",
		"no EC2 IMDS role found",
		"AnonymousCredentials is not a valid credential provider",
	} {
		if strings.Contains(s, phrase) {
			return true
		}
	}
	return false
}

// unreachable reports whether err is a failure to connect and, if so, which
// endpoint and the low-level cause.
func unreachable(err error) (endpoint, cause string, ok bool) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		endpoint, cause = dnsErr.Name, "no such host"
		if !dnsErr.IsNotFound {
			cause = "DNS lookup failed"
		}
	case errors.As(err, &opErr):
		if opErr.Addr != nil {
			endpoint = opErr.Addr.String()
		}
		cause = opErr.Op + " failed"
		if opErr.Err != nil {
			cause = opErr.Err.Error()
		}
	default:
		return "", "", false
	}
	// The URL names the endpoint as the user configured it, which is what
	// they need to check, rather than a resolved IP address.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			endpoint = u.Scheme + "://" + u.Host
		}
	}
	if endpoint == "" {
		endpoint = "the AWS endpoint"
	}
	return endpoint, cause, true
}

// HasCode reports whether err is an AWS API error with one of codes: the
// one place callers ask "did AWS answer X?".
func HasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(codes, apiErr.ErrorCode())
}
