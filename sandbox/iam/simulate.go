package iam

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

var (
	principalARNPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):(user|role)(/.*)?/([\w+=,.@-]+)$`)
	})
	actionNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$`) })
)

type simulateResult struct {
	EvaluationResults evaluationResults `xml:"EvaluationResults"`
	IsTruncated       bool              `xml:"IsTruncated"`
	Marker            string            `xml:"Marker,omitempty"`
}

type evaluationResults struct {
	Members []evaluationResultXML `xml:"member"`
}

type evaluationResultXML struct {
	EvalActionName       string     `xml:"EvalActionName"`
	EvalResourceName     string     `xml:"EvalResourceName"`
	EvalDecision         string     `xml:"EvalDecision"`
	MatchedStatements    matchedXML `xml:"MatchedStatements"`
	MissingContextValues missingXML `xml:"MissingContextValues"`
}

type matchedXML struct {
	Members []statementXML `xml:"member"`
}

type missingXML struct {
	Members []string `xml:"member"`
}

type statementXML struct {
	SourcePolicyID   string      `xml:"SourcePolicyId"`
	SourcePolicyType string      `xml:"SourcePolicyType"`
	StartPosition    positionXML `xml:"StartPosition"`
	EndPosition      positionXML `xml:"EndPosition"`
}

type positionXML struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

// simulatePrincipalPolicy evaluates a user's or role's identity policies
// (inline and attached managed ones) for each action on each resource, in
// that order, paged by MaxItems and Marker.
func (s *service) simulatePrincipalPolicy(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Params.Get("PolicySourceArn")
	if arn == "" {
		return nil, protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null")
	}
	m := principalARNPattern().FindStringSubmatch(arn)
	if m == nil {
		return nil, protocol.Errorf("InvalidInput", "Invalid ARN: Could not be parsed! %s", arn)
	}
	account, kind, name := m[1], m[2], m[4]
	actions := protocol.List(req, "ActionNames.member")
	if len(actions) == 0 {
		return nil, protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for _, a := range actions {
		if !actionNamePattern().MatchString(a) {
			return nil, protocol.Errorf("InvalidInput", "Actions must be of the form service:action. Invalid action: %s", a)
		}
	}
	resources := protocol.List(req, "ResourceArns.member")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	var statements []statement
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		policies, err := principalPolicies(a, account, kind, name)
		if err != nil {
			return err
		}
		for _, src := range policies {
			st, err := parseStatements(src)
			if err != nil {
				return fmt.Errorf("reading the policies of %s: %w", arn, err)
			}
			statements = append(statements, st...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []evaluationResultXML
	for _, action := range actions {
		for _, resource := range resources {
			all = append(all, toEvaluation(action, resource, evaluate(statements, action, resource)))
		}
	}
	return pageResults(all, p), nil
}

// principalPolicies are the inline and managed policies of the user or
// role, which must be of the caller's account.
func principalPolicies(a caller, account, kind, name string) ([]sourcePolicy, error) {
	var inline map[string]string
	var managed []string
	switch {
	case kind == "role" && account == a.id && a.iam.Roles[name] != nil:
		r := a.iam.Roles[name]
		inline, managed = r.InlinePolicies, r.ManagedPolicyARNs
	case kind == "user" && account == a.id && a.iam.Users[name] != nil:
		u := a.iam.Users[name]
		inline, managed = u.InlinePolicies, u.ManagedPolicyARNs
	default:
		return nil, protocol.StatusError(http.StatusNotFound, "NoSuchEntity", "The %s with name %s cannot be found.", kind, name)
	}
	var out []sourcePolicy
	for _, n := range slices.Sorted(maps.Keys(inline)) {
		out = append(out, sourcePolicy{id: n, typ: kind, doc: inline[n]})
	}
	known := world.ManagedPolicies()
	for _, arn := range managed {
		if mp, ok := known[arn]; ok {
			out = append(out, sourcePolicy{id: mp.Name, typ: "aws-managed", doc: mp.Document})
		}
	}
	return out, nil
}

func toEvaluation(action, resource string, e evaluation) evaluationResultXML {
	out := evaluationResultXML{EvalActionName: action, EvalResourceName: resource, EvalDecision: e.decision}
	for _, st := range e.matched {
		out.MatchedStatements.Members = append(out.MatchedStatements.Members, statementXML{
			SourcePolicyID: st.src.id, SourcePolicyType: st.src.typ,
			StartPosition: positionXML{Line: st.start.line, Column: st.start.column},
			EndPosition:   positionXML{Line: st.end.line, Column: st.end.column},
		})
	}
	out.MissingContextValues.Members = e.missing
	return out
}

// pageResults cuts the results at the marker (the index of the next result,
// encoded) and MaxItems.
func pageResults(all []evaluationResultXML, p paging) simulateResult {
	start := 0
	if p.after != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(p.after, "#"))
		if err == nil && n >= 0 && n <= len(all) {
			start = n
		}
	}
	end := min(start+p.limit, len(all))
	out := simulateResult{EvaluationResults: evaluationResults{Members: all[start:end]}}
	if end < len(all) {
		out.IsTruncated = true
		out.Marker = base64.RawURLEncoding.EncodeToString([]byte("#" + strconv.Itoa(end)))
	}
	return out
}
