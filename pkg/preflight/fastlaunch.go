package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/fastlaunch"
)

// specWording names the spec's keys in the Fast Launch fixes, where
// fast-launch enable names its flags.
var specWording = fastlaunch.Wording{
	MaxParallel:    "set distribution.fastLaunch.maxParallelLaunches to %d",
	LaunchTemplate: "name a launch template in distribution.fastLaunch.launchTemplate",
}

// fastLaunch runs fast-launch enable's checks (pkg/fastlaunch, the one
// implementation) where Image Builder will enable Fast Launch on the new
// AMI: in every distribution region of the caller's account. Without them
// a region lacking a default VPC passes here, the whole build runs and
// Fast Launch ends enabling-failed. Other accounts of
// distribution.fastLaunch.accounts cannot be read with the caller's
// credentials: each gets a warning saying what to check there.
func (r *runner) fastLaunch(ctx context.Context) []Check {
	fl := r.spec.Distribution.FastLaunch
	if fl == nil || !fl.Enabled {
		return nil
	}
	set := fastlaunch.Settings{TargetSnapshots: int32(fl.TargetSnapshots), MaxParallel: int32(fl.MaxParallelLaunches)}
	if fl.LaunchTemplate != "" {
		lt, err := fastlaunch.ParseLaunchTemplate(fl.LaunchTemplate)
		if err != nil {
			// The spec's validation refuses this first; kept for a spec built in Go.
			return []Check{{ID: IDLaunchTemplate + r.spec.Region, Title: "Fast Launch launch template", Status: Fail,
				Detail: err.Error(), Fix: "fix distribution.fastLaunch.launchTemplate"}}
		}
		set.LaunchTemplate = &lt
	}
	var out []Check
	if len(fl.Accounts) == 0 || slices.Contains(fl.Accounts, r.caller.Account) {
		out = r.fastLaunchOwn(ctx, set)
	}
	seen := map[string]bool{r.caller.Account: true}
	for _, acct := range fl.Accounts {
		if !seen[acct] {
			seen[acct] = true
			out = append(out, r.fastLaunchElsewhere(acct, set))
		}
	}
	return out
}

// fastLaunchOwn checks the distribution regions (maxAtOnce at a time),
// then the account's service-linked role.
func (r *runner) fastLaunchOwn(ctx context.Context, set fastlaunch.Settings) []Check {
	checker := &fastlaunch.Checker{
		EC2:     r.deps.EC2,
		IAM:     r.deps.IAM,
		Caller:  r.caller,
		Wording: specWording,
	}
	regions := r.distributionRegions()
	results := make([][]Check, len(regions))
	eachAtOnce(len(regions), func(i int) { results[i] = fastLaunchRegion(ctx, checker, regions[i], set) })
	out := slices.Concat(results...)
	slr := Check{ID: IDSLRFastLaunch, Title: "service-linked role " + fastlaunch.ServiceLinkedRole, Status: Pass, Detail: "exists"}
	f, exists := checker.ServiceLinkedRole(ctx, r.spec.Region)
	if f == nil && !exists {
		slr.Detail, slr.Method = "does not exist yet; EC2 creates it on first use, which you may (iam:CreateServiceLinkedRole)", MethodSimulate
	}
	if f != nil {
		slr.Detail, slr.Fix, slr.Method = f.Message, f.Fix, MethodSimulate
		slr.Status = Fail
		if f.Severity != fastlaunch.Fail {
			slr.Status, slr.Method = Warn, MethodUnknown
		}
	}
	return append(out, slr)
}

