package iampolicy_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/iampolicy"
)

func TestPolicies(t *testing.T) {
	for _, u := range iampolicy.Uses {
		doc, err := iampolicy.Policy(u)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Version   string
			Statement []struct {
				Effect   string
				Action   []string
				Resource string
			}
		}
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		var got []string
		for _, s := range p.Statement {
			if s.Effect != "Allow" || s.Resource != "*" {
				t.Errorf("%s: statement %+v", u, s)
			}
			got = append(got, s.Action...)
		}
		if !slices.Equal(got, iampolicy.Actions(u)) || p.Version != "2012-10-17" {
			t.Errorf("%s: policy actions %v, want %v", u, got, iampolicy.Actions(u))
		}
	}
	// read-only changes nothing.
	for _, a := range iampolicy.Actions(iampolicy.ReadOnly) {
		for _, verb := range []string{":Create", ":Update", ":Delete", ":Put", ":Start", ":Deregister", ":PassRole", ":Tag"} {
			if strings.Contains(a, verb) {
				t.Errorf("read-only policy allows %s", a)
			}
		}
	}
	// drift reads clusters; so does release status, for a canary gate.
	if !iampolicy.Allows(iampolicy.Drift, "EKS:describecluster") || !iampolicy.Allows(iampolicy.Release, "eks:DescribeCluster") || iampolicy.Allows(iampolicy.Drift, "ssm:PutParameter") {
		t.Error("drift's and release's EKS actions")
	}
	if _, err := iampolicy.ParseUse("admin"); err == nil {
		t.Error("ParseUse(admin) succeeded")
	}
}

// TestRolloutPolicy: the rollout use makes the changes a rollout makes
// (EKS updates, launch template versions, instance refreshes), reads what
// drift reads, and builds nothing.
func TestRolloutPolicy(t *testing.T) {
	for _, a := range []string{
		"eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:UpdateNodegroupVersion", "eks:DescribeUpdate", "eks:ListUpdates",
		"ec2:DescribeInstances", "ec2:DescribeImages", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions",
		"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
		"autoscaling:DescribeAutoScalingGroups", "autoscaling:StartInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
		"autoscaling:CancelInstanceRefresh", "autoscaling:RollbackInstanceRefresh",
		"ssm:GetParameter", "ssm:GetParameters", "iam:PassRole", "ec2:RunInstances",
	} {
		if !iampolicy.Allows(iampolicy.Rollout, a) {
			t.Errorf("the rollout policy lacks %s", a)
		}
	}
	for _, a := range iampolicy.Actions(iampolicy.Rollout) {
		if strings.HasPrefix(a, "imagebuilder:") || a == "ssm:PutParameter" || a == "ec2:DeregisterImage" {
			t.Errorf("the rollout policy allows %s, which only builds and releases need", a)
		}
	}
	if u, err := iampolicy.ParseUse("rollout"); err != nil || u != iampolicy.Rollout {
		t.Errorf("ParseUse(rollout) = %q, %v", u, err)
	}
	doc, err := iampolicy.Policy(iampolicy.Rollout)
	if err != nil || !strings.Contains(doc, `"Sid": "WinamiAutoscaling"`) {
		t.Errorf("rollout policy document: %v\n%s", err, doc)
	}
}
