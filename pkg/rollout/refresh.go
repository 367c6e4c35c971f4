package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
)

// RefreshDriver moves self-managed Auto Scaling groups onto an AMI: a new
// launch template version, then an instance refresh that names it as the
// desired configuration. g.Name is the Auto Scaling group's name.
//
// Auto Scaling gives a caller no way to end a checkpoint's wait early, so
// the canary checkpoint waits CheckpointDelay and Continue does nothing:
// the delay is the time the runner has to verify the canary nodes before
// the refresh goes on by itself (a failed verification rolls it back at any
// point, checkpoint or not).
type RefreshDriver struct {
	as  awsapi.AutoScalingAPI
	ec2 awsapi.EC2API
}

// CheckpointDelay is how long a refresh waits at the canary checkpoint, in
// seconds: long enough for the runner to verify the canary (Continue ends
// the wait as soon as it has) or to roll the refresh back.
const CheckpointDelay = 600

// NewRefreshDriver returns the driver of self-managed Auto Scaling groups
// (MethodInstanceRefresh).
func NewRefreshDriver(as awsapi.AutoScalingAPI, ec2 awsapi.EC2API) *RefreshDriver {
	return &RefreshDriver{as: as, ec2: ec2}
}

var _ Driver = (*RefreshDriver)(nil)

// Instance refresh statuses.
const (
	refreshPending            = string(astypes.InstanceRefreshStatusPending)
	refreshInProgress         = string(astypes.InstanceRefreshStatusInProgress)
	refreshBaking             = string(astypes.InstanceRefreshStatusBaking)
	refreshSuccessful         = string(astypes.InstanceRefreshStatusSuccessful)
	refreshFailed             = string(astypes.InstanceRefreshStatusFailed)
	refreshCancelling         = string(astypes.InstanceRefreshStatusCancelling)
	refreshCancelled          = string(astypes.InstanceRefreshStatusCancelled)
	refreshRollbackInProgress = string(astypes.InstanceRefreshStatusRollbackInProgress)
	refreshRollbackFailed     = string(astypes.InstanceRefreshStatusRollbackFailed)
	refreshRollbackSuccessful = string(astypes.InstanceRefreshStatusRollbackSuccessful)
)

// describeGroup reads the Auto Scaling group (nil when there is none).
func (d *RefreshDriver) describeGroup(ctx context.Context, name string) (*astypes.AutoScalingGroup, error) {
	out, err := d.as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{name}, IncludeInstances: aws.Bool(false),
	})
	if err != nil {
		return nil, fmt.Errorf("reading Auto Scaling group %s: %w", name, err)
	}
	for i := range out.AutoScalingGroups {
		if aws.ToString(out.AutoScalingGroups[i].AutoScalingGroupName) == name {
			return &out.AutoScalingGroups[i], nil
		}
	}
	return nil, nil
}

// groupTemplate is the launch template the group launches from.
func groupTemplate(asg *astypes.AutoScalingGroup) *astypes.LaunchTemplateSpecification {
	if asg.LaunchTemplate != nil {
		return asg.LaunchTemplate
	}
	if m := asg.MixedInstancesPolicy; m != nil && m.LaunchTemplate != nil {
		return m.LaunchTemplate.LaunchTemplateSpecification
	}
	return nil
}

