package preflight

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/winami/winami/pkg/images"
)

// policyDoc is an IAM policy document as far as preflight reads it: the
// fallback when SimulatePrincipalPolicy may not be called, and the trust
// policy of the build role.
type policyDoc struct {
	Statement statements `json:"Statement"`
}

type statement struct {
	Effect      string          `json:"Effect"`
	Action      stringList      `json:"Action"`
	NotAction   stringList      `json:"NotAction"`
	Resource    stringList      `json:"Resource"`
	NotResource stringList      `json:"NotResource"`
	Principal   json.RawMessage `json:"Principal"`
	Condition   json.RawMessage `json:"Condition"`
}

// statements is one statement or a list of them: IAM accepts both.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var many []statement
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

// stringList is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = stringList{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*l = many
	return err
}

// parsePolicy reads a document as IAM returns it: URL-encoded (RFC 3986)
// JSON in GetRole, GetInstanceProfile, GetRolePolicy and GetPolicyVersion.
func parsePolicy(raw string) (policyDoc, error) {
	text := raw
	if !strings.HasPrefix(strings.TrimSpace(raw), "{") {
		var err error
		if text, err = url.QueryUnescape(raw); err != nil {
			return policyDoc{}, fmt.Errorf("decoding a policy document: %w", err)
		}
	}
	var d policyDoc
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return policyDoc{}, fmt.Errorf("reading a policy document: %w", err)
	}
	return d, nil
}

// trusts reports whether a trust policy lets a service assume the role.
func (d policyDoc) trusts(service string) bool {
	for _, s := range d.Statement {
		if s.Effect != "Allow" || !matchAny(s.Action, "sts:AssumeRole", true) {
			continue
		}
		var p struct {
			Service stringList `json:"Service"`
		}
		if string(s.Principal) == `"*"` {
			return true
		}
		if json.Unmarshal(s.Principal, &p) == nil && matchAny(p.Service, service, false) {
			return true
		}
	}
	return false
}

// grants decides, the way IAM does but without simulating conditions,
// whether the documents together allow perm: an explicit deny wins, then
// any allow. A statement with a Condition is not counted as an allow, as
// its condition may not hold, but is counted as a deny.
func grants(docs []policyDoc, perm images.Permission) bool {
	allowed := false
	for _, d := range docs {
		for _, s := range d.Statement {
			if !s.covers(perm) {
				continue
			}
			switch {
			case s.Effect == "Deny":
				return false
			case s.Effect == "Allow" && len(s.Condition) == 0:
				allowed = true
			}
		}
	}
	return allowed
}

// covers reports whether the statement's actions and resources include perm.
func (s statement) covers(p images.Permission) bool {
	switch {
	case len(s.Action) > 0 && !matchAny(s.Action, p.Action, true):
		return false
	case len(s.NotAction) > 0 && matchAny(s.NotAction, p.Action, true):
		return false
	case len(s.Resource) > 0 && !matchResource(s.Resource, p.Resource):
		return false
	case len(s.NotResource) > 0 && matchResource(s.NotResource, p.Resource):
		return false
	}
	return true
}

// matchResource: a permission on "*" (an action without resources) is
// covered only by an all-wildcard resource, as IAM's simulator decides.
func matchResource(patterns []string, resource string) bool {
	if resource == "*" {
		for _, p := range patterns {
			if strings.Trim(p, "*") == "" {
				return true
			}
		}
		return false
	}
	return matchAny(patterns, resource, false)
}

// matchAny matches value against IAM patterns with * and ? wildcards.
func matchAny(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		expr := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
		if foldCase {
			expr = "(?i)" + expr
		}
		if ok, _ := regexp.MatchString(expr, value); ok {
			return true
		}
	}
	return false
}
