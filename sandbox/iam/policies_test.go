package iam_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/winami/winami/sandbox/world"
)

func TestGetPolicyAndVersion(t *testing.T) {
	_, c := start(t)
	for _, tt := range []struct {
		arn, version string
		attached     int32
		action       string
	}{
		{world.PolicyEC2InstanceProfileForImageBuilder, "v3", 3, "imagebuilder:GetComponent"},
		{world.PolicyAmazonSSMManagedInstanceCore, "v2", 2, "ssmmessages:OpenDataChannel"},
		{world.PolicyAmazonEC2ContainerRegistryReadOnly, "v3", 1, "ecr:DescribeImageScanFindings"},
		{world.PolicyAmazonEC2ContainerRegistryPullOnly, "v1", 1, "ecr:BatchGetImage"},
	} {
		out, err := c.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(tt.arn)})
		if err != nil {
			t.Fatal(err)
		}
		p := out.Policy
		if aws.ToString(p.Arn) != tt.arn || aws.ToString(p.DefaultVersionId) != tt.version || aws.ToInt32(p.AttachmentCount) != tt.attached ||
			!p.IsAttachable || aws.ToString(p.Path) != "/" || p.CreateDate == nil || p.UpdateDate == nil {
			t.Errorf("GetPolicy(%s) = %+v", tt.arn, p)
		}
		v, err := c.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: aws.String(tt.arn), VersionId: aws.String(tt.version)})
		if err != nil {
			t.Fatal(err)
		}
		doc := decodePolicy(t, aws.ToString(v.PolicyVersion.Document))
		var actions []string
		for _, st := range doc["Statement"].([]any) {
			for _, a := range st.(map[string]any)["Action"].([]any) {
				actions = append(actions, a.(string))
			}
		}
		if !v.PolicyVersion.IsDefaultVersion || !slices.Contains(actions, tt.action) {
			t.Errorf("%s %s: default %v, actions %v lack %s", tt.arn, tt.version, v.PolicyVersion.IsDefaultVersion, actions, tt.action)
		}
	}
	_, err := c.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: aws.String(world.PolicyAmazonEC2ContainerRegistryPullOnly), VersionId: aws.String("v9")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly version v9 does not exist or is not attachable.", 404)
	_, err = c.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	wantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.", 404)
	_, err = c.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String("not-an-arn-at-all-really")})
	wantError(t, err, "InvalidInput", "ARN not-an-arn-at-all-really is not valid.", 400)
}