// Prepare implements Driver: DescribeAutoScalingGroups and
// DescribeLaunchTemplateVersions of the group's version.
func (d *RefreshDriver) Prepare(ctx context.Context, g *Group) error {
	g.Method = MethodInstanceRefresh
	asg, err := d.describeGroup(ctx, g.Name)
	if err != nil {
		return err
	}
	if asg == nil {
		g.Skip = fmt.Sprintf("Auto Scaling group %s does not exist in this region: check the name and the region", g.Name)
		return nil
	}
	if busy, err := d.windingDown(ctx, g.Name); err != nil || busy != "" {
		g.Skip = busy
		return err
	}
	spec := groupTemplate(asg)
	if spec == nil {
		g.Skip = fmt.Sprintf("Auto Scaling group %s launches from launch configuration %s: move the group to a launch template", g.Name, aws.ToString(asg.LaunchConfigurationName))
		return nil
	}
	named := aws.ToString(spec.Version)
	v, err := describeVersion(ctx, d.ec2, aws.ToString(spec.LaunchTemplateId), aws.ToString(spec.LaunchTemplateName), named)
	if err != nil {
		return fmt.Errorf("reading Auto Scaling group %s's launch template: %w", g.Name, err)
	}
	g.State.LaunchTemplateID, g.State.LaunchTemplateName, g.State.FromVersion = v.id, v.name, v.version
	if v.imageID == "" || strings.HasPrefix(v.imageID, "resolve:ssm:") {
		g.Skip = fmt.Sprintf("launch template %s version %s of Auto Scaling group %s names no AMI ID (ImageId %q): give the version an AMI ID", v.name, v.version, g.Name, v.imageID)
		return nil
	}
	if g.Expect.AMI == "" {
		g.Skip = fmt.Sprintf("Auto Scaling group %s runs a custom AMI: --latest cannot move it; give --ami or -f", g.Name)
		return nil
	}
	size := int(aws.ToInt32(asg.DesiredCapacity))
	var b strings.Builder
	fmt.Fprintf(&b, "launch template %s version %s → new version (ImageId %s → %s), then StartInstanceRefresh", v.name, v.version, v.imageID, g.Expect.AMI)
	if p := refreshPrefs(g, size); p.MinHealthyPercentage != nil {
		fmt.Fprintf(&b, " (MinHealthyPercentage %d", *p.MinHealthyPercentage)
	} else {
		b.WriteString(" (MinHealthyPercentage 90, Auto Scaling's default")
	}
	if g.CanaryNodes > 0 {
		fmt.Fprintf(&b, ", a checkpoint after %d of %d instances", g.CanaryNodes, size)
	}
	b.WriteString(")")
	if !isNumber(named) {
		// Auto Scaling cannot roll back a group that names $Default or
		// $Latest; on success it sets the group to the desired version.
		fmt.Fprintf(&b, "; the group names version %s: on success it names the new version instead, and a failure is cancelled, not rolled back (replaced instances stay)", named)
	}
	g.Change = b.String()
	return nil
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// refreshPrefs are the refresh's preferences for a group of size instances.
func refreshPrefs(g *Group, size int) *astypes.RefreshPreferences {
	p := &astypes.RefreshPreferences{SkipMatching: aws.Bool(true), AutoRollback: aws.Bool(false)}
	if g.MaxUnavailable > 0 && size > 0 {
		// floor(100 - 100·max/size): at most max instances out at once.
		minHealthy := max(100-(100*g.MaxUnavailable+size-1)/size, 0)
		p.MinHealthyPercentage = aws.Int32(int32(minHealthy))
	}
	p.InstanceWarmup = g.InstanceWarmup
	if g.CanaryNodes > 0 && size > 0 {
		pct := min(max((100*g.CanaryNodes+size-1)/size, 1), 100)
		p.CheckpointPercentages = []int32{int32(pct)}
		if pct < 100 {
			p.CheckpointPercentages = append(p.CheckpointPercentages, 100)
		}
		p.CheckpointDelay = aws.Int32(CheckpointDelay)
		if g.CheckpointDelay > 0 {
			p.CheckpointDelay = aws.Int32(g.CheckpointDelay)
		}
	}
	return p
}

// Start implements Driver: CreateLaunchTemplateVersion (unless a retried
// Start made it already), then StartInstanceRefresh naming that version by
// number, so the refresh can be rolled back when the group names one too.
func (d *RefreshDriver) Start(ctx context.Context, g *Group) error {
	asg, err := d.describeGroup(ctx, g.Name)
	if err != nil {
		return err
	}
	if asg == nil {
		return fmt.Errorf("the Auto Scaling group %s does not exist: check the name and the region", g.Name)
	}
	if g.State.ToVersion == "" {
		v, err := createVersion(ctx, d.ec2, g.State.LaunchTemplateID, g.State.FromVersion, g.Expect.AMI, versionDescription(g.Expect.AMI, g.State.FromVersion))
		if err != nil {
			return fmt.Errorf("the Auto Scaling group %s: %w", g.Name, err)
		}
		g.State.ToVersion = v
	}
	desired := desiredConfig(asg, g.State.LaunchTemplateID, g.State.ToVersion)
	out, err := d.as.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{
		AutoScalingGroupName: &g.Name,
		Strategy:             astypes.RefreshStrategyRolling,
		DesiredConfiguration: desired,
		Preferences:          refreshPrefs(g, int(aws.ToInt32(asg.DesiredCapacity))),
	})
	if err != nil {
		return fmt.Errorf("starting the instance refresh of Auto Scaling group %s: %w", g.Name, err)
	}
	g.State.RefreshID = aws.ToString(out.InstanceRefreshId)
	return nil
}

