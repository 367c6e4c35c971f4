package fastlaunch

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
)

// BuiltAMI is one AMI a build distributed.
type BuiltAMI struct {
	Region  string
	ImageID string
	// Account it was distributed to; empty is the build's own.
	Account string
}

// Build is what ConfirmBuild checks: a build's AMIs, in the account that
// built them (the caller's).
type Build struct {
	Account string
	AMIs    []BuiltAMI
	// Accounts are the spec's distribution.fastLaunch.accounts: Image
	// Builder enables Fast Launch of the AMIs' copies there too.
	Accounts []string
	// Regions are the spec's distribution regions, for the hint.
	Regions []string
}

// ConfirmOptions tune ConfirmBuild.
type ConfirmOptions struct {
	Interval time.Duration // default 10 s
	Timeout  time.Duration // zero looks once
	Clock    clock.Clock
	Limit    int
	// Out hears each AMI's state changes and the AMIs left for an audit.
	Out io.Writer
}

// NotInEffectError is a build that Image Builder reported AVAILABLE while
// Fast Launch of some of its AMIs is not enabled.
type NotInEffectError struct {
	Wait    *WaitError
	Regions []string
}

func (e *NotInEffectError) Error() string {
	lines := make([]string, len(e.Wait.Failures))
	for i, f := range e.Wait.Failures {
		lines[i] = f.String()
	}
	return fmt.Sprintf("the build is AVAILABLE but Fast Launch is not in effect:\n  %s\nsee winami fast-launch status --regions %s",
		strings.Join(lines, "\n  "), strings.Join(e.Regions, ","))
}

func (e *NotInEffectError) Unwrap() error { return e.Wait }

// ConfirmBuild checks, after a build with Fast Launch, that Fast Launch of
// each new AMI reached enabled: Image Builder reports a build AVAILABLE
// whatever became of it. The AMIs of the build's account are followed
// until enabled, failed or the timeout (a *NotInEffectError names each);
// those distributed to other accounts, and the copies in the accounts Fast
// Launch is configured for, cannot be read with the caller's credentials
// and are named on Out for an audit.
func ConfirmBuild(ctx context.Context, ec2For func(region string) awsapi.EC2API, b Build, o ConfirmOptions) ([]Status, error) {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	var mine []Target
	var others []string
	unread := map[string]bool{}
	for _, a := range b.AMIs {
		if a.Account == "" || a.Account == b.Account {
			mine = append(mine, Target{AMI: a.ImageID, Region: a.Region, Image: types.Image{ImageId: aws.String(a.ImageID)}})
			continue
		}
		others = append(others, fmt.Sprintf("%s in %s (account %s)", a.ImageID, a.Region, a.Account))
		unread[a.Account] = true
	}
	// Fast Launch configured for other accounts applies to the AMIs'
	// copies there, which these credentials cannot read either.
	for _, acct := range b.Accounts {
		if acct != b.Account && !unread[acct] {
			others = append(others, "the AMIs' Fast Launch in account "+acct)
			unread[acct] = true
		}
	}
	statuses, err := WaitAll(ctx, ec2For, mine, WaitAllOptions{
		Interval: o.Interval, Timeout: o.Timeout, Clock: o.Clock, Limit: o.Limit,
		OnChange: func(st Status) { fmt.Fprintf(o.Out, "Fast Launch of %s in %s: %s\n", st.AMI, st.Region, st.State) },
	})
	if len(others) > 0 {
		fmt.Fprintf(o.Out, "Not checked (other accounts' credentials are needed): %s; run winami fast-launch audit --ami … --profiles … for them.\n", strings.Join(others, ", "))
	}
	if we, ok := err.(*WaitError); ok {
		return statuses, &NotInEffectError{Wait: we, Regions: b.Regions}
	}
	return statuses, err
}
