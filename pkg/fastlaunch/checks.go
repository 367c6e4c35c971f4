package fastlaunch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Severity of a finding.
type Severity string

// Severities: a failure stops enable; a warning is printed.
const (
	Fail Severity = "fail"
	Warn Severity = "warn"
)

// Finding is one check that did not pass, with the fix.
type Finding struct {
	AMI      string   `json:"amiId"`
	Region   string   `json:"region"`
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s in %s: %s", f.AMI, f.Region, f.Message)
	if f.Fix != "" {
		s += "\n    fix: " + f.Fix
	}
	return s
}

// CheckError is enable refusing: every failed check, each with its fix.
type CheckError struct{ Findings []Finding }

func (e *CheckError) Error() string {
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		lines[i] = "  " + f.String()
	}
	return fmt.Sprintf("Fast Launch cannot be enabled; nothing was changed:\n%s", strings.Join(lines, "\n"))
}

// Checker runs what EC2 would refuse, or accept and then fail on, before
// EnableFastLaunch is called.
type Checker struct {
	EC2    func(region string) EC2API
	IAM    IAMAPI
	Caller awsapi.Caller
	// Quota is the parallel-launch quota per region (0: the default, 40).
	Quota int32
}

// Check returns what stands in the way of enabling Fast Launch on the
// targets with set. What is per region (the AMIs with Fast Launch there,
// the network) is read once per region, and the quota counts every target
// of a region together; the service-linked role is read once.
func (c *Checker) Check(ctx context.Context, targets []Target, set Settings) ([]Finding, error) {
	var out []Finding
	var regions []string
	byRegion := map[string][]Target{}
	for _, t := range targets {
		if _, ok := byRegion[t.Region]; !ok {
			regions = append(regions, t.Region)
		}
		byRegion[t.Region] = append(byRegion[t.Region], t)
	}
	for _, region := range regions {
		f, err := c.checkRegion(ctx, region, byRegion[region], set)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	if len(targets) > 0 {
		if f := c.checkServiceLinkedRole(ctx, targets[0]); f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// checkRegion checks the targets of one region.
func (c *Checker) checkRegion(ctx context.Context, region string, targets []Target, set Settings) ([]Finding, error) {
	api := c.EC2(region)
	all, err := Describe(ctx, api, region, nil)
	if err != nil {
		return nil, err
	}
	var out []Finding
	effective := make([]Settings, len(targets))
	for i, t := range targets {
		effective[i] = set
		for _, s := range all {
			if s.AMI == t.AMI && s.Active() {
				effective[i] = set.keeping(s) // as Enable will
			}
		}
		effective[i] = effective[i].withDefaults()
		out = append(out, c.checkImage(t, effective[i])...)
	}
	network, err := c.checkNetwork(ctx, api, region, set)
	if err != nil {
		return nil, err
	}
	if network != nil {
		for _, t := range targets {
			f := *network
			f.AMI = t.AMI
			out = append(out, f)
		}
	}
	return append(out, c.checkQuota(all, targets, effective)...), nil
}

// checkImage: what the AMI itself and its settings must be.
func (c *Checker) checkImage(t Target, set Settings) []Finding {
	var out []Finding
	add := func(check string, sev Severity, fix, format string, args ...any) {
		out = append(out, Finding{AMI: t.AMI, Region: t.Region, Check: check, Severity: sev, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	img := t.Image
	name := aws.ToString(img.Name)
	if !strings.EqualFold(string(img.Platform), string(types.PlatformValuesWindows)) {
		add("windows", Fail, "", "%s (%s) is not a Windows AMI: Fast Launch pre-provisions Windows snapshots only", t.AMI, name)
	}
	if owner := aws.ToString(img.OwnerId); owner != c.Caller.Account && aws.ToBool(img.Public) {
		who := "account " + owner
		if alias := aws.ToString(img.ImageOwnerAlias); alias != "" {
			who += " (" + alias + ")"
		}
		add("owner", Fail, "build your own AMI from it (winami build -f winami.yaml) and enable Fast Launch on that",
			"%s (%s) is a public AMI of %s: EC2 enables Fast Launch only on AMIs your account owns or that were shared with it", t.AMI, name, who)
	}
	if set.MaxParallel < MinParallel {
		add("max-parallel", Fail, fmt.Sprintf("use --max-parallel %d or more", MinParallel),
			"%d parallel launches: EC2 needs at least %d", set.MaxParallel, MinParallel)
	}
	return out
}

// checkNetwork: the launch template exists, or without one the region has
// a default VPC, where EC2 then launches the pre-provisioning instances.
func (c *Checker) checkNetwork(ctx context.Context, api EC2API, region string, set Settings) (*Finding, error) {
	if lt := set.LaunchTemplate; lt != nil {
		in := &ec2.DescribeLaunchTemplatesInput{}
		if lt.ID != "" {
			in.LaunchTemplateIds = []string{lt.ID}
		} else {
			in.LaunchTemplateNames = []string{lt.Name}
		}
		_, err := api.DescribeLaunchTemplates(ctx, in)
		switch {
		case awsapi.HasCode(err, "InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateName.MalformedException",
			"InvalidLaunchTemplateId.NotFound", "InvalidLaunchTemplateId.Malformed"):
			return &Finding{Region: region, Check: "launch-template", Severity: Fail,
				Message: fmt.Sprintf("launch template %s does not exist in %s", lt, region),
				Fix:     "name a launch template of that region (aws ec2 describe-launch-templates --region " + region + ")"}, nil
		case err != nil:
			return nil, fmt.Errorf("reading launch template %s in %s: %w", lt, region, err)
		}
		return nil, nil
	}
	out, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil {
		return nil, fmt.Errorf("looking for the default VPC in %s: %w", region, err)
	}
	if len(out.Vpcs) == 0 {
		return &Finding{Region: region, Check: "network", Severity: Fail,
			Message: region + " has no default VPC, where EC2 launches the instances that pre-provision the snapshots when no launch template names a subnet",
			Fix:     "pass --launch-template NAME[:VERSION] whose network interface names a subnet"}, nil
	}
	return nil, nil
}

// checkQuota: the parallel launches of every AMI with Fast Launch in the
// region (all) but the targets, plus the targets' new settings, stay
// within the quota. Each target gets the finding: any of them may be the
// one to lower.
func (c *Checker) checkQuota(all []Status, targets []Target, settings []Settings) []Finding {
	quota := c.Quota
	if quota == 0 {
		quota = DefaultRegionQuota
	}
	isTarget := map[string]bool{}
	var asked int32
	for i, t := range targets {
		isTarget[t.AMI] = true
		asked += settings[i].MaxParallel
	}
	var used int32
	for _, s := range all {
		if !isTarget[s.AMI] && (s.Active() || s.State == string(types.FastLaunchStateCodeEnabledFailed)) {
			used += s.MaxParallel
		}
	}
	if used+asked <= quota {
		return nil
	}
	var out []Finding
	each := max(quota-used, 0) / int32(len(targets))
	for _, t := range targets {
		out = append(out, Finding{AMI: t.AMI, Region: t.Region, Check: "quota", Severity: Fail,
			Message: fmt.Sprintf("%d parallel launches would bring the region's total to %d (%d in use by other AMIs), above the quota of %d", asked, used+asked, used, quota),
			Fix:     fmt.Sprintf("use --max-parallel %d or less, disable Fast Launch on an AMI you no longer launch (winami fast-launch status), or raise the quota in Service Quotas", each)})
	}
	return out
}

// checkServiceLinkedRole: EC2 creates AWSServiceRoleForEC2FastLaunch on
// first use, which needs iam:CreateServiceLinkedRole.
func (c *Checker) checkServiceLinkedRole(ctx context.Context, t Target) *Finding {
	if c.IAM == nil {
		return nil
	}
	_, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ServiceLinkedRole)})
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nse):
		return &Finding{AMI: t.AMI, Region: t.Region, Check: "service-linked-role", Severity: Warn,
			Message: fmt.Sprintf("could not tell whether %s exists (%v); EC2 creates it on first use if you may", ServiceLinkedRole, err)}
	}
	fix := "aws iam create-service-linked-role --aws-service-name " + ServiceLinkedRoleService
	if c.Caller.PrincipalARN == "" {
		return &Finding{AMI: t.AMI, Region: t.Region, Check: "service-linked-role", Severity: Warn, Fix: fix,
			Message: fmt.Sprintf("%s does not exist yet; EC2 creates it on first use if you may call iam:CreateServiceLinkedRole (your principal could not be read to check)", ServiceLinkedRole)}
	}
	partition := strings.SplitN(c.Caller.PrincipalARN, ":", 3)[1]
	out, err := c.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(c.Caller.PrincipalARN),
		ActionNames:     []string{"iam:CreateServiceLinkedRole"},
		ResourceArns:    []string{fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", partition, c.Caller.Account, ServiceLinkedRoleService, ServiceLinkedRole)},
	})
	if err != nil {
		return &Finding{AMI: t.AMI, Region: t.Region, Check: "service-linked-role", Severity: Warn, Fix: fix,
			Message: fmt.Sprintf("%s does not exist yet and whether you may create it could not be simulated (%v)", ServiceLinkedRole, err)}
	}
	for _, r := range out.EvaluationResults {
		if r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed {
			return &Finding{AMI: t.AMI, Region: t.Region, Check: "service-linked-role", Severity: Fail, Fix: fix + " (by someone who may)",
				Message: fmt.Sprintf("%s does not exist and %s may not create it (iam:CreateServiceLinkedRole: %s)", ServiceLinkedRole, c.Caller.PrincipalARN, r.EvalDecision)}
		}
	}
	return nil
}
