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
