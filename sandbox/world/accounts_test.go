package world

import (
	"slices"
	"testing"
)

func TestCallerAccount(t *testing.T) {
	w := Seed(1)
	for key, want := range map[string]string{
		"test":                     DefaultAccountID,
		"":                         DefaultAccountID,
		"test-" + PartnerAccountID: PartnerAccountID,
		"AKIA-" + PartnerAccountID: PartnerAccountID,
		"test-123456789012":        DefaultAccountID, // not an account of the world
		"test-" + DefaultAccountID: DefaultAccountID,
	} {
		if got := w.CallerAccount(key); got != want {
			t.Errorf("CallerAccount(%q) = %s, want %s", key, got, want)
		}
	}
	if w.IAMOf("999999999999") != nil || w.UserNameOf(PartnerAccountID) != CallerUserName {
		t.Error("IAMOf or UserNameOf")
	}
}

// TestSeedPartnerAccount: the second account has its user, no roles, and
// the default account's demo AMI shared with it in us-east-1.
func TestSeedPartnerAccount(t *testing.T) {
	w := Seed(1)
	iam := w.IAMOf(PartnerAccountID)
	if iam == nil || len(iam.Roles) != 0 || iam.Users[CallerUserName] == nil {
		t.Fatalf("partner IAM %+v", iam)
	}
	shared := 0
	for _, img := range w.Region("us-east-1").Images {
		if img.OwnerID == DefaultAccountID && slices.Contains(img.LaunchPermissions, PartnerAccountID) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("%d of the default account's AMIs shared with the partner, want 1", shared)
	}
	if r := w.IAM.Roles[NoECRBuildRoleName]; r == nil || slices.Contains(r.ManagedPolicyARNs, PolicyAmazonEC2ContainerRegistryPullOnly) {
		t.Errorf("%s: %+v", NoECRBuildRoleName, r)
	}
	if !slices.Contains(w.IAM.Roles[BuildRoleName].ManagedPolicyARNs, PolicyAmazonEC2ContainerRegistryPullOnly) {
		t.Errorf("%s lacks ECR pulls", BuildRoleName)
	}
	for _, arn := range append(w.IAM.Roles[BuildRoleName].ManagedPolicyARNs, w.IAM.Users[CallerUserName].ManagedPolicyARNs...) {
		if _, ok := ManagedPolicies()[arn]; !ok {
			t.Errorf("managed policy %s has no data", arn)
		}
	}
}
