package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/winami/winami/pkg/awsapi"
)

// Check IDs, stable for scripts that read -o json.
const (
	IDIdentity         = "identity"
	IDRegionPrefix     = "region:" // + region
	IDInstanceProfile  = "instance-profile"
	IDRoleTrust        = "role-trust"
	IDRoleImageBuilder = "role-imagebuilder"
	IDRoleSSM          = "role-ssm"
	IDRoleECRPull      = "role-ecr-pull"
	IDECRCrossAccount  = "ecr-cross-account:" // + account
	IDSLRImageBuilder  = "slr-imagebuilder"
	IDSLRFastLaunch    = "slr-fastlaunch"
	IDSubnet           = "subnet"
	IDSecurityGroups   = "security-groups"
	IDInstanceTypes    = "instance-types"
	IDParentImage      = "parent-image"
	IDParentLifecycle  = "parent-lifecycle"
	IDLaunchTemplate   = "launch-template:" // + region
	// Fast Launch, in each distribution region of the caller's account
	// (with IDLaunchTemplate and IDSLRFastLaunch), and per other account.
	IDFastLaunchVPC      = "fast-launch-vpc:"      // + region
	IDFastLaunchQuota    = "fast-launch-quota:"    // + region
	IDFastLaunchParallel = "fast-launch-parallel:" // + region
	IDFastLaunchAccount  = "fast-launch-account:"  // + account
	IDCallerPermissions  = "caller-permissions"
)

// identity asks STS (and, for a role session, IAM) who the caller is.
func (r *runner) identity(ctx context.Context) Check {
	c := Check{ID: IDIdentity, Title: "AWS identity"}
	caller, err := awsapi.WhoAmI(ctx, r.deps.STS, r.deps.IAM)
	if err != nil {
		c.Status, c.Detail = Fail, awsapi.Explain(err).Error()
		c.Fix = "configure credentials (aws configure, aws sso login --profile <profile>, AWS_PROFILE) and check them with: aws sts get-caller-identity"
		if awsapi.IsUnreachable(err) {
			// The credentials were never tried: the endpoint is down.
			c.Fix = "start the endpoint named above (a `winami sandbox`?) or correct --endpoint-url / AWS_ENDPOINT_URL; otherwise check the network or proxy"
		}
		return c
	}
	r.caller = caller
	c.Status = Pass
	c.Detail = fmt.Sprintf("%s (account %s)", caller.ARN, caller.Account)
	if caller.PrincipalARN == "" {
		c.Status = Warn
		c.Detail += "; its IAM principal could not be read, so your own permissions cannot be simulated"
		c.Fix = "allow iam:GetRole on your role, or run preflight as an IAM user or role that may read it"
	}
	return c
}

// regions checks that every region the spec uses answers, maxAtOnce at a
// time: one cheap EC2 call each. A region the account has not enabled
// answers AuthFailure, like bad credentials.
func (r *runner) regions(ctx context.Context) []Check {
	regions := r.allRegions()
	out := make([]Check, len(regions))
	eachAtOnce(len(regions), func(i int) { out[i] = r.regionCheck(ctx, regions[i]) })
	return out
}

// regionCheck is one region's line of the regions check.
func (r *runner) regionCheck(ctx context.Context, region string) Check {
	c := Check{ID: IDRegionPrefix + region, Title: "region " + region + " answers", Status: Pass}
	zones, err := r.deps.EC2(region).DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err == nil && len(zones.AvailabilityZones) == 0 {
		err = awsapi.Incomplete("EC2 DescribeAvailabilityZones in "+region, "any zone")
	}
	switch {
	case err == nil:
		c.Detail = "EC2 answered"
	case awsapi.HasCode(err, "UnauthorizedOperation"):
		// It answered; the caller just may not describe zones.
		c.Status, c.Detail = Warn, "EC2 answered but refused DescribeAvailabilityZones"
		c.Fix = "allow ec2:DescribeAvailabilityZones"
	case errors.As(err, new(*awsapi.IncompleteReplyError)):
		c.Status, c.Detail, c.Fix = Fail, err.Error(), "point winami at AWS or a working endpoint"
	default:
		c.Status, c.Detail = Fail, awsapi.Explain(err).Error()
		c.Fix = fmt.Sprintf("enable %s for the account (aws account enable-region --region-name %s), or remove it from the spec", region, region)
		if !awsapi.KnownRegion(region) {
			c.Fix = fmt.Sprintf("correct the region %s in the spec", region)
		}
	}
	return c
}

// isAccessDenied reports whether err is AWS refusing the caller.
func isAccessDenied(err error) bool {
	return awsapi.HasCode(err, "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess")
}

// partition is the ARN partition of the spec's region.
func (r *runner) partition() string { return awsapi.Partition(r.spec.Region) }
