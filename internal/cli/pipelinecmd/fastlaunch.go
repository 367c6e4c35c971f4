package pipelinecmd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/pipeline"
)

// confirmFastLaunch checks, after a build with distribution.fastLaunch,
// that Fast Launch of each new AMI reached enabled — Image Builder reports
// a build AVAILABLE whatever became of it. AMIs of the caller's account are
// followed until enabled or failed; those distributed to other accounts
// cannot be read with these credentials and are named for an audit.
func confirmFastLaunch(ctx context.Context, s *session, imageARN string, amis []pipeline.AMI, timeout time.Duration) ([]fastlaunch.Status, error) {
	fl := s.spec.Distribution.FastLaunch
	if fl == nil || !fl.Enabled {
		return nil, nil
	}
	account := pipeline.AccountOf(imageARN) // the build's, and the caller's
	var mine []pipeline.AMI
	var others []string
	unread := map[string]bool{}
	for _, a := range amis {
		if a.Account == "" || a.Account == account {
			mine = append(mine, a)
			continue
		}
		others = append(others, fmt.Sprintf("%s in %s (account %s)", a.ImageID, a.Region, a.Account))
		unread[a.Account] = true
	}
	// Fast Launch configured for other accounts applies to this account's
	// copies there, which these credentials cannot read either.
	for _, acct := range fl.Accounts {
		if acct != account && !unread[acct] {
			others = append(others, "the AMIs' Fast Launch in account "+acct)
			unread[acct] = true
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	statuses := make([]fastlaunch.Status, len(mine))
	errs := make([]error, len(mine))
	var wg sync.WaitGroup
	var printing sync.Mutex // the AMIs' waits report from their own goroutines
	for i, a := range mine {
		wg.Go(func() {
			t := fastlaunch.Target{AMI: a.ImageID, Region: a.Region, Image: types.Image{ImageId: aws.String(a.ImageID)}}
			statuses[i], errs[i] = fastlaunch.Wait(ctx, s.clients.EC2(a.Region), t, fastlaunch.WaitOptions{
				Interval: 10 * time.Second,
				OnPoll: func(st fastlaunch.Status) {
					printing.Lock()
					defer printing.Unlock()
					fmt.Fprintf(s.app.IO.ErrOut, "Fast Launch of %s in %s: %s\n", st.AMI, st.Region, st.State)
				},
			})
		})
	}
	wg.Wait()
	if len(others) > 0 {
		fmt.Fprintf(s.app.IO.ErrOut, "Not checked (other accounts' credentials are needed): %s; run winami fast-launch audit --ami … --profiles … for them.\n", strings.Join(others, ", "))
	}
	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, err.Error())
			if ctx.Err() != nil {
				failed[len(failed)-1] = fmt.Sprintf("%s in %s: still %s after %s", mine[i].ImageID, mine[i].Region, statuses[i].State, timeout)
			}
		}
	}
	if len(failed) > 0 {
		return statuses, fmt.Errorf("the build is AVAILABLE but Fast Launch is not in effect:\n  %s\nsee winami fast-launch status --regions %s",
			strings.Join(failed, "\n  "), strings.Join(s.spec.Distribution.Regions, ","))
	}
	return statuses, nil
}
