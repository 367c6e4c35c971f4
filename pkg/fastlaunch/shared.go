package fastlaunch

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
)

// SharedWith lists the accounts t is shared with (its launch permissions).
func SharedWith(ctx context.Context, api awsapi.EC2API, t Target) ([]string, error) {
	out, err := api.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{
		ImageId: aws.String(t.AMI), Attribute: types.ImageAttributeNameLaunchPermission,
	})
	if err != nil {
		return nil, fmt.Errorf("reading who %s in %s is shared with: %w", t.AMI, t.Region, err)
	}
	var accounts []string
	for _, p := range out.LaunchPermissions {
		if id := aws.ToString(p.UserId); id != "" && !slices.Contains(accounts, id) {
			accounts = append(accounts, id)
		}
	}
	slices.Sort(accounts)
	return accounts, nil
}

// OtherAccount is an account there are credentials for: a profile.
type OtherAccount struct {
	Profile string
	EC2     func(region string) awsapi.EC2API
}

// SharedAccounts audits Fast Launch of t in each account it is shared
// with: Fast Launch is enabled per account, so a shared AMI launches slowly
// there until that account enables it. others holds the accounts there are
// credentials for, by ID; the rest are reported unchecked.
func SharedAccounts(ctx context.Context, t Target, sharedWith []string, others map[string]OtherAccount) ([]AuditFinding, error) {
	var out []AuditFinding
	for _, account := range sharedWith {
		subject := fmt.Sprintf("%s in %s, account %s", t.AMI, t.Region, account)
		other, ok := others[account]
		if !ok {
			out = append(out, AuditFinding{Subject: subject, Kind: KindSharedUnchecked, Severity: Warn,
				Message: "the AMI is shared with this account, and no credentials for it were given, so its Fast Launch was not checked",
				Fix:     "add a profile of that account to --profiles"})
			continue
		}
		cur, err := current(ctx, other.EC2(t.Region), t)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", account, err)
		}
		if cur == nil || !cur.Active() {
			state := "not enabled"
			if cur != nil {
				state = cur.State
			}
			out = append(out, AuditFinding{Subject: subject, Kind: KindSharedNotEnabled, Severity: Fail,
				Message: "Fast Launch is " + state + " in this account: launches there use no pre-provisioned snapshots",
				Fix:     fmt.Sprintf("winami --profile %s fast-launch enable %s --regions %s --wait", other.Profile, t.AMI, t.Region)})
		}
	}
	return out, nil
}
