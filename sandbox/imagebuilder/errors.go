package imagebuilder

import (
	"fmt"
	"net/http"

	"github.com/winami/winami/sandbox/protocol"
)

// The errors Image Builder answers, in its words where they are known from
// public error reports (ResourceAlreadyExists, ResourceDependency,
// InvalidParameterValue), and with the HTTP statuses of its API model.

func notFound(arn string) error {
	return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException",
		"The resource ARN '%s' cannot be found.", arn)
}

func alreadyExists(kind, arn string) error {
	return protocol.Errorf("ResourceAlreadyExistsException",
		"The following resource '%s' already exists: '%s'.", kind, arn)
}

func dependency(arn string) error {
	return protocol.Errorf("ResourceDependencyException",
		"Resource dependency error: The resource ARN '%s' has other resources depended on it.", arn)
}

// invalidParam is the error of a parameter whose value is wrong.
func invalidParam(param, format string, args ...any) error {
	return protocol.Errorf("InvalidParameterValueException",
		"The value supplied for parameter '%s' is not valid. %s", param, fmt.Sprintf(format, args...))
}

// missingParam is the error of a required parameter left out.
func missingParam(param string) error {
	return invalidParam(param, "'%s' is required.", param)
}

func invalidVersion(param, value string) error {
	return protocol.Errorf("InvalidVersionNumberException",
		"The value supplied for parameter '%s' is not valid. '%s' must match pattern ^[0-9]+\\.[0-9]+\\.[0-9]+$, "+
			"each number at most %d; got '%s'.", param, param, maxVersionNode, value)
}

func paramCombination(format string, args ...any) error {
	return protocol.Errorf("InvalidParameterCombinationException", format, args...)
}

func invalidRequest(format string, args ...any) error {
	return protocol.Errorf("InvalidRequestException", format, args...)
}

func mismatch(token string) error {
	return protocol.Errorf("IdempotentParameterMismatchException",
		"The client token '%s' was already used with a request of different parameters.", token)
}

func badToken() error {
	return protocol.Errorf("InvalidPaginationTokenException", "The pagination token is not valid.")
}
