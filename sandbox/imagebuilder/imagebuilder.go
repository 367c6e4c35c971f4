// Package imagebuilder is the sandbox's EC2 Image Builder (REST JSON).
package imagebuilder

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
)

// New returns the Image Builder service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	return &protocol.Service{
		Name:           "imagebuilder",
		Protocol:       protocol.RESTJSON,
		ThrottleCode:   "CallRateLimitExceededException",
		ThrottleStatus: http.StatusTooManyRequests,
		InternalCode:   "ServiceException",
		InternalStatus: http.StatusInternalServerError,
		Operations:     map[string]protocol.Handler{},
	}
}
