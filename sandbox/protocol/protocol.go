// Package protocol holds the wire side of the sandbox: the four AWS protocols
// the product needs (JSON 1.1, EC2 query, AWS query, REST JSON), routing by the
// SigV4 credential scope, and the error shapes each protocol uses. Services see
// only decoded Requests and return values or *Error; they never touch HTTP.
package protocol

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Kind is one of the AWS wire protocols.
type Kind int

const (
	// JSON11 is awsJson1_1: POST /, X-Amz-Target: Prefix.Operation, JSON body.
	JSON11 Kind = iota + 1
	// EC2Query is the EC2 dialect of the query protocol: form body, XML reply
	// with <xSet><item> lists and <Response><Errors> errors.
	EC2Query
	// AWSQuery is the query protocol of IAM and STS: form body, XML reply
	// wrapped in <OpResult>, errors in <ErrorResponse>.
	AWSQuery
	// RESTJSON is restJson1: the operation is chosen by method and path.
	RESTJSON
)

func (k Kind) String() string {
	switch k {
	case JSON11:
		return "json1.1"
	case EC2Query:
		return "ec2query"
	case AWSQuery:
		return "awsquery"
	case RESTJSON:
		return "restjson"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Request is one decoded API call as a service sees it.
type Request struct {
	Service   string // signing name, e.g. "ssm"
	Region    string // from the credential scope, or the sandbox default
	Operation string // e.g. "GetParameters"
	RequestID string
	AccessKey string // from the credential scope; empty when unsigned

	// Body is the raw JSON body (JSON11, RESTJSON).
	Body []byte
	// Params is the decoded form (EC2Query, AWSQuery).
	Params url.Values
	// PathParams are the {name} segments of a RESTJSON route, unescaped.
	PathParams map[string]string
	// Query is the URL query (RESTJSON).
	Query url.Values
	// Header is the request's header, for the rare operation that reads one.
	Header http.Header
	// Host is the host (and port) the client reached the sandbox at: EKS
	// names the cluster endpoint it serves the Kubernetes API on with it.
	Host string
}

// Handler carries out one operation. It returns the response value, which the
// protocol encodes (JSON for JSON11/RESTJSON; XML elements, with xml tags, for
// the query protocols), or an error: an *Error is answered as that AWS error,
// anything else as the protocol's internal error.
type Handler func(ctx context.Context, req *Request) (any, error)

// Route maps a RESTJSON method and path pattern (segments like {name}; a
// trailing {name+} takes the rest of the path) to an operation.
type Route struct {
	Method    string
	Pattern   string
	Operation string
	// Status is the success status; 0 means 200.
	Status int
}

// Service describes one AWS service of the sandbox.
type Service struct {
	Name     string // SigV4 signing name: "ssm", "ec2", "sts", ...
	Protocol Kind

	// TargetPrefix is the X-Amz-Target prefix of JSON11 services, e.g. "AmazonSSM".
	TargetPrefix string
	// APIVersion is the Version form field of query services, e.g. "2016-11-15".
	APIVersion string
	// XMLNamespace is the xmlns of query replies.
	XMLNamespace string
	// Routes are the RESTJSON routes.
	Routes []Route

	Operations map[string]Handler

	// ThrottleCode and InternalCode name the errors this service answers when
	// it throttles or fails internally, with their HTTP statuses.
	ThrottleCode   string
	ThrottleStatus int
	InternalCode   string
	InternalStatus int
}

// Error is an AWS error, encoded in the shape of the service's protocol.
type Error struct {
	Code    string
	Message string
	// Status is the HTTP status; 0 means 400.
	Status int
	// Server marks a fault of the service rather than of the caller (AWS query
	// reports it as <Type>Receiver</Type>).
	Server bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status to answer with.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// Errorf builds a client error (HTTP 400) with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// StatusError builds an error with an explicit HTTP status.
func StatusError(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, Server: status >= 500}
}

// ThrottleError is the error the service answers when it throttles a caller
// (SSM ThrottlingException 400, EC2 RequestLimitExceeded 503, STS Throttling
// 400). Every SDK retries it.
func (s *Service) ThrottleError() *Error {
	code, status := s.ThrottleCode, s.ThrottleStatus
	if code == "" {
		code = "ThrottlingException"
		if s.Protocol == AWSQuery {
			code = "Throttling"
		}
	}
	if status == 0 {
		status = http.StatusBadRequest
	}
	msg := "Rate exceeded"
	if code == "RequestLimitExceeded" {
		msg = "Request limit exceeded."
	}
	return StatusError(status, code, "%s", msg)
}

// AccessDenied is the error the service answers when a policy denies user
// (the caller's ARN) the action (EC2 UnauthorizedOperation 403; IAM and STS
// AccessDenied 403; the JSON services AccessDeniedException, 400 for awsJson
// and 403 for restJson), in AWS's words "User: <arn> is not authorized to
// perform: <action> <why>". No SDK retries it.
func (s *Service) AccessDenied(user, action, why string) *Error {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s %s", user, action, why)
	switch s.Protocol {
	case EC2Query:
		return StatusError(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. %s", msg)
	case AWSQuery:
		return StatusError(http.StatusForbidden, "AccessDenied", "%s", msg)
	case JSON11:
		return StatusError(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
	}
	return StatusError(http.StatusForbidden, "AccessDeniedException", "%s", msg)
}

// InternalError is the error the service answers when it fails on its own
// side; its 5xx status makes every SDK retry it.
func (s *Service) InternalError(format string, args ...any) *Error {
	return StatusError(s.internalStatus(), s.internalCode(), format, args...)
}
