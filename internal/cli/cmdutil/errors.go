package cmdutil

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
)

// Exit codes scripts can rely on.
const (
	ExitOK = 0
	// ExitError is any failure: bad input, AWS errors, usage errors.
	ExitError = 1
	// ExitDifferences means the command worked and found differences (a plan
	// with changes, drift, incompatible images).
	ExitDifferences = 2
)

// ExitCodeError carries an exit code other than 1. With a nil Err nothing is
// printed: the command has already reported its finding.
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitCodeError) Unwrap() error { return e.Err }

// Differences is the silent exit 2 of a command that found differences.
func Differences() error { return &ExitCodeError{Code: ExitDifferences} }

// UsageError is bad input on the command line; it is printed with a pointer
// to the command's help.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec *ExitCodeError
	if errors.As(err, &ec) {
		return ec.Code
	}
	return ExitError
}

var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`) })

// CheckRegion rejects what cannot be a region code before it reaches an
// endpoint host name.
func CheckRegion(flag, region string) error {
	if !regionPattern().MatchString(region) {
		return Usagef("%s: %q is not a region code (e.g. us-east-1, eu-west-1)", flag, region)
	}
	return nil
}

// amiID is an EC2 image ID: ami- and 8 (older) or 17 hex digits.
var amiID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`) })

// CheckAMIID is a usage error unless id is an AMI ID; what names the
// flag or argument it came from.
func CheckAMIID(what, id string) error {
	if !amiID().MatchString(id) {
		return Usagef("%s%q is not an AMI ID (ami- and 8 or 17 hex digits)", what, id)
	}
	return nil
}
