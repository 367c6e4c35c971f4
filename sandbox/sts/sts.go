// Package sts is the sandbox's Security Token Service (AWS query protocol).
package sts

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
)

// New returns the STS service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	return &protocol.Service{
		Name:           "sts",
		Protocol:       protocol.AWSQuery,
		APIVersion:     "2011-06-15",
		XMLNamespace:   "https://sts.amazonaws.com/doc/2011-06-15/",
		ThrottleCode:   "Throttling",
		ThrottleStatus: http.StatusBadRequest,
		InternalCode:   "InternalFailure",
		InternalStatus: http.StatusInternalServerError,
		Operations:     map[string]protocol.Handler{},
	}
}
