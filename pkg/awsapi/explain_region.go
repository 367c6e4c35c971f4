package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/winami/winami/internal/textdist"
)

// knownRegions are the region codes of every AWS partition as of this
// winami's SDK (the SDK keeps its list internal). A region outside it may
// still be new and real, so winami never refuses one up front; it only uses
// the list to explain why a call to such a region failed.
var knownRegions = []string{
	// aws
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
	"eu-west-3", "il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1",
	"sa-east-1", "sa-west-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	// aws-cn, aws-us-gov, aws-eusc and the isolated partitions
	"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1", "eusc-de-east-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1",
	"us-isof-east-1", "us-isof-south-1",
}

// KnownRegion reports whether region is one of the regions winami knows.
func KnownRegion(region string) bool { return slices.Contains(knownRegions, region) }

// suggestRegion is the known region nearest to region when it looks like a
// typo of one ("us-east-9" → "us-east-1"), else "".
func suggestRegion(region string) string { return textdist.Closest(region, knownRegions, 3) }

// callRegionError records the region a call was sent to, so that Explain
// can tell a region typo from rejected credentials or a down endpoint. It
// is transparent: its text is the SDK error's.
type callRegionError struct {
	region string
	err    error
}

func (e *callRegionError) Error() string { return e.err.Error() }
func (e *callRegionError) Unwrap() error { return e.err }

// regionRecorder is the middleware that wraps each failed call's error in a
// callRegionError.
type regionRecorder struct{}

func (regionRecorder) ID() string { return "winami.RecordRegion" }

func (regionRecorder) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		if region := awsmiddleware.GetRegion(ctx); region != "" {
			err = &callRegionError{region: region, err: err}
		}
	}
	return out, md, err
}

// recordRegion adds regionRecorder after the SDK's own initialize steps
// (which put the region into the context).
func recordRegion(stack *middleware.Stack) error {
	return stack.Initialize.Add(regionRecorder{}, middleware.After)
}

// callRegion is the region err's call was sent to: the one the SDK recorded,
// else the one a RegionError names.
func callRegion(err error) string {
	var cr *callRegionError
	if errors.As(err, &cr) {
		return cr.region
	}
	var re *RegionError
	if errors.As(err, &re) {
		return re.Region
	}
	return ""
}

// unknownRegion explains a failure that an unknown region causes: AWS has no
// endpoint for it (DNS), or an endpoint that serves every region (a winami
// sandbox) refuses it as it would a region the account has not enabled.
func unknownRegion(err error) (string, bool) {
	region := callRegion(err)
	if region == "" || KnownRegion(region) {
		return "", false
	}
	var apiErr interface{ ErrorCode() string }
	_, _, unreach := unreachable(err)
	if !unreach && (!errors.As(err, &apiErr) || !isBadCredentialsCode(apiErr.ErrorCode())) {
		return "", false
	}
	msg := fmt.Sprintf("unknown AWS region %q", region)
	if s := suggestRegion(region); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return msg + ": correct it where it was given (--region, --regions, AWS_REGION, the profile or the spec)", true
}