// desiredConfig is the group's configuration with the template's version
// set: its launch template, or its whole mixed instances policy.
func desiredConfig(asg *astypes.AutoScalingGroup, templateID, version string) *astypes.DesiredConfiguration {
	target := &astypes.LaunchTemplateSpecification{LaunchTemplateId: &templateID, Version: aws.String(version)}
	if m := asg.MixedInstancesPolicy; asg.LaunchTemplate == nil && m != nil && m.LaunchTemplate != nil {
		mip := *m
		lt := *m.LaunchTemplate
		lt.LaunchTemplateSpecification = target
		mip.LaunchTemplate = &lt
		return &astypes.DesiredConfiguration{MixedInstancesPolicy: &mip}
	}
	return &astypes.DesiredConfiguration{LaunchTemplate: target}
}

// InFlight implements Driver: one DescribeInstanceRefreshes (newest first).
// windingDown says why a group whose newest instance refresh is being
// rolled back or cancelled (a rollout that failed, run again before its
// rollback ended) cannot start another yet; "" when it can.
func (d *RefreshDriver) windingDown(ctx context.Context, name string) (string, error) {
	out, err := d.as.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: &name, MaxRecords: aws.Int32(1)})
	if err != nil {
		return "", fmt.Errorf("listing the instance refreshes of Auto Scaling group %s: %w", name, err)
	}
	if len(out.InstanceRefreshes) == 0 {
		return "", nil
	}
	switch ir := out.InstanceRefreshes[0]; string(ir.Status) {
	case refreshRollbackInProgress, refreshCancelling:
		return fmt.Sprintf("instance refresh %s of Auto Scaling group %s is %s: wait for it to end, then run the rollout again", aws.ToString(ir.InstanceRefreshId), name, ir.Status), nil
	}
	return "", nil
}

func (d *RefreshDriver) InFlight(ctx context.Context, g *Group) (bool, error) {
	out, err := d.as.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{AutoScalingGroupName: &g.Name})
	if err != nil {
		return false, fmt.Errorf("listing the instance refreshes of Auto Scaling group %s: %w", g.Name, err)
	}
	for _, ir := range out.InstanceRefreshes {
		switch string(ir.Status) {
		case refreshPending, refreshInProgress, refreshBaking:
		default:
			continue
		}
		g.State.RefreshID, g.State.Resumed = aws.ToString(ir.InstanceRefreshId), true
		if spec := desiredTemplate(ir.DesiredConfiguration); spec != nil && isNumber(aws.ToString(spec.Version)) {
			g.State.ToVersion = aws.ToString(spec.Version)
			v, err := describeVersion(ctx, d.ec2, aws.ToString(spec.LaunchTemplateId), aws.ToString(spec.LaunchTemplateName), g.State.ToVersion)
			if err != nil {
				return true, fmt.Errorf("reading the launch template of Auto Scaling group %s's refresh %s: %w", g.Name, g.State.RefreshID, err)
			}
			if _, from, ok := parseDescription(v.description); ok {
				g.State.FromVersion = from
			}
		}
		return true, nil
	}
	return false, nil
}

func desiredTemplate(dc *astypes.DesiredConfiguration) *astypes.LaunchTemplateSpecification {
	switch {
	case dc == nil:
		return nil
	case dc.LaunchTemplate != nil:
		return dc.LaunchTemplate
	case dc.MixedInstancesPolicy != nil && dc.MixedInstancesPolicy.LaunchTemplate != nil:
		return dc.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification
	}
	return nil
}

