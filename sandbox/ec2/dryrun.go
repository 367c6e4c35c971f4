package ec2

import (
	"context"
	"errors"
	"net/http"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// dryRunKey marks a context whose request asked for DryRun=true.
type dryRunKey struct{}

// errDryRun is what update returns from inside a dry-run change, so that the
// store rolls the change back.
var errDryRun = errors.New("ec2: dry run")

// withDryRun wraps every operation once for EC2's DryRun parameter: the
// operation runs as usual, so that every check it makes still answers
// with its own error, but what it would change is rolled back (see update)
// and success is answered with DryRunOperation, as EC2 answers a caller
// that is allowed. (The sandbox's callers always are.)
func withDryRun(h protocol.Handler) protocol.Handler {
	return func(ctx context.Context, req *protocol.Request) (any, error) {
		dry, err := boolParam(req, "DryRun")
		if err != nil {
			return nil, err
		}
		if !dry {
			return h(ctx, req)
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
