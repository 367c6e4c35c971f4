package preflight

import (
	"net/url"
	"testing"

	"github.com/winami/winami/pkg/images"
)

func TestGrants(t *testing.T) {
	doc, err := parsePolicy(url.QueryEscape(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ECR:Get*","Resource":"*"},
		{"Effect":"Allow","Action":["ecr:BatchGetImage"],"Resource":"arn:aws:ecr:*:111122223333:repository/payments/*"},
		{"Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"arn:aws:ecr:*:*:repository/payments/secret"},
		{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::logs/?"},
		{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		action, resource string
		want             bool
	}{
		{"ecr:GetAuthorizationToken", "*", true},
		{"ecr:getdownloadurlforlayer", "arn:aws:ecr:us-east-1:111122223333:repository/payments/api", true},
		{"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/payments/api", true},
		{"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:111122223333:repository/payments/secret", false},
		{"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:444455556666:repository/payments/api", false},
		{"s3:GetObject", "arn:aws:s3:::logs/a", true},
		{"s3:GetObject", "arn:aws:s3:::logs/ab", false},
		{"iam:PassRole", "arn:aws:s3:::logs/a", false},
		// A specific resource's statement does not grant an action on "*",
		// and a conditional allow is not counted.
		{"ecr:BatchGetImage", "*", false},
		{"kms:Decrypt", "*", false},
	} {
		if got := grants([]policyDoc{doc}, images.Permission{Action: c.action, Resource: c.resource}); got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.action, c.resource, got, c.want)
		}
	}
}

func TestTrusts(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`:                          true,
		`{"Statement":{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}}`: true,
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`:                       false,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`:                 false,
	} {
		d, err := parsePolicy(doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.trusts("ec2.amazonaws.com"); got != want {
			t.Errorf("%s: %v, want %v", doc, got, want)
		}
	}
}
