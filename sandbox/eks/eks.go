// Package eks is the sandbox's Amazon EKS (REST JSON): the clusters and
// managed node groups of the seeded world. A cluster's endpoint is the
// sandbox's own Kubernetes API for it (package kube).
package eks

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// EKS's list operations take maxResults 1 to 100 (100 when left out).
const (
	minResults = 1
	maxResults = 100
)

// namePattern is what EKS accepts as a cluster or node group name.
var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]*$`) })

type service struct {
	store *state.Store
	now   func() time.Time
	// pace is how long each step of a node group update's waves takes.
	pace time.Duration
}

// Option configures the EKS service.
type Option func(*service)

// WithRolloutPace sets how long each step of a managed node group update
// takes (world.DefaultReplacePace unless set; zero makes updates finish
// at once).
func WithRolloutPace(d time.Duration) Option {
	return func(s *service) { s.pace = max(d, 0) }
}

// New returns the EKS service over the store.
func New(store *state.Store, now func() time.Time, opts ...Option) *protocol.Service {
	s := &service{store: store, now: now, pace: world.DefaultReplacePace}
	for _, o := range opts {
		o(s)
	}
	return &protocol.Service{
		Name:     "eks",
		Protocol: protocol.RESTJSON,
		Routes: []protocol.Route{
			{Method: http.MethodGet, Pattern: "/clusters", Operation: "ListClusters"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}", Operation: "DescribeCluster"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}/node-groups", Operation: "ListNodegroups"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}/node-groups/{nodegroupName}", Operation: "DescribeNodegroup"},
			{Method: http.MethodPost, Pattern: "/clusters/{name}/node-groups/{nodegroupName}/update-version", Operation: "UpdateNodegroupVersion"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}/updates", Operation: "ListUpdates"},
			{Method: http.MethodGet, Pattern: "/clusters/{name}/updates/{updateId}", Operation: "DescribeUpdate"},
		},
		ThrottleCode:   "ThrottlingException",
		ThrottleStatus: http.StatusTooManyRequests,
		InternalCode:   "ServerException",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"ListClusters":           s.listClusters,
			"DescribeCluster":        s.describeCluster,
			"ListNodegroups":         s.listNodegroups,
			"DescribeNodegroup":      s.describeNodegroup,
			"UpdateNodegroupVersion": s.updateNodegroupVersion,
			"ListUpdates":            s.listUpdates,
			"DescribeUpdate":         s.describeUpdate,
		},
	}
}

// view runs fn over the world after checking the request's region, which
// EKS answers as AWS answers a region the account has not enabled.
// Node group updates in flight are first brought up to the clock.
func (s *service) view(req *protocol.Request, fn func(w *world.World) error) error {
	if err := world.CatchUpReplacements(s.store, s.now()); err != nil {
		return err
	}
	return s.store.View(func(w *world.World) error {
		if w.Region(req.Region) == nil {
			return unrecognizedClient()
		}
		return fn(w)
	})
}

// update is view for changes.
func (s *service) update(req *protocol.Request, fn func(w *world.World) error) error {
	return s.store.Update(func(w *world.World) error {
		if w.Region(req.Region) == nil {
			return unrecognizedClient()
		}
		w.AdvanceReplacements(s.now())
		return fn(w)
	})
}

func unrecognizedClient() error {
	return protocol.StatusError(http.StatusForbidden, "UnrecognizedClientException",
		"The security token included in the request is invalid.")
}

// checkName validates a cluster or node group name as EKS does, naming the
// parameter as its messages do.
func checkName(param, v string) error {
	if len(v) > 100 {
		return protocol.Errorf("InvalidParameterException", "The parameter %s should not be greater than 100 characters.", param)
	}
	if !namePattern().MatchString(v) {
		return protocol.Errorf("InvalidParameterException",
			`The parameter %s contains invalid characters. It should conform to the regular expression "^[0-9A-Za-z][A-Za-z0-9-_]*"In other words, it should start with a number or letter, and can contain numbers, letters, dashes, and underscores.`, param)
	}
	return nil
}

func clusterNotFound(name string) error {
	return protocol.StatusError(http.StatusNotFound, "ResourceNotFoundException", "No cluster found for name: %s.", name)
}

// page reads maxResults and nextToken; the token is the last name of the
// previous page, encoded so that callers treat it as opaque.
type page struct {
	limit int
	after string
}

func parsePage(req *protocol.Request) (page, error) {
	p := page{limit: maxResults}
	if v := req.Query.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, protocol.Errorf("InvalidParameterException", "The parameter maxResults must be a number, not '%s'.", v)
		}
		if n < minResults || n > maxResults {
			return p, protocol.Errorf("InvalidParameterException",
				"1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value %s",
				n, rangeConstraint(n))
		}
		p.limit = n
	}
	if tok := req.Query.Get("nextToken"); tok != "" {
		key, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(key) == 0 {
			return p, protocol.Errorf("InvalidParameterException", "The nextToken parameter is not valid.")
		}
		p.after = string(key)
	}
	return p, nil
}

func rangeConstraint(n int) string {
	if n < minResults {
		return "greater than or equal to " + strconv.Itoa(minResults)
	}
	return "less than or equal to " + strconv.Itoa(maxResults)
}

// cut returns the page of sorted names after p.after and the next token.
func (p page) cut(names []string) ([]string, *string) {
	start := 0
	for start < len(names) && p.after != "" && names[start] <= p.after {
		start++
	}
	rest := names[start:]
	if len(rest) <= p.limit {
		return rest, nil
	}
	rest = rest[:p.limit]
	tok := encodeToken(rest[len(rest)-1])
	return rest, &tok
}

func encodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte(key)) }

// epoch is a REST JSON timestamp: seconds since the epoch.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