// describeRefresh reads the group's refresh State.RefreshID.
func (d *RefreshDriver) describeRefresh(ctx context.Context, g *Group) (*astypes.InstanceRefresh, error) {
	if g.State.RefreshID == "" {
		return nil, fmt.Errorf("the Auto Scaling group %s: no instance refresh to follow", g.Name)
	}
	out, err := d.as.DescribeInstanceRefreshes(ctx, &autoscaling.DescribeInstanceRefreshesInput{
		AutoScalingGroupName: &g.Name, InstanceRefreshIds: []string{g.State.RefreshID},
	})
	if err != nil {
		return nil, fmt.Errorf("reading instance refresh %s of Auto Scaling group %s: %w", g.State.RefreshID, g.Name, err)
	}
	for i := range out.InstanceRefreshes {
		if aws.ToString(out.InstanceRefreshes[i].InstanceRefreshId) == g.State.RefreshID {
			return &out.InstanceRefreshes[i], nil
		}
	}
	return nil, fmt.Errorf("reading instance refresh %s of Auto Scaling group %s: Auto Scaling does not know it", g.State.RefreshID, g.Name)
}

// Poll implements Driver: one DescribeInstanceRefreshes.
func (d *RefreshDriver) Poll(ctx context.Context, g *Group) (Progress, error) {
	ir, err := d.describeRefresh(ctx, g)
	if err != nil {
		return Progress{}, err
	}
	if g.State.Continuing {
		if p, handled, err := d.goOn(ctx, g, ir); handled || err != nil {
			return p, err
		}
	}
	p := Progress{Phase: string(ir.Status), Percent: -1}
	if ir.PercentageComplete != nil {
		p.Percent = int(*ir.PercentageComplete)
	}
	reason := strings.ReplaceAll(aws.ToString(ir.StatusReason), "\n", " ")
	switch string(ir.Status) {
	case refreshSuccessful:
		p.Done = true
	case refreshInProgress:
		p.AtCheckpoint = strings.Contains(strings.ToLower(reason), "checkpoint")
	case refreshFailed, refreshCancelled, refreshCancelling, refreshRollbackInProgress, refreshRollbackFailed, refreshRollbackSuccessful:
		p.Failed = fmt.Sprintf("instance refresh %s %s", g.State.RefreshID, ir.Status)
		if reason != "" {
			p.Failed += ": " + reason
		}
	}
	return p, nil
}

// Continue implements Driver. Auto Scaling has no call that ends a
// checkpoint's wait early, and waiting out CheckpointDelay after the
// canary verified would waste it: the paused refresh is cancelled, and
// Poll starts one without checkpoints for the rest once it is Cancelled.
func (d *RefreshDriver) Continue(ctx context.Context, g *Group) error {
	if g.State.Continuing {
		return nil
	}
	if _, err := d.as.CancelInstanceRefresh(ctx, &autoscaling.CancelInstanceRefreshInput{AutoScalingGroupName: &g.Name}); err != nil {
		return fmt.Errorf("ending the canary checkpoint of instance refresh %s of Auto Scaling group %s: %w", g.State.RefreshID, g.Name, err)
	}
	g.State.Continuing = true
	return nil
}

// goOn follows a refresh cancelled at its canary checkpoint: once it is
// Cancelled, a refresh to the same version without checkpoints replaces
// the rest (SkipMatching leaves the canary's instances alone).
func (d *RefreshDriver) goOn(ctx context.Context, g *Group, ir *astypes.InstanceRefresh) (Progress, bool, error) {
	switch string(ir.Status) {
	case refreshCancelling:
		return Progress{Phase: "Cancelling (the checkpoint, to go on after the canary)", Percent: -1}, true, nil
	case refreshCancelled:
		asg, err := d.describeGroup(ctx, g.Name)
		if err != nil {
			return Progress{}, true, err
		}
		if asg == nil {
			return Progress{}, true, fmt.Errorf("the Auto Scaling group %s no longer exists", g.Name)
		}
		rest := *g
		rest.CanaryNodes = 0
		out, err := d.as.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{
			AutoScalingGroupName: &g.Name, Strategy: astypes.RefreshStrategyRolling,
			DesiredConfiguration: desiredConfig(asg, g.State.LaunchTemplateID, g.State.ToVersion),
			Preferences:          refreshPrefs(&rest, int(aws.ToInt32(asg.DesiredCapacity))),
		})
		if err != nil {
			return Progress{}, true, fmt.Errorf("starting the instance refresh of the rest of Auto Scaling group %s: %w", g.Name, err)
		}
		g.State.RefreshID, g.State.Continuing = aws.ToString(out.InstanceRefreshId), false
		return Progress{Phase: "InProgress", Percent: -1}, true, nil
	}
	// Ended before the cancel took (the checkpoint's delay ran out): as is.
	g.State.Continuing = false
	return Progress{}, false, nil
}

