package awsapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

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
	if errors.As(err, &re) && !strings.Contains(msg, re.Region) {
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
	// Before the causes it mimics: an unknown region looks like rejected
	// credentials or an unreachable endpoint.
	if msg, ok := unknownRegion(err); ok {
		return msg, true
	}
	attempts := 0
	var maxErr *retry.MaxAttemptsError
	if errors.As(err, &maxErr) {
		attempts = maxErr.Attempt
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
			return throttleMsg(op, code, attempts), true
		case strings.HasPrefix(code, "InvalidAMIID."):
			return amiNotFoundMsg(err, apiErr), true
		case code == "ResourceNotFoundException" && oe != nil && oe.ServiceID == "EKS" &&
			strings.HasPrefix(apiErr.ErrorMessage(), "No cluster found"):
			return clusterNotFoundMsg(err, apiErr), true
		}
		if status := httpStatus(err); status >= 500 {
			return serverErrorMsg(op, code, status, attempts), true
		}
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return fmt.Sprintf("AWS kept throttling %s until winami's retry budget ran out: try again later, or let the retries adapt to AWS's rate with AWS_RETRY_MODE=adaptive", op), true
	}

	if isNoCredentials(err) {
		// A provider of the chain that could not reach its service (STS for
		// an assumed role, SSO) is not the same as having no credentials;
		// IMDS being unreachable off EC2 is.
		if endpoint, cause, ok := unreachable(err); ok && !strings.Contains(err.Error(), "ec2imds") {
			return fmt.Sprintf("could not get AWS credentials: the credential provider of the profile cannot reach %s (%s); check network, proxy or the profile's endpoint settings", endpoint, cause), true
		}
		return noCredentialsMsg, true
	}
	if endpoint, cause, ok := unreachable(err); ok {
		return fmt.Sprintf("cannot reach %s (%s): check --endpoint-url / AWS_ENDPOINT_URL, network or proxy", endpoint, cause), true
	}
	return "", false
}

// IsUnreachable reports whether err is an AWS endpoint that could not be
// reached (as opposed to one that answered with a refusal), so callers can
// suggest fixing the endpoint rather than the credentials.
func IsUnreachable(err error) bool {
	if isNoCredentials(err) && strings.Contains(err.Error(), "ec2imds") {
		return false
	}
	_, _, ok := unreachable(err)
	return ok
}

func isThrottleCode(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}

// throttleMsg advises more attempts than were made, naming how many were
// (0 = not known).
func throttleMsg(op, code string, attempts int) string {
	if attempts == 0 {
		return fmt.Sprintf("AWS kept throttling %s (%s): try again later, or allow more retries with AWS_MAX_ATTEMPTS above the current limit (winami's default is %d) and AWS_RETRY_MODE=adaptive", op, code, DefaultMaxAttempts)
	}
	return fmt.Sprintf("AWS kept throttling %s for all %d attempts (%s): try again later, or allow more with AWS_MAX_ATTEMPTS=%d (and AWS_RETRY_MODE=adaptive)", op, attempts, code, 2*attempts)
}

// serverErrorMsg explains an AWS-side failure (HTTP 5xx) that outlived the
// retries.
func serverErrorMsg(op, code string, status, attempts int) string {
	tried := ""
	if attempts > 0 {
		tried = fmt.Sprintf(" for all %d attempts", attempts)
	}
	return fmt.Sprintf("AWS failed %s with an error on its side (%s, HTTP %d)%s: try again later; if it persists, check the AWS Health Dashboard for the service and region", op, code, status, tried)
}

// httpStatus is the HTTP status of the response err came with, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// amiIDPattern finds AMI IDs in EC2's error messages ("The image id
// '[ami-0123]' does not exist").
var amiIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`ami-[0-9a-zA-Z]+`) })

func amiNotFoundMsg(err error, apiErr smithy.APIError) string {
	what := "the AMI"
	if ids := amiIDPattern().FindAllString(apiErr.ErrorMessage(), -1); len(ids) > 0 {
		what = "AMI " + strings.Join(slices.Compact(ids), ", ")
	}
	where, fix := "", "check the ID, and name the AMI's region with --region"
	if region := callRegion(err); region != "" {
		where = " in " + region
	}
	if apiErr.ErrorCode() == "InvalidAMIID.Malformed" {
		return fmt.Sprintf("%s is not a valid AMI ID (ami- and 8 or 17 hex digits): check the ID", what)
	}
	return fmt.Sprintf("%s does not exist%s, or is not shared with this account (%s): %s", what, where, apiErr.ErrorCode(), fix)
}

func clusterNotFoundMsg(err error, apiErr smithy.APIError) string {
	name := strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(apiErr.ErrorMessage(), "No cluster found for name:")), ".")
	region := callRegion(err)
	list := "aws eks list-clusters"
	where := ""
	if region != "" {
		where = " in " + region
		list += " --region " + region
	}
	return fmt.Sprintf("EKS cluster %q does not exist%s: check the name and the region (`%s` lists the clusters)", name, where, list)
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
