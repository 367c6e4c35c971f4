package deploy

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// loadRBAC decodes a file of a ClusterRole and its binding, strictly.
func loadRBAC(t *testing.T, path string) (*rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding) {
	t.Helper()
	var role *rbacv1.ClusterRole
	var binding *rbacv1.ClusterRoleBinding
	decodeDocs(t, path, func(kind string) any {
		switch kind {
		case "ClusterRole":
			return fresh(&role)
		case "ClusterRoleBinding":
			return fresh(&binding)
		}
		return nil
	})
	if role == nil || binding == nil {
		t.Fatalf("%s: want a ClusterRole and a ClusterRoleBinding", path)
	}
	return role, binding
}

// TestRolloutRBAC: what winami rollout does in the cluster, and nothing
// more: watch nodes, patch EC2NodeClasses, read Karpenter's pools and
// claims; no pods, no evictions, no deletes.
func TestRolloutRBAC(t *testing.T) {
	role, b := loadRBAC(t, "../../deploy/winami-rollout-rbac.yaml")
	want := map[string][]string{
		"/nodes":                           {"get", "list", "watch"},
		"karpenter.k8s.aws/ec2nodeclasses": {"get", "patch"},
		"karpenter.sh/nodeclaims":          {"get", "list", "watch"},
		"karpenter.sh/nodepools":           {"get", "list", "watch"},
	}
	got := map[string][]string{}
	for _, rule := range role.Rules {
		if len(rule.ResourceNames) > 0 || len(rule.NonResourceURLs) > 0 {
			t.Errorf("rule %+v: resource names or URLs", rule)
		}
		for _, g := range rule.APIGroups {
			for _, r := range rule.Resources {
				got[g+"/"+r] = append(got[g+"/"+r], rule.Verbs...)
			}
		}
	}
	for k := range got {
		slices.Sort(got[k])
	}
	if len(got) != len(want) {
		t.Errorf("ClusterRole grants %v, want %v", got, want)
	}
	for k, verbs := range want {
		if !slices.Equal(got[k], verbs) {
			t.Errorf("%s: verbs %v, want %v", k, got[k], verbs)
		}
	}
	if role.AggregationRule != nil {
		t.Error("ClusterRole aggregates other roles")
	}
	if b.RoleRef.Kind != "ClusterRole" || b.RoleRef.Name != role.Name || len(b.Subjects) != 1 ||
		b.Subjects[0].Kind != "Group" || b.Subjects[0].Name != "winami:rollout" {
		t.Errorf("ClusterRoleBinding %+v does not bind %s to the group winami:rollout", b, role.Name)
	}
}