// Rollback implements Driver, one step a call: RollbackInstanceRefresh
// while the refresh is active (CancelInstanceRefresh when Auto Scaling
// cannot roll it back), then follow it to its end.
func (d *RefreshDriver) Rollback(ctx context.Context, g *Group) (bool, string, error) {
	if g.State.RefreshID == "" {
		return true, fmt.Sprintf("Auto Scaling group %s: nothing was started", g.Name), nil
	}
	ir, err := d.describeRefresh(ctx, g)
	if err != nil {
		return false, "", err
	}
	id := g.State.RefreshID
	if spec := desiredTemplate(ir.DesiredConfiguration); spec != nil && g.State.FromVersion != "" && aws.ToString(spec.Version) == g.State.FromVersion {
		return d.followRevert(g, ir)
	}
	switch st := string(ir.Status); st {
	case refreshPending, refreshInProgress, refreshBaking:
		return d.stopRefresh(ctx, g)
	case refreshRollbackInProgress, refreshCancelling:
		return false, fmt.Sprintf("waiting for instance refresh %s of %s to end (%s)", id, g.Name, st), nil
	case refreshRollbackSuccessful:
		return true, fmt.Sprintf("instance refresh %s rolled back: Auto Scaling group %s's instances are on launch template %s version %s again", id, g.Name, g.State.LaunchTemplateName, g.State.FromVersion), nil
	case refreshSuccessful:
		// Auto Scaling rolls back only a refresh in progress: a new
		// refresh takes the group back.
		return d.startRevert(ctx, g)
	case refreshCancelled:
		if g.State.Continuing {
			// Cancelled by winami after a verified canary: the canary's
			// instances are on the new version; a refresh takes them back.
			return d.startRevert(ctx, g)
		}
		fallthrough
	default: // Cancelled, Failed, RollbackFailed
		what := fmt.Sprintf("instance refresh %s %s: instances it replaced in Auto Scaling group %s stay on launch template %s version %s", id, st, g.Name, g.State.LaunchTemplateName, g.State.ToVersion)
		fix, err := d.unlatest(ctx, g)
		if err != nil {
			return false, "", err
		}
		return true, what + fix, nil
	}
}

// startRevert starts a refresh back to the version the rollout replaced.
func (d *RefreshDriver) startRevert(ctx context.Context, g *Group) (bool, string, error) {
	asg, err := d.describeGroup(ctx, g.Name)
	if err != nil {
		return false, "", err
	}
	if asg == nil {
		return false, "", fmt.Errorf("the Auto Scaling group %s no longer exists: nothing to put back", g.Name)
	}
	if g.State.FromVersion == "" {
		return true, "", fmt.Errorf("the Auto Scaling group %s: the launch template version to put back is unknown; start an instance refresh to the previous version by hand", g.Name)
	}
	prefs := refreshPrefs(&Group{MaxUnavailable: g.MaxUnavailable, InstanceWarmup: g.InstanceWarmup}, int(aws.ToInt32(asg.DesiredCapacity)))
	out, err := d.as.StartInstanceRefresh(ctx, &autoscaling.StartInstanceRefreshInput{
		AutoScalingGroupName: &g.Name, Strategy: astypes.RefreshStrategyRolling,
		DesiredConfiguration: desiredConfig(asg, g.State.LaunchTemplateID, g.State.FromVersion), Preferences: prefs,
	})
	if err != nil {
		return false, "", fmt.Errorf("starting an instance refresh of Auto Scaling group %s back to launch template version %s: %w", g.Name, g.State.FromVersion, err)
	}
	prev := g.State.RefreshID
	g.State.RefreshID = aws.ToString(out.InstanceRefreshId)
	return false, fmt.Sprintf("instance refresh %s had ended: refresh %s of %s back to launch template %s version %s started", prev, g.State.RefreshID, g.Name, g.State.LaunchTemplateName, g.State.FromVersion), nil
}

