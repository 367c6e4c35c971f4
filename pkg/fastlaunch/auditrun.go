package fastlaunch

import (
	"context"
	"fmt"
	"io"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// AccountAudit is `fast-launch audit` of what one account's credentials
// see: the launch templates named, the AMIs named (or every AMI of the
// account with Fast Launch), and the accounts those AMIs are shared with.
type AccountAudit struct {
	// EC2 is the caller's EC2 in a region.
	EC2 func(region string) awsapi.EC2API
	// Account is the caller's.
	Account string
	Regions []string
	// Others gives the EC2 of other accounts there are credentials for,
	// by account ID. It is called only once there are AMIs to audit (it
	// reads each profile's identity); nil: no other account.
	Others func(ctx context.Context) (map[string]OtherAccount, error)
	// Out hears notices for people (nothing to audit).
	Out io.Writer
	// Limit is the most calls made at once (default DefaultLimit).
	Limit int
}

// Run audits templates in every region, then the AMIs: those named, or,
// when neither AMIs nor templates are named, every AMI of the account with
// Fast Launch in the regions. An AMI's sharing is read only when the
// caller owns it: nobody else may read who it is shared with.
func (r *AccountAudit) Run(ctx context.Context, amis []string, templates []LaunchTemplate) ([]AuditFinding, error) {
	if r.Out == nil {
		r.Out = io.Discard
	}
	auditor := &Auditor{EC2: r.EC2, Account: r.Account}
	var findings []AuditFinding
	if len(templates) > 0 {
		for _, region := range r.Regions {
			f, err := auditor.LaunchTemplates(ctx, region, templates)
			if err != nil {
				return nil, err
			}
			findings = append(findings, f...)
		}
	}
	if len(amis) == 0 && len(templates) == 0 {
		statuses, err := DescribeAll(ctx, r.EC2, r.Regions, r.Limit)
		if err != nil {
			return nil, err
		}
		for _, s := range statuses {
			amis = append(amis, s.AMI)
		}
		if len(amis) == 0 {
			fmt.Fprintf(r.Out, "No AMI of account %s has Fast Launch in %v: name AMIs with --ami.\n", r.Account, r.Regions)
		}
	}
	if len(amis) == 0 {
		return findings, nil
	}
	targets, err := Locate(ctx, r.EC2, amis, r.Regions)
	if err != nil {
		return nil, err
	}
	f, err := auditor.AMIs(ctx, targets)
	if err != nil {
		return nil, err
	}
	findings = append(findings, f...)
	var others map[string]OtherAccount
	if r.Others != nil {
		if others, err = r.Others(ctx); err != nil {
			return nil, err
		}
	}
	for _, t := range targets {
		if t.Image.OwnerId == nil || *t.Image.OwnerId != r.Account {
			continue // only the owner can read who an AMI is shared with
		}
		shared, err := SharedWith(ctx, r.EC2(t.Region), t)
		if err != nil {
			return nil, err
		}
		f, err := SharedAccounts(ctx, t, shared, others)
		if err != nil {
			return nil, err
		}
		findings = append(findings, f...)
	}
	return findings, nil
}

// DescribeAll reads Fast Launch of every AMI of the caller in the regions,
// at most limit regions at once (default DefaultLimit); the first error
// cancels the other reads, whose answers would go unused.
func DescribeAll(ctx context.Context, ec2For func(region string) awsapi.EC2API, regions []string, limit int) ([]Status, error) {
	per, err := describeRegions(ctx, ec2For, regions, nil, limit)
	if err != nil {
		return nil, err
	}
	out := []Status{}
	for _, ss := range per {
		out = append(out, ss...)
	}
	return out, nil
}

// DescribeTargets reads Fast Launch of located AMIs with one read a region
// (its AMIs together, not one call each), as DescribeAll fans out. The
// statuses come in the order of targets; an AMI without Fast Launch is
// "disabled".
func DescribeTargets(ctx context.Context, ec2For func(region string) awsapi.EC2API, targets []Target, limit int) ([]Status, error) {
	var regions []string
	amis := map[string][]string{}
	for _, t := range targets {
		if _, ok := amis[t.Region]; !ok {
			regions = append(regions, t.Region)
		}
		amis[t.Region] = append(amis[t.Region], t.AMI)
	}
	per, err := describeRegions(ctx, ec2For, regions, amis, limit)
	if err != nil {
		return nil, err
	}
	type key struct{ region, ami string }
	found := map[key]Status{}
	for _, ss := range per {
		for _, s := range ss {
			found[key{s.Region, s.AMI}] = s
		}
	}
	out := make([]Status, len(targets))
	for i, t := range targets {
		s, ok := found[key{t.Region, t.AMI}]
		if !ok {
			s = Status{AMI: t.AMI, Region: t.Region, State: "disabled"}
		}
		out[i] = s
	}
	return out, nil
}

// describeRegions reads each region's Fast Launch, of its AMIs in amis
// (every AMI of the caller when amis is nil), at most limit regions at
// once (default DefaultLimit); the first error cancels the others.
func describeRegions(ctx context.Context, ec2For func(region string) awsapi.EC2API, regions []string, amis map[string][]string, limit int) ([][]Status, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	per := make([][]Status, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, region := range regions {
		g.Go(func() error {
			if amis == nil {
				var err error
				per[i], err = Describe(gctx, ec2For(region), region, nil)
				return err
			}
			for batch := range slices.Chunk(amis[region], awsapi.MaxFilterValues) {
				ss, err := Describe(gctx, ec2For(region), region, batch)
				if err != nil {
					return err
				}
				per[i] = append(per[i], ss...)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return per, nil
}
