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

// Names of the checks (Finding.Check).
const (
	CheckWindows           = "windows"
	CheckOwner             = "owner"
	CheckMaxParallel       = "max-parallel"
	CheckLaunchTemplate    = "launch-template"
	CheckNetwork           = "network"
	CheckQuota             = "quota"
	CheckServiceLinkedRole = "service-linked-role"
)

// Wording is how a fix names the settings: enable's flags, or the spec's
// keys when preflight checks what Image Builder will enable.
type Wording struct {
	// MaxParallel sets the parallel launches to %d ("use --max-parallel %d").
	MaxParallel string
	// LaunchTemplate names a launch template ("pass --launch-template NAME[:VERSION]").
	LaunchTemplate string
}

// FlagWording is enable's.
var FlagWording = Wording{MaxParallel: "use --max-parallel %d", LaunchTemplate: "pass --launch-template NAME[:VERSION]"}

// Checker runs what EC2 would refuse, or accept and then fail on, before
// EnableFastLaunch is called — by enable, or by Image Builder for a new AMI
// (preflight): one set of checks for both.
type Checker struct {
	EC2    func(region string) awsapi.EC2API
	IAM    awsapi.IAMAPI
	Caller awsapi.Caller
	// Quota is the parallel-launch quota per region (0: the default, 40).
	Quota int32
	// Wording of the fixes (zero: FlagWording).
	Wording Wording
}

// RegionReport is what the checks of one region found.
type RegionReport struct {
	Region string
	// Checks are the checks made, in order; Findings those that did not pass.
	Checks   []string
	Findings []Finding
	// InUse is the parallel launches of the region's other AMIs with Fast
	// Launch, Asked those of the targets, Quota the region's quota.
	InUse, Asked, Quota int32
}

