package pipelinecmd

import (
	"context"
	"time"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/pkg/pipeline"
)

// confirmFastLaunch checks, after a build with distribution.fastLaunch,
// that Fast Launch of each new AMI reached enabled (fastlaunch.ConfirmBuild:
// Image Builder reports a build AVAILABLE whatever became of it).
func confirmFastLaunch(ctx context.Context, s *session, imageARN string, amis []pipeline.AMI, timeout time.Duration) ([]fastlaunch.Status, error) {
	fl := s.spec.Distribution.FastLaunch
	if fl == nil || !fl.Enabled {
		return nil, nil
	}
	b := fastlaunch.Build{
		Account:  pipeline.AccountOf(imageARN), // the build's, and the caller's
		Accounts: fl.Accounts,
		Regions:  s.spec.Distribution.Regions,
	}
	for _, a := range amis {
		b.AMIs = append(b.AMIs, fastlaunch.BuiltAMI{Region: a.Region, ImageID: a.ImageID, Account: a.Account})
	}
	ec2For := func(region string) awsapi.EC2API { return s.clients.EC2(region) }
	return fastlaunch.ConfirmBuild(ctx, ec2For, b, fastlaunch.ConfirmOptions{
		Timeout: timeout, Clock: clock.Real{}, Out: s.app.IO.ErrOut,
	})
}
