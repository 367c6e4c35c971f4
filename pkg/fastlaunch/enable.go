package fastlaunch

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/winami/winami/pkg/awsapi"
)

// Action is what enable or disable did to one AMI.
type Action string

// Actions.
const (
	Enabled      Action = "enabled"
	Reconfigured Action = "reconfigured"
	Unchanged    Action = "unchanged"
	Disabled     Action = "disabled"
	NotEnabled   Action = "not-enabled"
)

// Result is the outcome for one AMI.
type Result struct {
	Action Action `json:"action"`
	Status Status `json:"status"`
}

// current is the AMI's Fast Launch status, or nil when it has none.
func current(ctx context.Context, api awsapi.EC2API, t Target) (*Status, error) {
	all, err := Describe(ctx, api, t.Region, []string{t.AMI})
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.AMI == t.AMI {
			return &s, nil
		}
	}
	return nil, nil
}

// Enable turns Fast Launch on for t with set: a no-op when it is already
// enabled (or enabling) with these settings, a reconfiguration when the
// settings differ. Settings left zero keep what the AMI has (EC2's defaults
// for a new one). Run the Checker first: Enable only calls EC2.
func Enable(ctx context.Context, api awsapi.EC2API, t Target, set Settings) (Result, error) {
	cur, err := current(ctx, api, t)
	if err != nil {
		return Result{}, err
	}
	if cur != nil && cur.Active() {
		set = set.keeping(*cur)
	}
	set = set.withDefaults()
	action := Enabled
	if cur != nil {
		if cur.Active() && cur.Matches(set) {
			return Result{Action: Unchanged, Status: *cur}, nil
		}
		action = Reconfigured
	}
	in := &ec2.EnableFastLaunchInput{
		ImageId:               aws.String(t.AMI),
		ResourceType:          aws.String("snapshot"),
		MaxParallelLaunches:   aws.Int32(set.MaxParallel),
		SnapshotConfiguration: &types.FastLaunchSnapshotConfigurationRequest{TargetResourceCount: aws.Int32(set.TargetSnapshots)},
	}
	if lt := set.LaunchTemplate; lt != nil {
		req := &types.FastLaunchLaunchTemplateSpecificationRequest{Version: aws.String(lt.Version)}
		if lt.Version == "" {
			req.Version = aws.String("$Default")
		}
		if lt.ID != "" {
			req.LaunchTemplateId = aws.String(lt.ID)
		} else {
			req.LaunchTemplateName = aws.String(lt.Name)
		}
		in.LaunchTemplate = req
	}
	out, err := api.EnableFastLaunch(ctx, in)
	if err != nil {
		return Result{}, fmt.Errorf("enabling Fast Launch on %s in %s: %w", t.AMI, t.Region, err)
	}
	st := Status{
		AMI: t.AMI, Region: t.Region, Account: aws.ToString(out.OwnerId), State: string(out.State),
		MaxParallel: aws.ToInt32(out.MaxParallelLaunches), Reason: aws.ToString(out.StateTransitionReason),
		Since: aws.ToTime(out.StateTransitionTime), TargetSnapshots: set.TargetSnapshots, LaunchTemplate: set.LaunchTemplate,
	}
	if c := out.SnapshotConfiguration; c != nil {
		st.TargetSnapshots = aws.ToInt32(c.TargetResourceCount)
	}
	return Result{Action: action, Status: st}, nil
}

// Disable turns Fast Launch off for t (force: even while it is enabling or
// failed); an AMI without Fast Launch is left as it is.
func Disable(ctx context.Context, api awsapi.EC2API, t Target, force bool) (Result, error) {
	cur, err := current(ctx, api, t)
	if err != nil {
		return Result{}, err
	}
	if cur == nil {
		return Result{Action: NotEnabled, Status: Status{AMI: t.AMI, Region: t.Region, State: "disabled"}}, nil
	}
	out, err := api.DisableFastLaunch(ctx, &ec2.DisableFastLaunchInput{ImageId: aws.String(t.AMI), Force: aws.Bool(force)})
	if err != nil {
		if !force && awsapi.HasCode(err, "IncorrectState") {
			return Result{}, fmt.Errorf("disabling Fast Launch on %s in %s: it is %s; pass --force to disable it anyway: %w", t.AMI, t.Region, cur.State, err)
		}
		return Result{}, fmt.Errorf("disabling Fast Launch on %s in %s: %w", t.AMI, t.Region, err)
	}
	st := *cur
	st.State, st.Reason, st.Since = string(out.State), aws.ToString(out.StateTransitionReason), aws.ToTime(out.StateTransitionTime)
	return Result{Action: Disabled, Status: st}, nil
}

// FailedError is Fast Launch that ended in a failed state.
type FailedError struct{ Status Status }

func (e *FailedError) Error() string {
	return fmt.Sprintf("Fast Launch on %s in %s is %s: %s", e.Status.AMI, e.Status.Region, e.Status.State, e.Status.Reason)
}

// DefaultWaitInterval is the time between two reads of a wait.
const DefaultWaitInterval = 15 * time.Second

// look reads t's Fast Launch once. done says the wait for it is over:
// enabled (no error), failed (a *FailedError), or in a state that does not
// lead to enabled. An error with a zero Status is one the read itself
// ended in, or an AMI without Fast Launch.
func look(ctx context.Context, api awsapi.EC2API, t Target) (Status, bool, error) {
	cur, err := current(ctx, api, t)
	if err != nil {
		return Status{}, true, err
	}
	if cur == nil {
		return Status{}, true, fmt.Errorf("%s in %s has no Fast Launch: enable it first (winami fast-launch enable %s --regions %s)", t.AMI, t.Region, t.AMI, t.Region)
	}
	switch {
	case cur.Failed():
		return *cur, true, &FailedError{Status: *cur}
	case cur.State == string(types.FastLaunchStateCodeEnabled):
		return *cur, true, nil
	case cur.State != string(types.FastLaunchStateCodeEnabling):
		return *cur, true, fmt.Errorf("%s in %s: Fast Launch is %s, not on its way to enabled", t.AMI, t.Region, cur.State)
	}
	return *cur, false, nil
}
