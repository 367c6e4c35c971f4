package ec2

import (
	"context"
	"errors"
	"net/http"

	"github.com/winami/winami/sandbox/iam"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// dryRunKey marks a context whose request asked for DryRun=true.
type dryRunKey struct{}

// errDryRun is what update returns from inside a dry-run change, so that the
// store rolls the change back.
var errDryRun = errors.New("ec2: dry run")

// withDryRun wraps every operation once for EC2's DryRun parameter. EC2
// first checks the caller's permission for the action (UnauthorizedOperation
// when its policies do not allow it — the one place the sandbox enforces
// IAM, as DryRun exists to ask exactly that); then the operation runs as
// usual, so that every check it makes still answers with its own error,
// but what it would change is rolled back (see update), and success is
// answered with DryRunOperation.
func (s *service) withDryRun(operation string, h protocol.Handler) protocol.Handler {
	return func(ctx context.Context, req *protocol.Request) (any, error) {
		if err := protocol.CheckListIndexes(req); err != nil {
			return nil, err
		}
		if err := checkFilterLimit(req); err != nil {
			return nil, err
		}
		dry, err := boolParam(req, "DryRun")
		if err != nil {
			return nil, err
		}
		if !dry {
			return h(ctx, req)
		}
		if err := s.authorize(req, "ec2:"+operation); err != nil {
			return nil, err
		}
		_, err = h(context.WithValue(ctx, dryRunKey{}, true), req)
		if err != nil && !errors.Is(err, errDryRun) {
			return nil, err
		}
		return nil, protocol.StatusError(http.StatusPreconditionFailed, "DryRunOperation",
			"Request would have succeeded, but DryRun flag is set.")
	}
}

// update changes the world as store.Update does, except in a dry run, where
// the change is made, checked, and rolled back.
func (s *service) update(ctx context.Context, fn func(w *world.World) error) error {
	dry, _ := ctx.Value(dryRunKey{}).(bool)
	return s.store.Update(func(w *world.World) error {
		if err := fn(w); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
}

// authorize answers UnauthorizedOperation, with the wording EC2 uses, when
// the caller's policies do not allow action.
func (s *service) authorize(req *protocol.Request, action string) error {
	var decision, arn string
	_ = s.store.View(func(w *world.World) error {
		account := w.CallerAccount(req.AccessKey)
		decision = iam.Decide(w, account, action, "*")
		arn = w.CallerARN(account, req.Region)
		return nil
	})
	switch decision {
	case "allowed":
		return nil
	case "explicitDeny":
		return protocol.StatusError(http.StatusForbidden, "UnauthorizedOperation",
			"You are not authorized to perform this operation. User: %s is not authorized to perform: %s with an explicit deny in an identity-based policy", arn, action)
	}
	return protocol.StatusError(http.StatusForbidden, "UnauthorizedOperation",
		"You are not authorized to perform this operation. User: %s is not authorized to perform: %s because no identity-based policy allows the %s action", arn, action, action)
}

// maxFilterValues is EC2's limit on filter values in one call, summed
// over every filter.
const maxFilterValues = 200

// checkFilterLimit refuses a call with more filter values than EC2 takes,
// with EC2's error.
func checkFilterLimit(req *protocol.Request) error {
	n := 0
	for _, f := range protocol.Filters(req) {
		n += len(f.Values)
	}
	if n > maxFilterValues {
		return protocol.Errorf("FilterLimitExceeded", "The maximum number of filter values specified on a single call is %d", maxFilterValues)
	}
	return nil
}
