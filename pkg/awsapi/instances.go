package awsapi

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// MaxInstanceIDs is how many instance IDs EC2 DescribeInstances takes in
// one call.
const MaxInstanceIDs = 1000

// InstancesByID reads the instances of ids (at most MaxInstanceIDs) with
// LeanInstances, page by page, handing each to each. EC2 fails the whole
// call when one ID is unknown (an instance terminated long ago, or one so
// new that EC2 does not show it yet): those are dropped and the rest asked
// again, three times at most, and are simply not found. called is told of
// every DescribeInstances call, for the caller's counts.
func InstancesByID(ctx context.Context, api EC2API, ids []string, called func(), each func(ec2types.Instance)) error {
	for attempt := 0; len(ids) > 0; attempt++ {
		in := &ec2.DescribeInstancesInput{InstanceIds: ids}
		page, err := api.DescribeInstances(ctx, in, LeanInstances)
		called()
		if HasCode(err, "InvalidInstanceID.NotFound") && attempt < 3 {
			msg := err.Error()
			before := len(ids)
			ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return NamesInstance(msg, id) })
			if len(ids) < before {
				continue
			}
		}
		for err == nil {
			for _, r := range page.Reservations {
				for _, i := range r.Instances {
					each(i)
				}
			}
			if page.NextToken == nil || *page.NextToken == "" {
				return nil
			}
			in.NextToken = page.NextToken
			page, err = api.DescribeInstances(ctx, in, LeanInstances)
			called()
		}
		return err
	}
	return nil
}

// NamesInstance reports whether an EC2 error message names the instance
// ID as a whole word (i-0abc is not named by a message about i-0abcdef).
func NamesInstance(msg, id string) bool {
	for i := strings.Index(msg, id); i >= 0; {
		end := i + len(id)
		if end == len(msg) || !isHexDigit(msg[end]) {
			return true
		}
		next := strings.Index(msg[end:], id)
		if next < 0 {
			return false
		}
		i = end + next
	}
	return false
}

func isHexDigit(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }
