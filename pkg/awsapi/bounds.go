package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"

	"github.com/winami/winami/internal/httpbound"
)

// DefaultCallDeadline bounds one AWS call, all its attempts included, when
// Options.CallDeadline is zero.
const DefaultCallDeadline = 2 * time.Minute

// DeadlineError is an AWS call whose attempts did not finish within the
// call deadline.
type DeadlineError struct {
	Operation string
	Deadline  time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("%s did not finish within %s, retries included (raise it with --call-deadline if the endpoint is just slow)", e.Operation, e.Deadline)
}

const callDeadlineID = "winami.CallDeadline"

// bound makes every request of clients built from cfg bounded in time
// and body size (httpbound: a hanging, trickling or endless endpoint fails
// the attempt, which the retryer may repeat), and every call, retries
// included, bounded by deadline.
func bound(cfg *aws.Config, limits httpbound.Limits, deadline time.Duration) {
	limits = limits.OrDefaults()
	if deadline <= 0 {
		deadline = DefaultCallDeadline
	}
	// The SDK's own transport (its dialer and TLS settings), wrapped.
	base := awshttp.NewBuildableClient().GetTransport()
	cfg.HTTPClient = &http.Client{Transport: httpbound.Transport(base, limits)}
	cfg.APIOptions = append(cfg.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(callDeadlineID,
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := awsmiddleware.GetServiceID(ctx) + " " + awsmiddleware.GetOperationName(ctx)
				ctx, cancel := context.WithTimeoutCause(ctx, deadline, &DeadlineError{Operation: op, Deadline: deadline})
				defer cancel()
				out, md, err := next.HandleInitialize(ctx, in)
				if err != nil && ctx.Err() != nil {
					if cause, ok := context.Cause(ctx).(*DeadlineError); ok {
						err = fmt.Errorf("%w: %w", cause, err)
					}
				}
				return out, md, err
			}), middleware.Before)
	})
}
