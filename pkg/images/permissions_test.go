package images

import (
	"encoding/json"
	"testing"

	"github.com/winami/winami/pkg/imageref"
)

func TestPullPermissions(t *testing.T) {
	var refs []imageref.Ref
	for _, s := range []string{
		"mcr.microsoft.com/windows/servercore:ltsc2022",
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.4.2",
		"444455556666.dkr.ecr.eu-west-1.amazonaws.com/platform/base:2025.10",
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/api:1.5.0",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app:1",
	} {
		r, err := imageref.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	got := PullPermissions(refs)
	want := []Permission{
		{"ecr:GetAuthorizationToken", "*"},
		{"ecr:BatchGetImage", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/app"},
		{"ecr:GetDownloadUrlForLayer", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/app"},
		{"ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:444455556666:repository/platform/base"},
		{"ecr:GetDownloadUrlForLayer", "arn:aws:ecr:eu-west-1:444455556666:repository/platform/base"},
		{"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/payments/api"},
		{"ecr:GetDownloadUrlForLayer", "arn:aws:ecr:us-east-1:111122223333:repository/payments/api"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if p := PullPermissions(refs[:1]); p != nil {
		t.Errorf("a public image needs %v", p)
	}

	doc, err := PullPolicy(got)
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		t.Fatal(err)
	}
	if policy.Version != "2012-10-17" || len(policy.Statement) != 2 || policy.Statement[0].Resource[0] != "*" || len(policy.Statement[1].Resource) != 3 {
		t.Errorf("policy %s", doc)
	}
}
