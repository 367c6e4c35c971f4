package iam_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func roleARN(name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func TestSimulatePrincipalPolicy(t *testing.T) {
	srv, c := start(t)
	// A policy with a '?' wildcard, to check the one-character match.
	_ = srv.Store().Update(func(w *world.World) error {
		w.IAM.Roles[world.LegacyBuildRoleName].InlinePolicies = map[string]string{"logs": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::logs-?/*"}}`}
		return nil
	})
	user := "arn:aws:iam::" + account + ":user/" + world.CallerUserName
	for _, tt := range []struct {
		name, principal, action, resource string
		decision                          types.PolicyEvaluationDecisionType
		source                            string // the first matched statement's policy
		sourceType                        types.PolicySourceType
	}{
		{"ECR pull from the managed policy", roleARN("winami-build"), "ecr:BatchGetImage", "", types.PolicyEvaluationDecisionTypeAllowed, "AmazonEC2ContainerRegistryPullOnly", types.PolicySourceTypeAwsManaged},
		{"no ECR pull", roleARN(world.NoECRBuildRoleName), "ecr:GetAuthorizationToken", "", types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
		{"SSM from the managed policy", roleARN(world.NoECRBuildRoleName), "ssm:UpdateInstanceInformation", "", types.PolicyEvaluationDecisionTypeAllowed, "AmazonSSMManagedInstanceCore", types.PolicySourceTypeAwsManaged},
		{"legacy lacks SSM", roleARN(world.LegacyBuildRoleName), "ssm:UpdateInstanceInformation", "", types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
		{"wildcard resource matches", roleARN("winami-build"), "s3:GetObject", "arn:aws:s3:::ec2imagebuilder-managed-resources/x", types.PolicyEvaluationDecisionTypeAllowed, "EC2InstanceProfileForImageBuilder", types.PolicySourceTypeAwsManaged},
		{"wildcard resource does not match", roleARN("winami-build"), "s3:GetObject", "arn:aws:s3:::other-bucket/x", types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
		{"inline role policy", roleARN("winami-build"), "s3:PutObject", "arn:aws:s3:::winami-build-logs-" + account + "/2026/log.txt", types.PolicyEvaluationDecisionTypeAllowed, "winami-build-logs", types.PolicySourceTypeRole},
		{"? matches one character", roleARN(world.LegacyBuildRoleName), "s3:PutObject", "arn:aws:s3:::logs-a/k", types.PolicyEvaluationDecisionTypeAllowed, "logs", types.PolicySourceTypeRole},
		{"? matches no more", roleARN(world.LegacyBuildRoleName), "s3:PutObject", "arn:aws:s3:::logs-ab/k", types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
		{"user allowed by action wildcard", user, "EC2:DescribeFastLaunchImages", "", types.PolicyEvaluationDecisionTypeAllowed, "winami-operator", types.PolicySourceTypeUser},
		{"user explicit deny wins", user, "iam:DeleteRole", "", types.PolicyEvaluationDecisionTypeExplicitDeny, "winami-operator", types.PolicySourceTypeUser},
		{"PassRole on winami-*", user, "iam:PassRole", roleARN("winami-build"), types.PolicyEvaluationDecisionTypeAllowed, "winami-operator", types.PolicySourceTypeUser},
		{"PassRole elsewhere", user, "iam:PassRole", roleARN("legacy-build"), types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
		{"user's managed policy", user, "ecr:ListImages", "", types.PolicyEvaluationDecisionTypeAllowed, "AmazonEC2ContainerRegistryReadOnly", types.PolicySourceTypeAwsManaged},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(tt.principal), ActionNames: []string{tt.action}}
			if tt.resource != "" {
				in.ResourceArns = []string{tt.resource}
			}
			out, err := c.SimulatePrincipalPolicy(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.EvaluationResults) != 1 {
				t.Fatalf("%d results", len(out.EvaluationResults))
			}
			r := out.EvaluationResults[0]
			wantResource := tt.resource
			if wantResource == "" {
				wantResource = "*"
			}
			if r.EvalDecision != tt.decision || aws.ToString(r.EvalActionName) != tt.action || aws.ToString(r.EvalResourceName) != wantResource {
				t.Fatalf("got %s for %s on %s, want %s", r.EvalDecision, aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), tt.decision)
			}
			if tt.source == "" {
				if len(r.MatchedStatements) != 0 {
					t.Errorf("matched %+v, want none", r.MatchedStatements)
				}
				return
			}
			if len(r.MatchedStatements) == 0 {
				t.Fatal("no matched statements")
			}
			m := r.MatchedStatements[0]
			if aws.ToString(m.SourcePolicyId) != tt.source || m.SourcePolicyType != tt.sourceType ||
				m.StartPosition == nil || m.EndPosition == nil || m.EndPosition.Column <= m.StartPosition.Column {
				t.Errorf("matched %s (%s) at %+v-%+v, want %s (%s)", aws.ToString(m.SourcePolicyId), m.SourcePolicyType, m.StartPosition, m.EndPosition, tt.source, tt.sourceType)
			}
		})
	}
}

// TestSimulateConditions: a statement with a condition does not apply
// without context, and its keys are reported missing.
func TestSimulateConditions(t *testing.T) {
	_, c := start(t)
	out, err := c.SimulatePrincipalPolicy(t.Context(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN("winami-build")), ActionNames: []string{"kms:Decrypt"}})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MissingContextValues) != 2 {
		t.Errorf("kms:Decrypt: %s, missing %v", r.EvalDecision, r.MissingContextValues)
	}
}

func TestSimulatePrincipalPolicyPages(t *testing.T) {
	_, c := start(t)
	pager := iam.NewSimulatePrincipalPolicyPaginator(c, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN("winami-build")),
		ActionNames:     []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"},
		ResourceArns:    []string{"*", "arn:aws:ecr:us-east-1:" + account + ":repository/app"},
		MaxItems:        aws.Int32(4),
	})
	var got []string
	pages := 0
	for pager.HasMorePages() {
		out, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.EvaluationResults {
			if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
				t.Errorf("%s on %s: %s", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), r.EvalDecision)
			}
			got = append(got, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName))
		}
	}
	if len(got) != 6 || pages != 2 || got[0] != "ecr:BatchGetImage *" || got[5] != "ecr:GetAuthorizationToken arn:aws:ecr:us-east-1:"+account+":repository/app" {
		t.Errorf("%d pages: %v", pages, got)
	}
}

func TestSimulatePrincipalPolicyErrors(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }})
	c := iam.NewFromConfig(cfg)
	sim := func(c *iam.Client, arn string, actions ...string) error {
		_, err := c.SimulatePrincipalPolicy(t.Context(), &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(arn), ActionNames: actions})
		return err
	}
	wantError(t, sim(c, roleARN("nobody"), "ec2:DescribeImages"), "NoSuchEntity", "The role with name nobody cannot be found.", 404)
	wantError(t, sim(c, "arn:aws:iam::"+world.PartnerAccountID+":user/sandbox", "ec2:DescribeImages"), "NoSuchEntity", "The user with name sandbox cannot be found.", 404)
	wantError(t, sim(c, "arn:aws:s3:::bucket-name-long", "ec2:DescribeImages"), "InvalidInput", "Invalid ARN: Could not be parsed! arn:aws:s3:::bucket-name-long", 400)
	wantError(t, sim(c, roleARN("winami-build"), "DescribeImages"), "InvalidInput", "Actions must be of the form service:action. Invalid action: DescribeImages", 400)

	// The partner's user may not create the Fast Launch service-linked role.
	partner := iam.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))
	out, err := partner.SimulatePrincipalPolicy(t.Context(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + world.PartnerAccountID + ":user/" + world.CallerUserName),
		ActionNames:     []string{"iam:CreateServiceLinkedRole", "ec2:EnableFastLaunch"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny ||
		out.EvaluationResults[1].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("partner: %s, %s", out.EvaluationResults[0].EvalDecision, out.EvaluationResults[1].EvalDecision)
	}
}
