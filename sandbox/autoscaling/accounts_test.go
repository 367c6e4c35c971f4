package autoscaling_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// An Auto Scaling group is its account's: another account lists none of
// the default account's groups, and a call naming one is told that no
// such group exists, as Auto Scaling answers.
func TestGroupsByAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	partner := asg.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))
	out, err := partner.DescribeAutoScalingGroups(t.Context(), &asg.DescribeAutoScalingGroupsInput{})
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Errorf("the partner's groups in us-east-1: %d, %v", len(out.AutoScalingGroups), err)
	}
	out, err = partner.DescribeAutoScalingGroups(t.Context(), &asg.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
	if err != nil || len(out.AutoScalingGroups) != 0 {
		t.Errorf("the partner naming the default account's group: %d, %v", len(out.AutoScalingGroups), err)
	}
	_, err = partner.DescribeInstanceRefreshes(t.Context(), &asg.DescribeInstanceRefreshesInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ValidationError", "AutoScalingGroup name not found - AutoScaling Group "+group+" not found")
	_, err = partner.StartInstanceRefresh(t.Context(), &asg.StartInstanceRefreshInput{AutoScalingGroupName: aws.String(group)})
	sandboxtest.WantAPIError(t, err, "ValidationError", "AutoScalingGroup name not found - AutoScaling Group "+group+" not found")
	own, err := asg.NewFromConfig(cfg).DescribeAutoScalingGroups(t.Context(), &asg.DescribeAutoScalingGroupsInput{})
	if err != nil || len(own.AutoScalingGroups) != 1 {
		t.Errorf("the default account's groups: %d, %v", len(own.AutoScalingGroups), err)
	}
}
