package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/pipeline"
)

// network checks the build subnet, its security groups and the instance
// types, in that order: the groups must share the subnet's VPC, and the
// types must be offered in its zone.
func (r *runner) network(ctx context.Context) []Check {
	b := r.spec.Build
	api := r.deps.EC2(r.spec.Region)
	var out []Check
	vpc, zone := "", ""
	if b.SubnetID != "" {
		c := Check{ID: IDSubnet, Title: "build subnet " + b.SubnetID}
		res, err := api.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{b.SubnetID}})
		switch {
		case awsapi.HasCode(err, "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed"):
			c.Status, c.Detail = Fail, fmt.Sprintf("subnet %s does not exist in %s", b.SubnetID, r.spec.Region)
			c.Fix = "name a subnet of " + r.spec.Region + " in build.subnetId (aws ec2 describe-subnets --region " + r.spec.Region + ")"
		case err != nil:
			c.Status, c.Detail, c.Method = Warn, awsapi.Explain(err).Error(), MethodUnknown
		case len(res.Subnets) == 0:
			c.Status, c.Detail = Fail, fmt.Sprintf("subnet %s does not exist in %s", b.SubnetID, r.spec.Region)
		default:
			vpc, zone = aws.ToString(res.Subnets[0].VpcId), aws.ToString(res.Subnets[0].AvailabilityZone)
			c.Status, c.Detail = Pass, fmt.Sprintf("in %s, zone %s", vpc, zone)
		}
		out = append(out, c)
	}
	if len(b.SecurityGroupIDs) > 0 {
		out = append(out, r.securityGroups(ctx, api, vpc))
	}
	return append(out, r.instanceTypes(ctx, api, zone))
}

func (r *runner) securityGroups(ctx context.Context, api awsapi.EC2API, vpc string) Check {
	ids := r.spec.Build.SecurityGroupIDs
	c := Check{ID: IDSecurityGroups, Title: "security groups " + strings.Join(ids, ", ")}
	res, err := api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
	switch {
	case awsapi.HasCode(err, "InvalidGroup.NotFound", "InvalidGroupId.Malformed", "InvalidGroupId.NotFound"):
		c.Status, c.Detail = Fail, fmt.Sprintf("not every group exists in %s: %s", r.spec.Region, awsapi.Explain(err).Error())
		c.Fix = "name existing groups in build.securityGroupIds (aws ec2 describe-security-groups --region " + r.spec.Region + ")"
		return c
	case err != nil:
		c.Status, c.Detail, c.Method = Warn, awsapi.Explain(err).Error(), MethodUnknown
		return c
	}
	var elsewhere []string
	vpcs := map[string]bool{}
	for _, g := range res.SecurityGroups {
		vpcs[aws.ToString(g.VpcId)] = true
		if vpc != "" && aws.ToString(g.VpcId) != vpc {
			elsewhere = append(elsewhere, fmt.Sprintf("%s (%s)", aws.ToString(g.GroupId), aws.ToString(g.VpcId)))
		}
	}
	switch {
	case len(elsewhere) > 0:
		c.Status = Fail
		c.Detail = fmt.Sprintf("not in the subnet's VPC %s: %s; EC2 refuses to launch with them", vpc, strings.Join(elsewhere, ", "))
		c.Fix = fmt.Sprintf("name groups of %s (aws ec2 describe-security-groups --region %s --filters Name=vpc-id,Values=%s), or a subnet of their VPC", vpc, r.spec.Region, vpc)
	case vpc == "" && len(vpcs) > 1:
		c.Status, c.Detail = Fail, "the groups belong to different VPCs; a build instance has one"
		c.Fix = "name groups of one VPC in build.securityGroupIds"
	default:
		c.Status, c.Detail = Pass, "exist"
		if vpc != "" {
			c.Detail += " in the subnet's VPC " + vpc
		}
	}
	return c
}

