package preflight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/internal/textdist"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/pipeline"
)

// roleInfo is the build instance profile as read once per run.
type roleInfo struct {
	// check is the instance-profile line.
	check Check
	name  string
	arn   string
	trust string
}

// loadRole reads the instance profile once; the build role checks and the
// caller's iam:PassRole both need it.
func (r *runner) loadRole(ctx context.Context) roleInfo {
	r.roleOnce.Do(func() { r.role = r.readProfile(ctx) })
	return r.role
}

func (r *runner) readProfile(ctx context.Context) roleInfo {
	name := r.spec.Build.InstanceProfile
	c := Check{ID: IDInstanceProfile, Title: "build instance profile " + name}
	out, err := r.deps.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &nse):
		c.Status, c.Detail = Fail, fmt.Sprintf("instance profile %s does not exist", name)
		if close := r.closeProfile(ctx, name); close != "" {
			// A typo: point at the profile meant rather than have one created.
			c.Detail += "; did you mean " + close + "?"
			c.Fix = fmt.Sprintf("set build.instanceProfile: %s (aws iam list-instance-profiles lists them all)", close)
			return roleInfo{check: c}
		}
		c.Fix = fmt.Sprintf("create it with a role that trusts ec2.amazonaws.com and holds EC2InstanceProfileForImageBuilder and AmazonSSMManagedInstanceCore:\n"+
			"  aws iam create-instance-profile --instance-profile-name %[1]s\n"+
			"  aws iam add-role-to-instance-profile --instance-profile-name %[1]s --role-name <role>\n"+
			"or name an existing one in build.instanceProfile", name)
		return roleInfo{check: c}
	case err != nil:
		c.Status, c.Detail = Warn, "could not read it: "+awsapi.Explain(err).Error()
		c.Fix, c.Method = "allow iam:GetInstanceProfile to check it", MethodUnknown
		return roleInfo{check: c}
	}
	if out.InstanceProfile == nil {
		c.Status, c.Detail = Warn, "could not read it: "+awsapi.Incomplete("IAM GetInstanceProfile", "the instance profile").Error()
		c.Fix, c.Method = "check the endpoint", MethodUnknown
		return roleInfo{check: c}
	}
	if len(out.InstanceProfile.Roles) == 0 {
		c.Status, c.Detail = Fail, fmt.Sprintf("instance profile %s holds no role, so the build instance gets no credentials", name)
		c.Fix = fmt.Sprintf("aws iam add-role-to-instance-profile --instance-profile-name %s --role-name <role>", name)
		return roleInfo{check: c}
	}
	role := out.InstanceProfile.Roles[0]
	c.Status, c.Detail = Pass, "holds role "+aws.ToString(role.Arn)
	return roleInfo{check: c, name: aws.ToString(role.RoleName), arn: aws.ToString(role.Arn), trust: aws.ToString(role.AssumeRolePolicyDocument)}
}

// closeProfile is the account's instance profile nearest to name, within
// a typo's reach, or "" (none close, or the list could not be read: then
// the fix to create it stands).
func (r *runner) closeProfile(ctx context.Context, name string) string {
	var names []string
	p := iam.NewListInstanceProfilesPaginator(r.deps.IAM, &iam.ListInstanceProfilesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return ""
		}
		for _, ip := range page.InstanceProfiles {
			names = append(names, aws.ToString(ip.InstanceProfileName))
		}
	}
	return textdist.Closest(name, names, max(3, len(name)/4+1)) // a few edits, more for long names
}

