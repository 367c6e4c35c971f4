package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
)

// simulate asks IAM whether principal may do each permission and returns
// those it may not, with IAM's decision. Permissions are grouped by
// resource, since the simulator evaluates every action on every resource
// of a call.
func (r *runner) simulate(ctx context.Context, principal string, perms []images.Permission) (denied []images.Permission, decisions map[images.Permission]string, err error) {
	byResource := map[string][]string{}
	var order []string
	for _, p := range perms {
		if _, ok := byResource[p.Resource]; !ok {
			order = append(order, p.Resource)
		}
		byResource[p.Resource] = append(byResource[p.Resource], p.Action)
	}
	decisions = map[images.Permission]string{}
	for _, res := range order {
		in := &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(principal),
			ActionNames:     byResource[res],
			ResourceArns:    []string{res},
		}
		for {
			out, err := r.deps.IAM.SimulatePrincipalPolicy(ctx, in)
			if err != nil {
				return nil, nil, fmt.Errorf("simulating the policies of %s: %w", principal, err)
			}
			for _, e := range out.EvaluationResults {
				decisions[images.Permission{Action: aws.ToString(e.EvalActionName), Resource: res}] = string(e.EvalDecision)
			}
			if !out.IsTruncated || out.Marker == nil {
				break
			}
			in.Marker = out.Marker
		}
	}
	for _, p := range perms {
		if decisions[p] != string(iamtypes.PolicyEvaluationDecisionTypeAllowed) {
			denied = append(denied, p)
		}
	}
	return denied, decisions, nil
}

// roleDocs reads every policy of a role: its attached managed policies'
// default versions and its inline policies, for deciding without the
// simulator. names are the attached policies' names.
func (r *runner) roleDocs(ctx context.Context, role string) (docs []policyDoc, names []string, err error) {
	attached := iam.NewListAttachedRolePoliciesPaginator(r.deps.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	var arns []string
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing the policies attached to role %s: %w", role, err)
		}
		for _, p := range page.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
			names = append(names, aws.ToString(p.PolicyName))
		}
	}
	for _, arn := range arns {
		p, err := r.deps.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			return nil, names, fmt.Errorf("reading policy %s: %w", arn, err)
		}
		if p.Policy == nil {
			return nil, names, fmt.Errorf("reading policy %s: %w", arn, awsapi.Incomplete("IAM GetPolicy", "the policy"))
		}
		v, err := r.deps.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			return nil, names, fmt.Errorf("reading policy %s: %w", arn, err)
		}
		if v.PolicyVersion == nil {
			return nil, names, fmt.Errorf("reading policy %s: %w", arn, awsapi.Incomplete("IAM GetPolicyVersion", "the policy version"))
		}
		d, err := parsePolicy(aws.ToString(v.PolicyVersion.Document))
		if err != nil {
			return nil, names, fmt.Errorf("policy %s: %w", arn, err)
		}
		docs = append(docs, d)
	}
	inline := iam.NewListRolePoliciesPaginator(r.deps.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, names, fmt.Errorf("listing the inline policies of role %s: %w", role, err)
		}
		for _, name := range page.PolicyNames {
			p, err := r.deps.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
			if err != nil {
				return nil, names, fmt.Errorf("reading inline policy %s of role %s: %w", name, role, err)
			}
			d, err := parsePolicy(aws.ToString(p.PolicyDocument))
			if err != nil {
				return nil, names, fmt.Errorf("inline policy %s of role %s: %w", name, role, err)
			}
			docs = append(docs, d)
		}
	}
	return docs, names, nil
}
