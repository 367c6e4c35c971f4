package awsapi

import (
	"context"
	"fmt"
	"reflect"

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
			op := awsmiddleware.GetServiceID(ctx) + " " + awsmiddleware.GetOperationName(ctx)
			if id, ok := awsmiddleware.GetRequestIDMetadata(md); !ok || id == "" {
				return out, md, Incomplete(op, "a request ID")
			}
			if token := repeatedPageToken(in.Parameters, out.Result); token != "" {
				return out, md, &RepeatedPageTokenError{Operation: op}
			}
			return out, md, nil
		}), middleware.After)
}

// RepeatedPageTokenError is a list reply whose next-page token is the one
// the request sent: following it would page for ever.
type RepeatedPageTokenError struct{ Operation string }

func (e *RepeatedPageTokenError) Error() string {
	return fmt.Sprintf("%s answered with the page token it was asked for, so the list would never end: the endpoint is not AWS or not working (check --endpoint-url and AWS_ENDPOINT_URL)", e.Operation)
}

// pageTokenFields are the names of the page token in SDK inputs and
// outputs: NextToken (most services) and Marker (IAM).
var pageTokenFields = []string{"NextToken", "Marker"}

// repeatedPageToken returns the token when the output's next token equals
// the input's (both set).
func repeatedPageToken(in, out any) string {
	for _, name := range pageTokenFields {
		sent, got := stringField(in, name), stringField(out, name)
		if sent != "" && sent == got {
			return sent
		}
	}
	return ""
}

// stringField reads a *string field of a struct pointer, "" when absent.
func stringField(v any, name string) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := rv.Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeFor[*string]() || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}
