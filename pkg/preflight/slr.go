package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
)

// serviceLinkedRole is a role a service creates in the account on first
// use, if the caller may call iam:CreateServiceLinkedRole.
type serviceLinkedRole struct {
	id, name, service string
}

var slrImageBuilder = serviceLinkedRole{IDSLRImageBuilder, "AWSServiceRoleForImageBuilder", "imagebuilder.amazonaws.com"}

// serviceLinkedRoles checks Image Builder's role. EC2 Fast Launch's is
// fast-launch enable's check (fastLaunch), so that both decide alike.
func (r *runner) serviceLinkedRoles(ctx context.Context) []Check {
	return []Check{r.serviceLinkedRole(ctx, slrImageBuilder)}
}

func (r *runner) serviceLinkedRole(ctx context.Context, slr serviceLinkedRole) Check {
	c := Check{ID: slr.id, Title: "service-linked role " + slr.name}
	fix := "aws iam create-service-linked-role --aws-service-name " + slr.service
	out, err := r.deps.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(slr.name)})
	if err == nil && (out.Role == nil || out.Role.RoleName == nil) {
		err = awsapi.Incomplete("IAM GetRole", "the role")
	}
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		c.Status, c.Detail = Pass, "exists"
		return c
	case !errors.As(err, &nse):
		c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
		c.Detail = "could not tell whether it exists: " + awsapi.Explain(err).Error()
		return c
	}
	if r.caller.PrincipalARN == "" {
		c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
		c.Detail = "does not exist yet; it is created on first use only if you may call iam:CreateServiceLinkedRole, which could not be checked"
		return c
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", r.partition(), r.caller.Account, slr.service, slr.name)
	denied, decisions, err := r.simulate(ctx, r.caller.PrincipalARN, []images.Permission{{Action: "iam:CreateServiceLinkedRole", Resource: arn}})
	c.Method = MethodSimulate
	switch {
	case err != nil:
		c.Status, c.Method, c.Fix = Warn, MethodUnknown, fix
		c.Detail = "does not exist yet, and whether you may create it could not be simulated: " + awsapi.Explain(err).Error()
	case len(denied) == 0:
		c.Status, c.Detail = Pass, "does not exist yet; it is created on first use, which you may (iam:CreateServiceLinkedRole)"
	default:
		c.Status = Fail
		c.Detail = fmt.Sprintf("does not exist, and %s may not create it (iam:CreateServiceLinkedRole: %s)", r.caller.PrincipalARN, decisions[denied[0]])
		c.Fix = fix + "  (run by someone who may, once per account)"
	}
	return c
}
