// Package sts is the sandbox's Security Token Service (AWS query protocol).
package sts

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
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
		Operations: map[string]protocol.Handler{
			"GetCallerIdentity": getCallerIdentity(store),
		},
	}
}

// callerIdentity is GetCallerIdentityResult; the json tags serve callers
// that ask for JSON, as aws-iam-authenticator does when verifying EKS tokens.
type callerIdentity struct {
	UserID  string `xml:"UserId" json:"UserId"`
	Account string `xml:"Account" json:"Account"`
	Arn     string `xml:"Arn" json:"Arn"`
}

// getCallerIdentity answers for the IAM user of the account the access key
// names (see world.World.CallerAccount): the sandbox hands out no keys of
// its own.
func getCallerIdentity(store *state.Store) protocol.Handler {
	return func(ctx context.Context, req *protocol.Request) (any, error) {
		var out callerIdentity
		err := store.View(func(w *world.World) error {
			acct := w.CallerAccount(req.AccessKey)
			user := w.UserNameOf(acct)
			out = callerIdentity{
				UserID:  UserID(acct, user),
				Account: acct,
				Arn:     w.CallerARN(acct, req.Region),
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the caller's identity: %w", err)
		}
		return out, nil
	}
}

// UserID is the unique ID of an IAM user, in AWS's form for users: "AIDA"
// and 17 characters of [A-Z2-7]. It is derived from the account and name so
// that a world keeps its IDs across restarts.
func UserID(accountID, userName string) string {
	sum := sha256.Sum256([]byte(accountID + "/" + userName))
	return "AIDA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
