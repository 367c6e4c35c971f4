package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
)

// IDCallerEC2 is the caller's EC2 permission, probed with DryRun.
const IDCallerEC2 = "caller-ec2"

// callerPerms are the calls apply and build make as the caller, on the
// resources they make them on: Image Builder's resources named after the
// spec, iam:PassRole on the build role (CreateInfrastructureConfiguration
// needs it), the SSM parameters apply writes and plan reads.
func (r *runner) callerPerms(roleARN string) []images.Permission {
	p, region, acct := r.partition(), r.spec.Region, r.caller.Account
	ib := func(kind, name string) string {
		return fmt.Sprintf("arn:%s:imagebuilder:%s:%s:%s/%s", p, region, acct, kind, name)
	}
	base := "winami-" + r.spec.Name
	var out []images.Permission
	add := func(resource string, actions ...string) {
		for _, a := range actions {
			out = append(out, images.Permission{Action: a, Resource: resource})
		}
	}
	add("*", "imagebuilder:ListComponents", "imagebuilder:ListImageRecipes", "imagebuilder:ListInfrastructureConfigurations",
		"imagebuilder:ListDistributionConfigurations", "imagebuilder:ListImagePipelines")
	add(ib("component", base+"-*/*"), "imagebuilder:CreateComponent", "imagebuilder:GetComponent", "imagebuilder:TagResource")
	add(ib("image-recipe", base+"/*"), "imagebuilder:CreateImageRecipe", "imagebuilder:GetImageRecipe", "imagebuilder:TagResource")
	add(ib("infrastructure-configuration", base), "imagebuilder:CreateInfrastructureConfiguration",
		"imagebuilder:UpdateInfrastructureConfiguration", "imagebuilder:GetInfrastructureConfiguration")
	add(ib("distribution-configuration", base), "imagebuilder:CreateDistributionConfiguration",
		"imagebuilder:UpdateDistributionConfiguration", "imagebuilder:GetDistributionConfiguration")
	add(ib("image-pipeline", base), "imagebuilder:CreateImagePipeline", "imagebuilder:UpdateImagePipeline",
		"imagebuilder:GetImagePipeline", "imagebuilder:StartImagePipelineExecution", "imagebuilder:ListImagePipelineImages")
	add(ib("image", base+"/*"), "imagebuilder:GetImage")
	if roleARN == "" {
		roleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", p, acct, r.spec.Build.InstanceProfile)
	}
	add(roleARN, "iam:PassRole")
	add(fmt.Sprintf("arn:%s:ssm:%s::parameter/aws/service/ami-windows-latest/*", p, region), "ssm:GetParameter", "ssm:GetParameters")
	for _, reg := range r.distributionRegions() {
		if r.spec.Cache != nil && len(r.spec.Cache.Images) > 0 {
			add(fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/winami/%s/image-cache/*", p, reg, acct, r.spec.Name), "ssm:PutParameter")
		}
		if prm := r.spec.PublishParameter(); prm != "" {
			add(fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s", p, reg, acct, strings.TrimPrefix(prm, "/")), "ssm:PutParameter")
		}
	}
	return out
}

// callerPermissions simulates the caller's own policies for what apply and
// build call, and probes EC2 with DryRun (which needs no IAM read at all).
func (r *runner) callerPermissions(ctx context.Context) []Check {
	c := Check{ID: IDCallerPermissions, Title: "you may call what apply and build call", Method: MethodSimulate}
	fix := "winami iam policy --for build prints the whole policy winami needs"
	switch {
	case r.caller.Account == "":
		c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
		c.Detail = "your identity is unknown, so your permissions were not checked"
	case r.caller.PrincipalARN == "":
		c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
		c.Detail = "your IAM principal could not be read, so your permissions were not simulated"
	default:
		perms := r.callerPerms(r.loadRole(ctx).arn)
		denied, decisions, err := r.simulate(ctx, r.caller.PrincipalARN, perms)
		switch {
		case err != nil:
			c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
			c.Detail = "you may not simulate your own policies (iam:SimulatePrincipalPolicy), so they were not checked: " + awsapi.Explain(err).Error()
		case len(denied) == 0:
			c.Status, c.Detail = Pass, fmt.Sprintf("%d actions allowed", len(perms))
		default:
			lines := make([]string, len(denied))
			for i, d := range denied {
				lines[i] = fmt.Sprintf("%s on %s (%s)", d.Action, d.Resource, decisions[d])
			}
			c.Status, c.Detail = Fail, "denied: "+strings.Join(lines, "; ")
			c.Fix = fmt.Sprintf("attach to %s:\n%s\nor the whole policy winami needs: winami iam policy --for build", r.caller.PrincipalARN, grantPolicy(denied))
		}
	}
	return []Check{c, r.callerEC2(ctx)}
}

// callerEC2 asks EC2 itself: DescribeImages with DryRun answers
// DryRunOperation when the caller may, UnauthorizedOperation when not.
func (r *runner) callerEC2(ctx context.Context) Check {
	c := Check{ID: IDCallerEC2, Title: "you may describe images (ec2:DescribeImages)", Method: MethodDryRun}
	_, err := r.deps.EC2(r.spec.Region).DescribeImages(ctx, &ec2.DescribeImagesInput{DryRun: aws.Bool(true), Owners: []string{"self"}})
	switch {
	case awsapi.HasCode(err, "DryRunOperation"):
		c.Status, c.Detail = Pass, "EC2 answered DryRunOperation"
	case awsapi.HasCode(err, "UnauthorizedOperation"):
		c.Status, c.Detail = Fail, "EC2 answered UnauthorizedOperation"
		c.Fix = "allow ec2:DescribeImages (plan, build and status read AMIs with it)"
	case err == nil:
		c.Status, c.Method, c.Detail = Warn, MethodUnknown, "EC2 ignored DryRun"
	default:
		c.Status, c.Method, c.Detail = Warn, MethodUnknown, awsapi.Explain(err).Error()
	}
	return c
}

// grantPolicy is a policy document allowing perms, one statement per
// resource.
func grantPolicy(perms []images.Permission) string {
	type stmt struct {
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource string   `json:"Resource"`
	}
	var stmts []stmt
	idx := map[string]int{}
	for _, p := range perms {
		i, ok := idx[p.Resource]
		if !ok {
			i = len(stmts)
			idx[p.Resource] = i
			stmts = append(stmts, stmt{Effect: "Allow", Resource: p.Resource})
		}
		stmts[i].Action = append(stmts[i].Action, p.Action)
	}
	b, _ := json.MarshalIndent(struct {
		Version   string `json:"Version"`
		Statement []stmt `json:"Statement"`
	}{"2012-10-17", stmts}, "", "  ")
	return string(b)
}