// Key permissions of the two managed policies a build role needs. Only the
// ones without which a build cannot run are probed: checking every action
// of the policies would fail roles that are fine in practice.
var (
	// imageBuilderPerms: the agent on the build instance downloads every
	// component document (imagebuilder:GetComponent) and AWSTOE itself
	// from Image Builder's bucket (s3:GetObject).
	imageBuilderPerms = func(partition, region string) []images.Permission {
		return []images.Permission{
			{Action: "imagebuilder:GetComponent", Resource: "*"},
			{Action: "s3:GetObject", Resource: fmt.Sprintf("arn:%s:s3:::ec2imagebuilder-toe-%s-prod/*", partition, region)},
		}
	}
	// ssmPerms: Image Builder drives the instance through Systems
	// Manager: the agent registers (ssm:UpdateInstanceInformation; without
	// it Image Builder waits for the instance until it times out), then
	// receives Run Command (ec2messages:GetMessages) and opens its control
	// channel (ssmmessages:CreateControlChannel).
	ssmPerms = []images.Permission{
		{Action: "ssm:UpdateInstanceInformation", Resource: "*"},
		{Action: "ec2messages:GetMessages", Resource: "*"},
		{Action: "ssmmessages:CreateControlChannel", Resource: "*"},
	}
)

// buildRole checks the instance profile, its role's trust policy and the
// role's permissions: Image Builder's, Systems Manager's and the ECR pulls
// of the cache.
func (r *runner) buildRole(ctx context.Context) []Check {
	info := r.loadRole(ctx)
	out := []Check{info.check}
	if info.arn == "" {
		return out
	}
	out = append(out, r.trustCheck(info))

	ecrPerms, permErr := pipeline.CachePullPermissions(r.spec)
	// One decider per run: the role's policies are read at most once when
	// the simulator may not be used.
	d := &decider{r: r, role: info}
	checks := []struct {
		id, title string
		perms     []images.Permission
		fix       func(missing []images.Permission) string
	}{
		{IDRoleImageBuilder, "build role has Image Builder's permissions", imageBuilderPerms(r.partition(), r.spec.Region),
			attachFix(info.name, r.partition(), "EC2InstanceProfileForImageBuilder")},
		{IDRoleSSM, "build role has Systems Manager's permissions", ssmPerms,
			attachFix(info.name, r.partition(), "AmazonSSMManagedInstanceCore")},
	}
	results := make([]Check, len(checks))
	eachAtOnce(len(checks), func(i int) {
		c := checks[i]
		results[i] = d.check(ctx, c.id, c.title, c.perms, c.fix)
	})
	out = append(out, results...)

	switch {
	case permErr != nil:
		out = append(out, Check{ID: IDRoleECRPull, Title: "build role can pull the cache's ECR images", Status: Fail, Detail: permErr.Error(), Fix: "fix cache.images"})
	case len(ecrPerms) == 0:
		out = append(out, Check{ID: IDRoleECRPull, Title: "build role can pull the cache's ECR images", Status: Pass, Detail: "the cache holds no ECR image"})
	default:
		out = append(out, d.check(ctx, IDRoleECRPull, "build role can pull the cache's ECR images", ecrPerms, ecrFix(info.name, ecrPerms)))
		out = append(out, crossAccount(info.arn, ecrPerms)...)
	}
	return out
}

