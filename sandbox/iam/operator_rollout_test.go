package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/sandbox/world"
)

// The seeded caller's winami-operator policy allows what a rollout calls.
func TestOperatorMayRollOut(t *testing.T) {
	_, c := start(t)
	actions := []string{
		"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DescribeLaunchTemplateVersions",
		"eks:UpdateNodegroupVersion", "eks:DescribeUpdate", "eks:ListUpdates",
		"autoscaling:DescribeAutoScalingGroups", "autoscaling:StartInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
		"autoscaling:CancelInstanceRefresh", "autoscaling:RollbackInstanceRefresh",
	}
	out, err := c.SimulatePrincipalPolicy(t.Context(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + account + ":user/" + world.CallerUserName), ActionNames: actions})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EvaluationResults) != len(actions) {
		t.Fatalf("%d results for %d actions", len(out.EvaluationResults), len(actions))
	}
	for _, r := range out.EvaluationResults {
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
			t.Errorf("%s: %s", aws.ToString(r.EvalActionName), r.EvalDecision)
		}
	}
}
