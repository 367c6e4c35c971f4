package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// IAM's evaluation decisions, as SimulatePrincipalPolicy names them.
const (
	decisionAllowed      = "allowed"
	decisionExplicitDeny = "explicitDeny"
	decisionImplicitDeny = "implicitDeny"
)

// sourcePolicy is one policy of a principal, as SimulatePrincipalPolicy
// reports it in MatchedStatements.
type sourcePolicy struct {
	id  string // the inline policy's name, or the managed policy's name
	typ string // PolicySourceType: "role", "user", "aws-managed"
	doc string
}

// position is a place in a policy document: line and column from 1.
type position struct{ line, column int }

// statement is one parsed policy statement and where it sits in its document.
type statement struct {
	Effect      string                     `json:"Effect"`
	Action      stringList                 `json:"Action"`
	NotAction   stringList                 `json:"NotAction"`
	Resource    stringList                 `json:"Resource"`
	NotResource stringList                 `json:"NotResource"`
	Condition   map[string]json.RawMessage `json:"Condition"`

	src        sourcePolicy
	start, end position
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// parseStatements reads a policy's statements with their positions.
func parseStatements(src sourcePolicy) ([]statement, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(src.doc), &doc); err != nil {
		return nil, fmt.Errorf("policy %s: %w", src.id, err)
	}
	var raws []json.RawMessage
	if t := bytes.TrimSpace(doc.Statement); len(t) > 0 && t[0] == '{' {
		raws = []json.RawMessage{t} // a single statement need not be in a list
	} else if err := json.Unmarshal(doc.Statement, &raws); err != nil {
		return nil, fmt.Errorf("policy %s: %w", src.id, err)
	}
	var out []statement
	from := 0
	for _, raw := range raws {
		var st statement
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("policy %s: %w", src.id, err)
		}
		// A RawMessage is the statement's bytes as written, so it is found
		// verbatim in the document, after the one before it.
		at := strings.Index(src.doc[from:], string(raw))
		if at >= 0 {
			at += from
			st.start, st.end = positionAt(src.doc, at), positionAt(src.doc, at+len(raw))
			from = at + len(raw)
		}
		st.src = src
		out = append(out, st)
	}
	return out, nil
}

func positionAt(doc string, offset int) position {
	before := doc[:offset]
	line := strings.Count(before, "\n") + 1
	return position{line: line, column: offset - strings.LastIndexByte(before, '\n')}
}

// evaluation is the decision for one action on one resource.
type evaluation struct {
	decision string
	matched  []statement
	// missing are the condition keys of statements that would have matched
	// but for a condition: the simulation has no context to satisfy them.
	missing []string
}

// evaluate applies IAM's identity-policy logic: an explicit deny wins, then
// any allow, and without either the request is implicitly denied. A
// statement with a Condition does not apply, since no context keys are
// simulated; its keys are reported as missing instead.
func evaluate(statements []statement, action, resource string) evaluation {
	var allows, denies []statement
	missing := map[string]bool{}
	for _, st := range statements {
		if !st.appliesTo(action, resource) {
			continue
		}
		if len(st.Condition) > 0 {
			for _, keys := range st.Condition {
				var byKey map[string]json.RawMessage
				if json.Unmarshal(keys, &byKey) == nil {
					for k := range byKey {
						missing[k] = true
					}
				}
			}
			continue
		}
		if st.Effect == "Deny" {
			denies = append(denies, st)
		} else if st.Effect == "Allow" {
			allows = append(allows, st)
		}
	}
	e := evaluation{missing: slices.Sorted(maps.Keys(missing))}
	switch {
	case len(denies) > 0:
		e.decision, e.matched = decisionExplicitDeny, denies
	case len(allows) > 0:
		e.decision, e.matched = decisionAllowed, allows
	default:
		e.decision = decisionImplicitDeny
	}
	return e
}

func (st statement) appliesTo(action, resource string) bool {
	var actionOK bool
	switch {
	case len(st.Action) > 0:
		actionOK = slices.ContainsFunc(st.Action, func(p string) bool { return wildcardMatch(strings.ToLower(p), strings.ToLower(action)) })
	case len(st.NotAction) > 0:
		actionOK = !slices.ContainsFunc(st.NotAction, func(p string) bool { return wildcardMatch(strings.ToLower(p), strings.ToLower(action)) })
	}
	if !actionOK {
		return false
	}
	switch {
	case len(st.Resource) > 0:
		return slices.ContainsFunc(st.Resource, func(p string) bool { return wildcardMatch(p, resource) })
	case len(st.NotResource) > 0:
		return !slices.ContainsFunc(st.NotResource, func(p string) bool { return wildcardMatch(p, resource) })
	}
	return false
}

// wildcardMatch is IAM's matching of actions and resources: '*' matches any
// run of characters (':' and '/' included), '?' any one character. A
// simulated resource of "*" is matched only by a pattern that is all '*'.
func wildcardMatch(pattern, s string) bool {
	if s == "*" {
		return strings.Trim(pattern, "*") == ""
	}
	p, t := []rune(pattern), []rune(s)
	starP, starT := -1, 0
	i, j := 0, 0
	for j < len(t) {
		switch {
		case i < len(p) && p[i] == '*':
			starP, starT = i, j
			i++
		case i < len(p) && (p[i] == '?' || p[i] == t[j]):
			i++
			j++
		case starP >= 0:
			starT++
			i, j = starP+1, starT
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}
