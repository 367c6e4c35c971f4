// Package iam is the sandbox's IAM (AWS query protocol). IAM is global: its
// requests are signed for us-east-1 whatever region the caller works in.
package iam

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// service carries the operations' dependencies.
type service struct {
	store *state.Store
	now   func() time.Time
}

// New returns the IAM service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	s := &service{store: store, now: now}
	return &protocol.Service{
		Name:           "iam",
		Protocol:       protocol.AWSQuery,
		APIVersion:     "2010-05-08",
		XMLNamespace:   "https://iam.amazonaws.com/doc/2010-05-08/",
		ThrottleCode:   "Throttling",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "ServiceFailure",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"GetRole":                     s.getRole,
			"GetRolePolicy":               s.getRolePolicy,
			"ListAttachedRolePolicies":    s.listAttachedRolePolicies,
			"ListRolePolicies":            s.listRolePolicies,
			"CreateServiceLinkedRole":     s.createServiceLinkedRole,
			"GetInstanceProfile":          s.getInstanceProfile,
			"ListInstanceProfiles":        s.listInstanceProfiles,
			"ListInstanceProfilesForRole": s.listInstanceProfilesForRole,
			"GetPolicy":                   s.getPolicy,
			"GetPolicyVersion":            s.getPolicyVersion,
			"SimulatePrincipalPolicy":     s.simulatePrincipalPolicy,
		},
	}
}

// Name patterns and lengths from the IAM API reference.
var (
	namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	pathPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/[\x21-\x7E]*$`) })
)

const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// validationError is the wording AWS's request validation uses for a
// parameter that breaks its constraints.
func validationError(value, param, constraint string) *protocol.Error {
	return protocol.Errorf("ValidationError",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, param, constraint)
}

// requiredName reads a name parameter (RoleName, InstanceProfileName,
// PolicyName) and checks it as IAM does.
func requiredName(req *protocol.Request, param string, maxLen int) (string, error) {
	v, ok := req.Params[param]
	field := lowerFirst(param)
	if !ok || len(v) == 0 {
		return "", protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	name := v[0]
	switch {
	case name == "":
		return "", validationError(name, field, "Member must have length greater than or equal to 1")
	case len(name) > maxLen:
		return "", validationError(name, field,
			fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case !namePattern().MatchString(name):
		return "", validationError(name, field, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return name, nil
}

// pathPrefix reads an optional PathPrefix; "/" lists everything.
func pathPrefix(req *protocol.Request) (string, error) {
	p := req.Params.Get("PathPrefix")
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !pathPattern().MatchString(p) {
		return "", validationError(p, "pathPrefix", `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	return p, nil
}

// paging is a decoded Marker/MaxItems pair.
type paging struct {
	after string // the last name of the previous page
	limit int
}

func parsePaging(req *protocol.Request) (paging, error) {
	p := paging{limit: defaultMaxItems}
	if v := req.Params.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return p, validationError(v, "maxItems", "Member must be a number")
		case n < 1:
			return p, validationError(v, "maxItems", "Member must have value greater than or equal to 1")
		case n > maxMaxItems:
			return p, validationError(v, "maxItems", "Member must have value less than or equal to 1000")
		}
		p.limit = n
	}
	if m := req.Params.Get("Marker"); m != "" {
		after, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil || len(after) == 0 {
			return p, protocol.Errorf("ValidationError", "Invalid Marker.")
		}
		p.after = string(after)
	}
	return p, nil
}

// page cuts a name-sorted list at the marker and the limit. It returns the
// marker of the next page, or "" at the end.
func page[T any](items []T, name func(T) string, p paging) ([]T, string) {
	start := 0
	if p.after != "" {
		for start < len(items) && name(items[start]) <= p.after {
			start++
		}
	}
	rest := items[start:]
	if len(rest) <= p.limit {
		return rest, ""
	}
	rest = rest[:p.limit]
	return rest, base64.RawURLEncoding.EncodeToString([]byte(name(rest[len(rest)-1])))
}

// caller is the calling account: its ID and its IAM.
type caller struct {
	id  string
	iam *world.IAM
}

// callerOf is the account the request's access key belongs to.
func callerOf(w *world.World, req *protocol.Request) caller {
	id := w.CallerAccount(req.AccessKey)
	return caller{id: id, iam: w.IAMOf(id)}
}

func noSuchRole(name string) *protocol.Error {
	return protocol.StatusError(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
}

func partition(req *protocol.Request) string { return world.Partition(req.Region) }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
