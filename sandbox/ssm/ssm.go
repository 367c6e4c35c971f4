// Package ssm is the sandbox's Systems Manager Parameter Store (JSON 1.1).
package ssm

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
)

// New returns the SSM service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	return &protocol.Service{
		Name:           "ssm",
		Protocol:       protocol.JSON11,
		TargetPrefix:   "AmazonSSM",
		ThrottleCode:   "ThrottlingException",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "InternalServerError",
		InternalStatus: http.StatusInternalServerError,
		Operations:     map[string]protocol.Handler{},
	}
}
