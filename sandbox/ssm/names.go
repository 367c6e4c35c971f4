package ssm

import (
	"fmt"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
)

// The messages below are AWS's own, as its SDKs and CLI print them (see the
// package tests for where each was observed). They are deliberately verbatim,
// quirks included: the path message really does carry backslashes before the
// quotes around aws and ssm.
const (
	// nameRulesMessage answers a name with a character outside a-zA-Z0-9_.-/,
	// a path without its leading slash, or a name beginning with "ssm".
	nameRulesMessage = `Parameter name: can't be prefixed with "ssm" (case-insensitive). ` +
		`If formed as a path, it can consist of sub-paths divided by slash symbol; ` +
		`each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`
	// pathRulesMessage answers GetParametersByPath with a malformed path.
	pathRulesMessage = `The parameter doesn't meet the parameter name requirements. ` +
		`The parameter name must begin with a forward slash "/". ` +
		`It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). ` +
		`It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). ` +
		`Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". ` +
		`Valid example: /get/parameters2-/by1./path0_.`
)

// Limits of parameter names.
const (
	// maxNameField is the API's length limit of the Name field.
	maxNameField = 2048
	// maxNameLength is the longest name a caller may create: the field's
	// 2048 characters include 1037 that Systems Manager reserves.
	maxNameLength = 1011
	// maxDepth is the deepest hierarchy a name may have.
	maxDepth = 15
)

// validationError is the message shape of AWS's request validation (Coral):
// "1 validation error detected: Value 'x' at 'field' failed to satisfy
// constraint: ...". Sensitive fields are reported without their value.
func validationError(value *string, field, constraint string) *protocol.Error {
	shown := "Value"
	if value != nil {
		shown = fmt.Sprintf("Value '%s'", *value)
	}
	return protocol.Errorf("ValidationException",
		"1 validation error detected: %s at '%s' failed to satisfy constraint: %s", shown, field, constraint)
}

// checkNameField applies the API model's length limits of Name.
func checkNameField(name string) *protocol.Error {
	switch {
	case name == "":
		return validationError(&name, "name", "Member must have length greater than or equal to 1")
	case len(name) > maxNameField:
		return validationError(&name, "name", fmt.Sprintf("Member must have length less than or equal to %d", maxNameField))
	}
	return nil
}

// wellFormed reports whether name uses only a-zA-Z0-9_.-/ and, when it is a
// path, starts with a slash and has no empty level.
func wellFormed(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_.-/", c)) {
			return false
		}
	}
	if !strings.Contains(name, "/") {
		return name != ""
	}
	if !strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
		return false
	}
	return true
}

// depth is the number of levels of a name: "/a/b/c" and "a" have 3 and 1.
func depth(name string) int {
	return len(strings.Split(strings.TrimPrefix(name, "/"), "/"))
}

// checkReadName validates a name a caller reads. Reserved prefixes are fine
// here: the public /aws/service parameters are read by name.
func checkReadName(name string) *protocol.Error {
	if err := checkNameField(name); err != nil {
		return err
	}
	if !wellFormed(name) {
		return protocol.Errorf("ValidationException", "%s", nameRulesMessage)
	}
	return nil
}

// checkWriteName validates a name a caller creates, changes or deletes. Names
// beginning with "aws" or "ssm" (any case, with or without the leading
// slash) are reserved: AWS refuses "aws" ones as AccessDeniedException naming
// the name without its leading slash, and "ssm" ones as a ValidationException.
func checkWriteName(name string) *protocol.Error {
	if err := checkNameField(name); err != nil {
		return err
	}
	bare := strings.TrimPrefix(name, "/")
	lower := strings.ToLower(bare)
	switch {
	case strings.HasPrefix(lower, "aws"):
		return protocol.Errorf("AccessDeniedException", "No access to reserved parameter name: %s.", bare)
	case strings.HasPrefix(lower, "ssm"), !wellFormed(name):
		return protocol.Errorf("ValidationException", "%s", nameRulesMessage)
	case depth(name) > maxDepth:
		return protocol.Errorf("HierarchyLevelLimitExceededException",
			"A hierarchy can have a maximum of %d levels.", maxDepth)
	case len(name) > maxNameLength:
		return protocol.Errorf("ValidationException",
			"Parameter name must not exceed %d characters.", maxNameLength)
	}
	return nil
}

// checkPath validates the Path of GetParametersByPath: "/" or a slash-led
// path of well-formed levels, with or without a trailing slash.
func checkPath(path string) *protocol.Error {
	switch {
	case path == "":
		return validationError(&path, "path", "Member must have length greater than or equal to 1")
	case len(path) > maxNameField:
		return validationError(&path, "path", fmt.Sprintf("Member must have length less than or equal to %d", maxNameField))
	case path == "/":
		return nil
	}
	if !strings.HasPrefix(path, "/") || !wellFormed(strings.TrimSuffix(path, "/")) {
		return protocol.Errorf("ValidationException", "%s", pathRulesMessage)
	}
	return nil
}

// splitSelector splits "name:3" or "name:label" into the name and the
// selector with its colon; names cannot contain a colon.
func splitSelector(ref string) (name, selector string) {
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		return ref[:i], ref[i:]
	}
	return ref, ""
}