// instanceTypes: every build instance type is offered in the subnet's
// zone, or, without a subnet, in the region.
func (r *runner) instanceTypes(ctx context.Context, api awsapi.EC2API, zone string) Check {
	types := r.spec.Build.InstanceTypes
	c := Check{ID: IDInstanceTypes, Title: "build instance types offered"}
	if len(types) == 0 {
		c.Status, c.Detail = Pass, "none named: Image Builder picks one"
		return c
	}
	c.Title = "instance types " + strings.Join(types, ", ") + " offered"
	in := &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: ec2types.LocationTypeRegion,
		Filters: []ec2types.Filter{
			{Name: aws.String("location"), Values: []string{r.spec.Region}},
			{Name: aws.String("instance-type"), Values: types},
		},
	}
	where := r.spec.Region
	if zone != "" {
		in.LocationType, in.Filters[0].Values, where = ec2types.LocationTypeAvailabilityZone, []string{zone}, zone
	}
	var offered []string
	p := ec2.NewDescribeInstanceTypeOfferingsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			c.Status, c.Detail, c.Method = Warn, awsapi.Explain(err).Error(), MethodUnknown
			return c
		}
		for _, o := range page.InstanceTypeOfferings {
			offered = append(offered, string(o.InstanceType))
		}
	}
	var missing []string
	for _, t := range types {
		if !slices.Contains(offered, t) {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		c.Status, c.Detail = Pass, "all offered in "+where
		return c
	}
	c.Status = Fail
	c.Detail = fmt.Sprintf("not offered in %s: %s", where, strings.Join(missing, ", "))
	c.Fix = fmt.Sprintf("remove them from build.instanceTypes or use a subnet of another zone; what %s offers: aws ec2 describe-instance-type-offerings --region %s --location-type %s --filters Name=location,Values=%s",
		where, r.spec.Region, in.LocationType, where)
	return c
}

// parentImage resolves the parent as plan will.
func (r *runner) parentImage(ctx context.Context) []Check {
	c := Check{ID: IDParentImage, Title: "parent image resolves"}
	if r.deps.Finder == nil {
		c.Status, c.Detail, c.Method = Warn, "no way to resolve it was given", MethodUnknown
		return []Check{c}
	}
	p, err := pipeline.ResolveParent(ctx, r.deps.Finder, r.spec)
	if err != nil {
		c.Status, c.Detail = Fail, awsapi.Explain(err).Error()
		c.Fix = fmt.Sprintf("check base and kubernetes.version in the spec; what exists: winami ami list --windows %s --edition %s --kubernetes %s --regions %s",
			r.spec.Base.Windows, r.spec.Base.Edition, r.spec.Kubernetes.Version, r.spec.Region)
		return []Check{c}
	}
	c.Status, c.Detail = Pass, fmt.Sprintf("%s (%s)", p.Image, p.Release)
	return []Check{c, r.parentLifecycle(p)}
}

// parentLifecycle warns (never fails: today's build works) when the parent
// is deprecated or about to be, or is a pinned public release Amazon is
// about to make private, with the fix.
func (r *runner) parentLifecycle(p pipeline.Parent) Check {
	c := Check{ID: IDParentLifecycle, Title: "parent image stays available"}
	ws := pipeline.ParentWarnings(r.spec, p, r.deps.Clock.Now())
	if len(ws) == 0 {
		c.Status, c.Detail = Pass, "not deprecated, and not about to leave Amazon's public retention"
		if p.DeprecationTime != "" {
			c.Detail = "deprecated by EC2 only on " + p.DeprecationTime
		}
		return c
	}
	var msgs, fixes []string
	for _, w := range ws {
		msgs = append(msgs, w.Message)
		if !slices.Contains(fixes, w.Fix) {
			fixes = append(fixes, w.Fix)
		}
	}
	c.Status, c.Detail, c.Fix = Warn, strings.Join(msgs, "; "), strings.Join(fixes, "; ")
	return c
}