// fastLaunchRegion turns one region's report into checklist lines: the
// launch template or the default VPC, the quota, and the parallel launches
// when they fail (the spec's validation holds them to EC2's floor).
func fastLaunchRegion(ctx context.Context, checker *fastlaunch.Checker, region string, set fastlaunch.Settings) []Check {
	rep, err := checker.CheckNew(ctx, region, set)
	line := func(check string) Check {
		switch check {
		case fastlaunch.CheckLaunchTemplate:
			return Check{ID: IDLaunchTemplate + region, Title: "Fast Launch launch template " + set.LaunchTemplate.String() + " in " + region,
				Detail: "exists"}
		case fastlaunch.CheckNetwork:
			return Check{ID: IDFastLaunchVPC + region, Title: "default VPC for Fast Launch in " + region,
				Detail: "EC2 launches the pre-provisioning instances there"}
		case fastlaunch.CheckQuota:
			return Check{ID: IDFastLaunchQuota + region, Title: "Fast Launch parallel launches in " + region + " within the quota",
				Detail: fmt.Sprintf("%d for the new AMI + %d in use by other AMIs = %d of %d", rep.Asked, rep.InUse, rep.Asked+rep.InUse, rep.Quota)}
		}
		return Check{ID: IDFastLaunchParallel + region, Title: "Fast Launch parallel launches in " + region, Detail: "at least " + fmt.Sprint(fastlaunch.MinParallel)}
	}
	if err != nil {
		// Every check of the region is undecided, each on its line.
		first := fastlaunch.CheckNetwork
		if set.LaunchTemplate != nil {
			first = fastlaunch.CheckLaunchTemplate
		}
		var out []Check
		for _, check := range []string{first, fastlaunch.CheckQuota} {
			c := line(check)
			c.Status, c.Method, c.Detail = Warn, MethodUnknown, "could not be checked: "+awsapi.Explain(err).Error()
			c.Fix = "allow ec2:DescribeFastLaunchImages, ec2:DescribeVpcs and ec2:DescribeLaunchTemplates"
			out = append(out, c)
		}
		return out
	}
	var out []Check
	for _, check := range rep.Checks {
		c := line(check)
		c.Status = Pass
		for _, f := range rep.Findings {
			if f.Check == check {
				c.Status, c.Detail, c.Fix = Fail, f.Message, f.Fix
				if f.Severity != fastlaunch.Fail {
					c.Status = Warn
				}
			}
		}
		if check == fastlaunch.CheckQuota && c.Status == Fail {
			c.Detail += " (EC2's default quota: a raised one cannot be read from here)"
		}
		if check == fastlaunch.CheckMaxParallel && c.Status == Pass {
			continue
		}
		out = append(out, c)
	}
	return out
}

// fastLaunchElsewhere is the warning for another account: Image Builder
// enables Fast Launch there, where only that account's credentials can
// read the network, the quota and the role.
func (r *runner) fastLaunchElsewhere(account string, set fastlaunch.Settings) Check {
	regions := r.distributionRegions()
	network, probe := "its default VPC", "aws ec2 describe-vpcs --filters Name=is-default,Values=true --region R"
	if lt := set.LaunchTemplate; lt != nil {
		network = "launch template " + lt.String()
		probe = "aws ec2 describe-launch-templates --launch-template-names " + lt.Name + " --region R"
		if lt.ID != "" {
			probe = "aws ec2 describe-launch-templates --launch-template-ids " + lt.ID + " --region R"
		}
	}
	return Check{
		ID: IDFastLaunchAccount + account, Title: "Fast Launch in account " + account, Status: Warn, Method: MethodUnknown,
		Detail: fmt.Sprintf("Image Builder enables Fast Launch for account %s in %s: %s, its quota of parallel launches and its %s cannot be checked with your credentials",
			account, strings.Join(regions, ", "), network, fastlaunch.ServiceLinkedRole),
		Fix: fmt.Sprintf("with credentials of account %s, for each region R of %s:\n"+
			"  %s\n"+
			"  aws ec2 describe-fast-launch-images --region R   (their maxParallelLaunches plus %d stay within the quota, 40 by default)\n"+
			"  aws iam get-role --role-name %s   (or aws iam create-service-linked-role --aws-service-name %s)",
			account, strings.Join(regions, ", "), probe, set.MaxParallel, fastlaunch.ServiceLinkedRole, fastlaunch.ServiceLinkedRoleService),
	}
}