// followRevert follows the refresh back to the previous version.
func (d *RefreshDriver) followRevert(g *Group, ir *astypes.InstanceRefresh) (bool, string, error) {
	switch st := string(ir.Status); st {
	case refreshSuccessful:
		return true, fmt.Sprintf("Auto Scaling group %s back on launch template %s version %s (instance refresh %s)", g.Name, g.State.LaunchTemplateName, g.State.FromVersion, g.State.RefreshID), nil
	case refreshPending, refreshInProgress, refreshBaking, refreshCancelling, refreshRollbackInProgress:
		return false, fmt.Sprintf("instance refresh %s of %s back to version %s: %s", g.State.RefreshID, g.Name, g.State.FromVersion, st), nil
	default:
		return false, "", fmt.Errorf("putting Auto Scaling group %s back on launch template version %s: instance refresh %s %s: %s",
			g.Name, g.State.FromVersion, g.State.RefreshID, st, strings.ReplaceAll(aws.ToString(ir.StatusReason), "\n", " "))
	}
}

// stopRefresh rolls the refresh back, or cancels it when Auto Scaling says
// it cannot be rolled back (the group names $Default or $Latest).
func (d *RefreshDriver) stopRefresh(ctx context.Context, g *Group) (bool, string, error) {
	_, err := d.as.RollbackInstanceRefresh(ctx, &autoscaling.RollbackInstanceRefreshInput{AutoScalingGroupName: &g.Name})
	if err == nil {
		return false, fmt.Sprintf("instance refresh %s of %s rolling back to launch template version %s", g.State.RefreshID, g.Name, g.State.FromVersion), nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "IrreversibleInstanceRefresh" {
		return false, "", fmt.Errorf("rolling back instance refresh %s of Auto Scaling group %s: %w", g.State.RefreshID, g.Name, err)
	}
	if _, err := d.as.CancelInstanceRefresh(ctx, &autoscaling.CancelInstanceRefreshInput{AutoScalingGroupName: &g.Name}); err != nil {
		return false, "", fmt.Errorf("cancelling instance refresh %s of Auto Scaling group %s (it cannot be rolled back: %s): %w", g.State.RefreshID, g.Name, ae.ErrorMessage(), err)
	}
	return false, fmt.Sprintf("instance refresh %s of %s cancelling (Auto Scaling cannot roll it back: %s)", g.State.RefreshID, g.Name, ae.ErrorMessage()), nil
}

// unlatest keeps a group that names $Latest off the rollout's version
// after a cancel: a copy of the version it replaced becomes the newest.
func (d *RefreshDriver) unlatest(ctx context.Context, g *Group) (string, error) {
	asg, err := d.describeGroup(ctx, g.Name)
	if err != nil || asg == nil {
		return "", err
	}
	spec := groupTemplate(asg)
	if spec == nil || aws.ToString(spec.Version) != "$Latest" {
		return "", nil
	}
	latest, err := describeVersion(ctx, d.ec2, g.State.LaunchTemplateID, "", "$Latest")
	if err != nil {
		return "", err
	}
	if latest.version != g.State.ToVersion {
		return "", nil
	}
	prev, err := describeVersion(ctx, d.ec2, g.State.LaunchTemplateID, "", g.State.FromVersion)
	if err != nil {
		return "", err
	}
	v, err := createVersion(ctx, d.ec2, g.State.LaunchTemplateID, g.State.FromVersion, prev.imageID,
		fmt.Sprintf("winami rollback: version %s again after the rollout's version %s", g.State.FromVersion, g.State.ToVersion))
	if err != nil {
		return "", fmt.Errorf("putting Auto Scaling group %s ($Latest) back on version %s: %w", g.Name, g.State.FromVersion, err)
	}
	return fmt.Sprintf("; version %s, a copy of version %s (%s), is the template's $Latest again", v, g.State.FromVersion, prev.imageID), nil
}