func (c *Checker) wording() Wording {
	if c.Wording == (Wording{}) {
		return FlagWording
	}
	return c.Wording
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
		rep, err := c.checkRegion(ctx, region, byRegion[region], set)
		if err != nil {
			return nil, err
		}
		out = append(out, rep.Findings...)
	}
	if len(targets) > 0 {
		if f := c.checkServiceLinkedRole(ctx, targets[0].AMI, targets[0].Region); f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// CheckNew runs Check's checks of one region for an AMI not built yet,
// which Image Builder is to enable Fast Launch on with set: the settings,
// the network (a launch template, or a default VPC) and the quota, with
// the region's AMIs that have Fast Launch already. The AMI itself (Windows,
// owned) is what the build makes, so it is not checked; nor is the
// account's service-linked role, which is ServiceLinkedRole's.
func (c *Checker) CheckNew(ctx context.Context, region string, set Settings) (RegionReport, error) {
	return c.checkRegion(ctx, region, []Target{{Region: region}}, set)
}

// ServiceLinkedRole checks, once per account, that EC2 Fast Launch's
// service-linked role exists or that the caller may create it: the
// finding is nil when nothing stands in the way, exists whether the role
// is there already.
func (c *Checker) ServiceLinkedRole(ctx context.Context, region string) (f *Finding, exists bool) {
	f, exists = c.serviceLinkedRole(ctx, "", region)
	return f, exists
}

// checkRegion checks the targets of one region (a target without an AMI
// ID is one still to be built).
func (c *Checker) checkRegion(ctx context.Context, region string, targets []Target, set Settings) (RegionReport, error) {
	rep := RegionReport{Region: region}
	api := c.EC2(region)
	all, err := Describe(ctx, api, region, nil)
	if err != nil {
		return rep, err
	}
	effective := make([]Settings, len(targets))
	rep.Checks = append(rep.Checks, CheckMaxParallel)
	for i, t := range targets {
		effective[i] = set
		for _, s := range all {
			if t.AMI != "" && s.AMI == t.AMI && s.Active() {
				effective[i] = set.keeping(s) // as Enable will
			}
		}
		effective[i] = effective[i].withDefaults()
		if t.AMI != "" {
			rep.Findings = append(rep.Findings, c.checkImage(t)...)
		}
		rep.Findings = append(rep.Findings, c.checkSettings(t, effective[i])...)
	}
	if t := targets[0]; t.AMI != "" {
		rep.Checks = append([]string{CheckWindows, CheckOwner}, rep.Checks...)
	}
	if set.LaunchTemplate != nil {
		rep.Checks = append(rep.Checks, CheckLaunchTemplate)
	} else {
		rep.Checks = append(rep.Checks, CheckNetwork)
	}
	network, err := c.checkNetwork(ctx, api, region, set)
	if err != nil {
		return rep, err
	}
	if network != nil {
		for _, t := range targets {
			f := *network
			f.AMI = t.AMI
			rep.Findings = append(rep.Findings, f)
		}
	}
	rep.Checks = append(rep.Checks, CheckQuota)
	var quota []Finding
	quota, rep.InUse, rep.Asked, rep.Quota = c.checkQuota(all, targets, effective)
	rep.Findings = append(rep.Findings, quota...)
	return rep, nil
}

// checkImage: what the AMI itself must be.
func (c *Checker) checkImage(t Target) []Finding {
	var out []Finding
	add := func(check string, sev Severity, fix, format string, args ...any) {
		out = append(out, Finding{AMI: t.AMI, Region: t.Region, Check: check, Severity: sev, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	img := t.Image
	name := aws.ToString(img.Name)
	if !strings.EqualFold(string(img.Platform), string(types.PlatformValuesWindows)) {
		add(CheckWindows, Fail, "", "%s (%s) is not a Windows AMI: Fast Launch pre-provisions Windows snapshots only", t.AMI, name)
	}
	if owner := aws.ToString(img.OwnerId); owner != c.Caller.Account && aws.ToBool(img.Public) {
		who := "account " + owner
		if alias := aws.ToString(img.ImageOwnerAlias); alias != "" {
			who += " (" + alias + ")"
		}
		add(CheckOwner, Fail, "build your own AMI from it (winami build -f winami.yaml) and enable Fast Launch on that",
			"%s (%s) is a public AMI of %s: EC2 enables Fast Launch only on AMIs your account owns or that were shared with it", t.AMI, name, who)
	}
	return out
}

// checkSettings: what EC2 requires of the settings.
func (c *Checker) checkSettings(t Target, set Settings) []Finding {
	if set.MaxParallel >= MinParallel {
		return nil
	}
	return []Finding{{AMI: t.AMI, Region: t.Region, Check: CheckMaxParallel, Severity: Fail,
		Message: fmt.Sprintf("%d parallel launches: EC2 needs at least %d", set.MaxParallel, MinParallel),
		Fix:     fmt.Sprintf(c.wording().MaxParallel, MinParallel) + " or more"}}
}

// checkNetwork: the launch template exists, or without one the region has
// a default VPC, where EC2 then launches the pre-provisioning instances.
func (c *Checker) checkNetwork(ctx context.Context, api awsapi.EC2API, region string, set Settings) (*Finding, error) {
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
			return &Finding{Region: region, Check: CheckLaunchTemplate, Severity: Fail,
				Message: fmt.Sprintf("launch template %s does not exist in %s", lt, region),
				Fix:     c.launchTemplateFix(lt, region)}, nil
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
		return &Finding{Region: region, Check: CheckNetwork, Severity: Fail,
			Message: region + " has no default VPC, where EC2 launches the instances that pre-provision the snapshots when no launch template names a subnet",
			Fix: c.wording().LaunchTemplate + " whose network interface names a subnet of " + region +
				", or create the default VPC (aws ec2 create-default-vpc --region " + region + ")"}, nil
	}
	return nil, nil
}

// launchTemplateFix: one that exists in the region, or, for a name, the
// same template created there (a spec names one template for every region).
func (c *Checker) launchTemplateFix(lt *LaunchTemplate, region string) string {
	fix := fmt.Sprintf("%s that exists in %s (aws ec2 describe-launch-templates --region %s)", c.wording().LaunchTemplate, region, region)
	if lt.Name != "" {
		fix += fmt.Sprintf(", or create %s there (aws ec2 create-launch-template --region %s --launch-template-name %s …)", lt.Name, region, lt.Name)
	}
	return fix
}

// checkQuota: the parallel launches of every AMI with Fast Launch in the
// region (all) but the targets, plus the targets' new settings, stay
// within the quota. Each target gets the finding: any of them may be the
// one to lower.
func (c *Checker) checkQuota(all []Status, targets []Target, settings []Settings) (out []Finding, used, asked, quota int32) {
	quota = c.Quota
	if quota == 0 {
		quota = DefaultRegionQuota
	}
	isTarget := map[string]bool{}
	for i, t := range targets {
		isTarget[t.AMI] = true
		asked += settings[i].MaxParallel
	}
	for _, s := range all {
		if !isTarget[s.AMI] && (s.Active() || s.State == string(types.FastLaunchStateCodeEnabledFailed)) {
			used += s.MaxParallel
		}
	}
	if used+asked <= quota {
		return nil, used, asked, quota
	}
	each := max(quota-used, 0) / int32(len(targets))
	fix := fmt.Sprintf("disable Fast Launch on an AMI you no longer launch (winami fast-launch status --regions %s), or raise the quota in Service Quotas", targets[0].Region)
	if each >= MinParallel {
		// Lowering is a fix only down to EC2's floor.
		fix = fmt.Sprintf(c.wording().MaxParallel, each) + " or less, " + fix
	}
	for _, t := range targets {
		out = append(out, Finding{AMI: t.AMI, Region: t.Region, Check: CheckQuota, Severity: Fail,
			Message: fmt.Sprintf("%d parallel launches would bring the region's total to %d (%d in use by other AMIs), above the quota of %d", asked, used+asked, used, quota),
			Fix:     fix})
	}
	return out, used, asked, quota
}

// checkServiceLinkedRole: EC2 creates AWSServiceRoleForEC2FastLaunch on
// first use, which needs iam:CreateServiceLinkedRole.
func (c *Checker) checkServiceLinkedRole(ctx context.Context, ami, region string) *Finding {
	f, _ := c.serviceLinkedRole(ctx, ami, region)
	return f
}

func (c *Checker) serviceLinkedRole(ctx context.Context, ami, region string) (*Finding, bool) {
	if c.IAM == nil {
		return nil, false
	}
	role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ServiceLinkedRole)})
	if err == nil && (role.Role == nil || role.Role.RoleName == nil) {
		err = awsapi.Incomplete("IAM GetRole", "the role")
	}
	var nse *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		return nil, true
	case !errors.As(err, &nse):
		return &Finding{AMI: ami, Region: region, Check: CheckServiceLinkedRole, Severity: Warn,
			Message: fmt.Sprintf("could not tell whether %s exists (%v); EC2 creates it on first use if you may", ServiceLinkedRole, err)}, false
	}
	fix := "aws iam create-service-linked-role --aws-service-name " + ServiceLinkedRoleService
	if c.Caller.PrincipalARN == "" {
		return &Finding{AMI: ami, Region: region, Check: CheckServiceLinkedRole, Severity: Warn, Fix: fix,
			Message: fmt.Sprintf("%s does not exist yet; EC2 creates it on first use if you may call iam:CreateServiceLinkedRole (your principal could not be read to check)", ServiceLinkedRole)}, false
	}
	partition := strings.SplitN(c.Caller.PrincipalARN, ":", 3)[1]
	out, err := c.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(c.Caller.PrincipalARN),
		ActionNames:     []string{"iam:CreateServiceLinkedRole"},
		ResourceArns:    []string{fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", partition, c.Caller.Account, ServiceLinkedRoleService, ServiceLinkedRole)},
	})
	if err != nil {
		return &Finding{AMI: ami, Region: region, Check: CheckServiceLinkedRole, Severity: Warn, Fix: fix,
			Message: fmt.Sprintf("%s does not exist yet and whether you may create it could not be simulated (%v)", ServiceLinkedRole, err)}, false
	}
	for _, r := range out.EvaluationResults {
		if r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed {
			return &Finding{AMI: ami, Region: region, Check: CheckServiceLinkedRole, Severity: Fail, Fix: fix + " (by someone who may)",
				Message: fmt.Sprintf("%s does not exist and %s may not create it (iam:CreateServiceLinkedRole: %s)", ServiceLinkedRole, c.Caller.PrincipalARN, r.EvalDecision)}, false
		}
	}
	return nil, false
}
