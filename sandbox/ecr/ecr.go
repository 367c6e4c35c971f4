// Package ecr is the sandbox's Elastic Container Registry API (JSON 1.1):
// GetAuthorizationToken, DescribeRepositories and DescribeImages over the
// sandbox registry's seeded repositories. The images themselves are served
// by sandbox/registry, which accepts the passwords this service issues.
package ecr

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// TargetPrefix is ECR's X-Amz-Target prefix.
const TargetPrefix = "AmazonEC2ContainerRegistry_V20150921"

// service carries the operations' dependencies.
type service struct {
	store *state.Store
	now   func() time.Time
	reg   *registry.Registry
}

// New returns the ECR service over the store's world (its account and
// regions) and the registry's content (repositories, images, token scheme).
// The registry must be built with the same clock and the world's seed.
func New(store *state.Store, now func() time.Time, reg *registry.Registry) *protocol.Service {
	s := &service{store: store, now: now, reg: reg}
	return &protocol.Service{
		Name:           "ecr",
		Protocol:       protocol.JSON11,
		TargetPrefix:   TargetPrefix,
		ThrottleCode:   "ThrottlingException",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "ServerException",
		InternalStatus: http.StatusInternalServerError,
		Operations: map[string]protocol.Handler{
			"GetAuthorizationToken": s.getAuthorizationToken,
			"DescribeRepositories":  s.describeRepositories,
			"DescribeImages":        s.describeImages,
		},
	}
}

// caller is the request's account, checked against the world's regions.
func (s *service) caller(req *protocol.Request) (string, error) {
	var account string
	err := s.store.View(func(w *world.World) error {
		if w.Region(req.Region) == nil {
			return protocol.Errorf("UnrecognizedClientException", "The security token included in the request is invalid.")
		}
		account = w.AccountID
		return nil
	})
	return account, err
}

var registryIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

func validationError(value, field, constraint string) *protocol.Error {
	return protocol.Errorf("ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

type authorizationData struct {
	AuthorizationToken string  `json:"authorizationToken"`
	ExpiresAt          float64 `json:"expiresAt"`
	ProxyEndpoint      string  `json:"proxyEndpoint"`
}

type getAuthorizationTokenInput struct {
	RegistryIDs []string `json:"registryIds"`
}

func (s *service) getAuthorizationToken(ctx context.Context, req *protocol.Request) (any, error) {
	var in getAuthorizationTokenInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	account, err := s.caller(req)
	if err != nil {
		return nil, err
	}
	if len(in.RegistryIDs) > 10 {
		return nil, validationError("["+strings.Join(in.RegistryIDs, ", ")+"]", "registryIds", "Member must have length less than or equal to 10")
	}
	for _, id := range in.RegistryIDs {
		if !registryIDPattern().MatchString(id) {
			return nil, validationError(id, "registryIds", "Member must satisfy regular expression pattern: [0-9]{12}")
		}
	}
	expires := s.now().Add(registry.TokenLifetime).Truncate(time.Millisecond)
	token := s.reg.Tokens().AuthorizationToken(account, req.Region, expires)
	// registryIds is deprecated: the token works for every registry of the
	// region; each ID asked for gets an entry with its endpoint.
	ids := in.RegistryIDs
	if len(ids) == 0 {
		ids = []string{account}
	}
	data := make([]authorizationData, 0, len(ids))
	for _, id := range ids {
		data = append(data, authorizationData{
			AuthorizationToken: token,
			ExpiresAt:          epochSeconds(expires),
			ProxyEndpoint:      "https://" + registry.ECRHost(id, req.Region),
		})
	}
	return map[string]any{"authorizationData": data}, nil
}

func epochSeconds(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}
