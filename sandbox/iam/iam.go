// Package iam is the sandbox's IAM (AWS query protocol). IAM is global: its
// requests are signed for us-east-1 whatever region the caller works in.
package iam

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
)

// New returns the IAM service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	return &protocol.Service{
		Name:           "iam",
		Protocol:       protocol.AWSQuery,
		APIVersion:     "2010-05-08",
		XMLNamespace:   "https://iam.amazonaws.com/doc/2010-05-08/",
		ThrottleCode:   "Throttling",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "ServiceFailure",
		InternalStatus: http.StatusInternalServerError,
		Operations:     map[string]protocol.Handler{},
	}
}
