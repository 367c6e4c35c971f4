package ec2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func TestDescribeImageAttribute(t *testing.T) {
	e := startFastLaunch(t)
	attr := func(c *ec2.Client, id string, a types.ImageAttributeName) (*ec2.DescribeImageAttributeOutput, error) {
		return c.DescribeImageAttribute(t.Context(), &ec2.DescribeImageAttributeInput{ImageId: aws.String(id), Attribute: a})
	}
	out, err := attr(e.c, e.own, types.ImageAttributeNameLaunchPermission)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ImageId) != e.own || len(out.LaunchPermissions) != 1 || aws.ToString(out.LaunchPermissions[0].UserId) != world.PartnerAccountID {
		t.Errorf("launch permissions %+v, want the partner", out.LaunchPermissions)
	}
	out, err = attr(e.c, e.own, types.ImageAttributeNameDescription)
	if err != nil {
		t.Fatal(err)
	}
	if d := aws.ToString(out.Description.Value); d == "" || out.LaunchPermissions != nil {
		t.Errorf("description %q, launch permissions %v", d, out.LaunchPermissions)
	}
	// Amazon's public AMI: its description is anyone's, its sharing is not.
	if _, err := attr(e.c, e.amazon, types.ImageAttributeNameDescription); err != nil {
		t.Error(err)
	}
	_, err = attr(e.c, e.amazon, types.ImageAttributeNameLaunchPermission)
	sandboxtest.WantAPIError(t, err, "AuthFailure", "Not authorized for image:"+e.amazon)
	// The partner sees the AMI shared with it, but not whom it is shared with.
	_, err = attr(e.partner, e.own, types.ImageAttributeNameLaunchPermission)
	sandboxtest.WantAPIError(t, err, "AuthFailure", "")
	_, err = attr(e.c, "ami-0123456789abcdef0", types.ImageAttributeNameDescription)
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist")
	_, err = attr(e.c, e.own, "colour")
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Value (colour) for parameter attribute is invalid. Unknown attribute.")
}
