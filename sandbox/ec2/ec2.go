// Package ec2 is the sandbox's EC2 (EC2 query protocol).
package ec2

import (
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
)

// New returns the EC2 service over the store.
func New(store *state.Store, now func() time.Time) *protocol.Service {
	return &protocol.Service{
		Name:           "ec2",
		Protocol:       protocol.EC2Query,
		APIVersion:     "2016-11-15",
		XMLNamespace:   "http://ec2.amazonaws.com/doc/2016-11-15/",
		ThrottleCode:   "RequestLimitExceeded",
		ThrottleStatus: http.StatusServiceUnavailable,
		InternalCode:   "InternalError",
		InternalStatus: http.StatusInternalServerError,
		Operations:     map[string]protocol.Handler{},
	}
}
