package ec2_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const dryRunMsg = "Request would have succeeded, but DryRun flag is set."

// TestDryRun: every operation answers DryRunOperation when the request would
// succeed, its own error when not, and changes nothing.
func TestDryRun(t *testing.T) {
	e := startFastLaunch(t)
	ctx := t.Context()

	_, err := e.c.EnableFastLaunch(ctx, &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", dryRunMsg)
	if got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{}); len(got) != 0 {
		t.Errorf("a dry run enabled Fast Launch: %+v", got)
	}
	if e.hasRole(t, world.DefaultAccountID, flRole) {
		t.Error("a dry run created the service-linked role")
	}
	_, err = e.c.EnableFastLaunch(ctx, &ec2.EnableFastLaunchInput{ImageId: aws.String(e.amazon), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "InvalidParameter", "")

	_, err = e.c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(e.own), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", dryRunMsg)
	if imgs := describe(t, e.c, &ec2.DescribeImagesInput{ImageIds: []string{e.own}}); len(imgs) != 1 {
		t.Error("a dry run deregistered the image")
	}
	_, err = e.c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(e.amazon), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "AuthFailure", "")

	for name, call := range map[string]func() error{
		"DescribeRegions": func() error {
			_, err := e.c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: aws.Bool(true)})
			return err
		},
		"DescribeFastLaunchImages": func() error {
			_, err := e.c.DescribeFastLaunchImages(ctx, &ec2.DescribeFastLaunchImagesInput{DryRun: aws.Bool(true)})
			return err
		},
		"DescribeImageAttribute": func() error {
			_, err := e.c.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: aws.String(e.own), Attribute: "launchPermission", DryRun: aws.Bool(true)})
			return err
		},
		"DescribeAvailabilityZones": func() error {
			_, err := e.c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{DryRun: aws.Bool(true)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { sandboxtest.WantAPIError(t, call(), "DryRunOperation", dryRunMsg) })
	}
}

// DryRun asks whether the caller may: the partner's user may describe but
// not deregister, and is told so before anything else is checked.
func TestDryRunChecksPermissions(t *testing.T) {
	e := startFastLaunch(t)
	ctx := t.Context()
	_, err := e.partner.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(e.own), DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "UnauthorizedOperation",
		"You are not authorized to perform this operation. User: arn:aws:iam::444455556666:user/sandbox is not authorized to perform: ec2:DeregisterImage because no identity-based policy allows the ec2:DeregisterImage action")
	_, err = e.partner.DescribeImages(ctx, &ec2.DescribeImagesInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", dryRunMsg)
	// Without DryRun nothing is enforced: the sandbox's callers may do
	// what the operation itself allows.
	if _, err := e.partner.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{e.own}}); err != nil {
		t.Errorf("describe without DryRun: %v", err)
	}
}

// EC2 takes at most 200 filter values in a call, summed over the filters.
func TestFilterLimit(t *testing.T) {
	e := startFastLaunch(t)
	values := make([]string, 201)
	for i := range values {
		values[i] = fmt.Sprintf("ami-%017x", i)
	}
	_, err := e.c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{Filters: []types.Filter{{Name: aws.String("image-id"), Values: values}}})
	sandboxtest.WantAPIError(t, err, "FilterLimitExceeded", "The maximum number of filter values specified on a single call is 200")
	_, err = e.c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{Filters: []types.Filter{
		{Name: aws.String("image-id"), Values: values[:150]}, {Name: aws.String("name"), Values: values[:51]}}})
	sandboxtest.WantAPIError(t, err, "FilterLimitExceeded", "")
	if _, err := e.c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{Filters: []types.Filter{{Name: aws.String("image-id"), Values: values[:200]}}}); err != nil {
		t.Errorf("200 values: %v", err)
	}
}
