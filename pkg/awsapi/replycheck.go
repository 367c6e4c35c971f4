package awsapi

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
)

const replyCheckID = "winami.ReplyCheck"

// replyCheck refuses a successful reply that carries no request ID. Every
// AWS reply has one (a header for JSON and REST services, requestId or
// RequestId in the body for EC2 and the query services), and the SDK
// records it; a reply without one comes from something that is not AWS — a
// captive portal's HTML page, a wrong port, a half-working proxy — whose
// body the SDK may otherwise decode into an empty, plausible answer ("no
// AMI matches", "no pipeline") that winami would report as success.
func replyCheck(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(replyCheckID,
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			if _, presigned := out.Result.(*v4.PresignedHTTPRequest); presigned {
				return out, md, nil // nothing was sent (an EKS token is a presigned URL)
			}
			if id, ok := awsmiddleware.GetRequestIDMetadata(md); !ok || id == "" {
				return out, md, Incomplete(awsmiddleware.GetServiceID(ctx)+" "+awsmiddleware.GetOperationName(ctx), "a request ID")
			}
			return out, md, nil
		}), middleware.After)
}