// trustCheck: EC2 must be able to assume the role for the instance to get
// its credentials.
func (r *runner) trustCheck(info roleInfo) Check {
	c := Check{ID: IDRoleTrust, Title: "build role trusts ec2.amazonaws.com"}
	doc, err := parsePolicy(info.trust)
	switch {
	case err != nil:
		c.Status, c.Detail = Warn, fmt.Sprintf("role %s: %v", info.name, err)
	case doc.trusts("ec2.amazonaws.com"):
		c.Status, c.Detail = Pass, "role "+info.name+" may be assumed by EC2"
	default:
		c.Status, c.Detail = Fail, "role "+info.name+" does not let ec2.amazonaws.com assume it, so the build instance gets no credentials"
		c.Fix = fmt.Sprintf("aws iam update-assume-role-policy --role-name %s --policy-document '%s'", info.name,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	}
	return c
}

// decider decides whether the build role holds permissions: with the
// simulator when the caller may call it, else from the role's policies.
type decider struct {
	r    *runner
	role roleInfo

	once  sync.Once
	docs  []policyDoc
	names []string
	err   error
}

func (d *decider) check(ctx context.Context, id, title string, perms []images.Permission, fix func([]images.Permission) string) Check {
	c := Check{ID: id, Title: title, Method: MethodSimulate}
	missing, _, err := d.r.simulate(ctx, d.role.arn, perms)
	if err != nil {
		if !isAccessDenied(err) {
			c.Status, c.Detail, c.Method = Warn, awsapi.Explain(err).Error(), MethodUnknown
			return c
		}
		c.Method = MethodAttachedPolicies
		d.once.Do(func() { d.docs, d.names, d.err = d.r.roleDocs(ctx, d.role.name) })
		if d.err != nil {
			c.Status, c.Method = Warn, MethodUnknown
			c.Detail = "you may neither simulate the role's policies nor read them: " + awsapi.Explain(d.err).Error()
			c.Fix = "allow iam:SimulatePrincipalPolicy, or iam:ListAttachedRolePolicies, iam:ListRolePolicies, iam:GetRolePolicy, iam:GetPolicy and iam:GetPolicyVersion"
			return c
		}
		missing = nil
		for _, p := range perms {
			if !grants(d.docs, p) {
				missing = append(missing, p)
			}
		}
	}
	if len(missing) == 0 {
		c.Status, c.Detail = Pass, "role "+d.role.name+" may "+actionList(perms)
		return c
	}
	c.Status = Fail
	c.Detail = "role " + d.role.name + " may not " + permList(missing)
	c.Fix = fix(missing)
	return c
}

// attachFix attaches the AWS managed policy that grants the permissions.
func attachFix(role, partition, policy string) func([]images.Permission) string {
	return func([]images.Permission) string {
		return fmt.Sprintf("aws iam attach-role-policy --role-name %s --policy-arn arn:%s:iam::aws:policy/%s", role, partition, policy)
	}
}

// ecrFix is the policy granting every pull of the cache, and the commands
// that give it to the role.
func ecrFix(role string, perms []images.Permission) func([]images.Permission) string {
	return func([]images.Permission) string {
		doc, err := images.PullPolicy(perms)
		if err != nil {
			return "attach AmazonEC2ContainerRegistryPullOnly to role " + role
		}
		return fmt.Sprintf("save this policy as winami-ecr-pull.json:\n%s\nand attach it to the role:\n"+
			"  aws iam put-role-policy --role-name %[2]s --policy-name winami-ecr-pull --policy-document file://winami-ecr-pull.json\n"+
			"or attach the managed policy:\n"+
			"  aws iam attach-role-policy --role-name %[2]s --policy-arn arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", doc, role)
	}
}

// crossAccount warns about each ECR repository of another account: its
// repository policy must let the role's account pull, and only that
// account can read it.
func crossAccount(roleARN string, perms []images.Permission) []Check {
	account := arnField(roleARN, 4)
	var out []Check
	var seen []string
	for _, p := range perms {
		owner := arnField(p.Resource, 4)
		if p.Resource == "*" || owner == "" || owner == account || slices.Contains(seen, p.Resource) {
			continue
		}
		seen = append(seen, p.Resource)
		repo := strings.TrimPrefix(arnField(p.Resource, 5), "repository/")
		out = append(out, Check{
			ID: IDECRCrossAccount + owner + "/" + repo, Title: "cross-account repository " + repo, Status: Warn, Method: MethodUnknown,
			Detail: fmt.Sprintf("%s belongs to account %s: its repository policy must also let account %s pull, which cannot be checked from here", p.Resource, owner, account),
			Fix: fmt.Sprintf("in account %s: aws ecr set-repository-policy --region %s --repository-name %s --policy-text "+
				`'{"Version":"2012-10-17","Statement":[{"Sid":"WinamiPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}'`,
				owner, arnField(p.Resource, 3), repo, account),
		})
	}
	return out
}

// arnField is the i-th colon-separated field of an ARN ("" if absent).
func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) <= i {
		return ""
	}
	return parts[i]
}

func actionList(perms []images.Permission) string {
	var acts []string
	for _, p := range perms {
		if !slices.Contains(acts, p.Action) {
			acts = append(acts, p.Action)
		}
	}
	return strings.Join(acts, ", ")
}

func permList(perms []images.Permission) string {
	parts := make([]string, len(perms))
	for i, p := range perms {
		parts[i] = p.Action
		if p.Resource != "*" {
			parts[i] += " on " + p.Resource
		}
	}
	return strings.Join(parts, ", ")
}
