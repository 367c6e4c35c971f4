// Package autoscaling is the sandbox's EC2 Auto Scaling (AWS query
// protocol, API version 2011-01-01): Auto Scaling groups and their
// instance refreshes.
package autoscaling

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// DefaultPace is the sandbox's rollout pace: how long Pending and
// Cancelling last at least, and each step of the replacement engine's
// waves (a batch takes two paces and its warm-up).
const DefaultPace = world.DefaultReplacePace

// service carries the operations' dependencies.
type service struct {
	store    *state.Store
	now      func() time.Time
	pace     time.Duration
	replacer Replacer
}

// Option configures the service.
type Option func(*service)

// WithPace sets the pace instead of DefaultPace; 0 makes every step due
// at once (warm-ups and checkpoint delays aside), less than 0 keeps the
// default.
func WithPace(d time.Duration) Option {
	return func(s *service) {
		if d >= 0 {
			s.pace = d
		}
	}
}

// WithReplacer sets what replaces instances; nil keeps the engine.
func WithReplacer(r Replacer) Option {
	return func(s *service) {
		if r != nil {
			s.replacer = r
		}
	}
}

// New returns the Auto Scaling service over the store.
func New(store *state.Store, now func() time.Time, opts ...Option) *protocol.Service {
	s := &service{store: store, now: now, pace: DefaultPace}
	for _, o := range opts {
		o(s)
	}
	if s.replacer == nil {
		s.replacer = &Engine{Pace: s.pace}
	}
	return &protocol.Service{
		Name:           "autoscaling",
		Protocol:       protocol.AWSQuery,
		APIVersion:     "2011-01-01",
		XMLNamespace:   "http://autoscaling.amazonaws.com/doc/2011-01-01/",
		ThrottleCode:   "Throttling",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "InternalFailure",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"DescribeAutoScalingGroups": s.describeAutoScalingGroups,
			"StartInstanceRefresh":      s.startInstanceRefresh,
			"DescribeInstanceRefreshes": s.describeInstanceRefreshes,
			"CancelInstanceRefresh":     s.cancelInstanceRefresh,
			"RollbackInstanceRefresh":   s.rollbackInstanceRefresh,
		},
	}
}

// validationError is the wording AWS's request validation uses for a
// parameter that breaks its constraints.
func validationError(value, param, constraint string) *protocol.Error {
	return protocol.Errorf("ValidationError",
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, param, constraint)
}

// groupName reads the required AutoScalingGroupName (1 to 255 characters).
func groupName(req *protocol.Request) (string, error) {
	v, ok := req.Params["AutoScalingGroupName"]
	if !ok || len(v) == 0 {
		return "", protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
	}
	if n := len(v[0]); n < 1 || n > 255 {
		return "", validationError(v[0], "autoScalingGroupName", "Member must have length between 1 and 255")
	}
	return v[0], nil
}

// groupNotFound is AWS's answer for a group name it does not know.
func groupNotFound(name string) *protocol.Error {
	return protocol.Errorf("ValidationError", "AutoScalingGroup name not found - AutoScaling Group %s not found", name)
}

// lookupGroup is the region's group of that name, or groupNotFound (also
// for another account's group: the caller has no group of that name).
func lookupGroup(w *world.World, req *protocol.Request, name string) (*world.Region, *world.AutoScalingGroup, error) {
	r := w.Region(req.Region)
	if r == nil || r.AutoScalingGroups[name] == nil || w.GroupOwner(r.AutoScalingGroups[name]) != w.CallerAccount(req.AccessKey) {
		return nil, nil, groupNotFound(name)
	}
	return r, r.AutoScalingGroups[name], nil
}

// intParam reads an optional whole-number parameter within [lo, hi].
func intParam(req *protocol.Request, key, field string, lo, hi int64) (*int32, error) {
	v := req.Params.Get(key)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	switch {
	case err != nil:
		return nil, validationError(v, field, "Member must be a number")
	case n < lo:
		return nil, validationError(v, field, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	case n > hi:
		return nil, validationError(v, field, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
	out := int32(n)
	return &out, nil
}

// boolParam reads an optional boolean parameter.
func boolParam(req *protocol.Request, key, field string) (bool, error) {
	switch v := req.Params.Get(key); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, validationError(v, field, "Member must be a boolean")
	}
}

// paging is a decoded NextToken/MaxRecords pair: MaxRecords 1 to 100,
// default 50, as DescribeAutoScalingGroups and DescribeInstanceRefreshes
// take them.
type paging struct {
	after string // the key of the previous page's last item
	limit int
}

func parsePaging(req *protocol.Request) (paging, error) {
	p := paging{limit: 50}
	n, err := intParam(req, "MaxRecords", "maxRecords", 1, 100)
	if err != nil {
		return p, err
	}
	if n != nil {
		p.limit = int(*n)
	}
	if t := req.Params.Get("NextToken"); t != "" {
		after, err := base64.RawURLEncoding.DecodeString(t)
		if err != nil || len(after) == 0 {
			return p, protocol.Errorf("InvalidNextToken", "The token '%s' is invalid.", t)
		}
		p.after = string(after)
	}
	return p, nil
}

// page cuts an ordered list after the token's item and at the limit. It
// returns the next token, or "" at the end; a token whose item is gone
// gives an empty page.
func page[T any](items []T, key func(T) string, p paging) ([]T, string) {
	start := 0
	if p.after != "" {
		start = len(items)
		for i, it := range items {
			if key(it) == p.after {
				start = i + 1
				break
			}
		}
	}
	rest := items[start:]
	if len(rest) <= p.limit {
		return rest, ""
	}
	rest = rest[:p.limit]
	return rest, base64.RawURLEncoding.EncodeToString([]byte(key(rest[len(rest)-1])))
}

// asgTime is Auto Scaling's timestamp form: 2026-11-18T11:04:05.123Z.
func asgTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
