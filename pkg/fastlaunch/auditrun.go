package fastlaunch

import (
	"context"
	"fmt"
	"io"

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
	if limit <= 0 {
		limit = DefaultLimit
	}
	per := make([][]Status, len(regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, region := range regions {
		g.Go(func() error {
			var err error
			per[i], err = Describe(gctx, ec2For(region), region, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := []Status{}
	for _, ss := range per {
		out = append(out, ss...)
	}
	return out, nil
}
