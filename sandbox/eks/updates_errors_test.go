package eks_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// Each request EKS refuses, refused with its error, and nothing started.
func TestUpdateNodegroupVersionErrors(t *testing.T) {
	e := startRollout(t)
	lt := customGroup(t, e, func(r *world.Region) *world.Image { return r.ImageByName(world.BadAMIName) }, 1)
	var coreBTemplate string
	_ = e.srv.Store().View(func(w *world.World) error {
		for id := range w.Region("us-east-1").LaunchTemplates {
			coreBTemplate = id
		}
		return nil
	})
	update := func(group string, in eks.UpdateNodegroupVersionInput) error {
		in.ClusterName, in.NodegroupName = aws.String(world.DemoCluster), aws.String(group)
		_, err := e.eks.UpdateNodegroupVersion(t.Context(), &in)
		return err
	}
	ltSpec := func(id, version string) *types.LaunchTemplateSpecification {
		return &types.LaunchTemplateSpecification{Id: aws.String(id), Version: aws.String(version)}
	}
	cases := []struct {
		what, group string
		in          eks.UpdateNodegroupVersionInput
		code, msg   string
	}{
		{"release version on a custom AMI group", "windows-core-a", eks.UpdateNodegroupVersionInput{ReleaseVersion: aws.String("1.35-2026.11.11"), LaunchTemplate: ltSpec(lt, "2")},
			"InvalidParameterException", "You cannot specify the field releaseVersion when using custom AMIs."},
		{"kubernetes version on a custom AMI group", "windows-core-a", eks.UpdateNodegroupVersionInput{Version: aws.String("1.35"), LaunchTemplate: ltSpec(lt, "2")},
			"InvalidParameterException", "You cannot specify the field kubernetesVersion when using custom AMIs."},
		{"custom AMI group without a launch template", "windows-core-a", eks.UpdateNodegroupVersionInput{},
			"InvalidParameterException", "Launch template details can't be null for Custom ami type node group"},
		{"a version the template lacks", "windows-core-a", eks.UpdateNodegroupVersionInput{LaunchTemplate: ltSpec(lt, "9")},
			"InvalidParameterException", ""},
		{"another template", "windows-core-a", eks.UpdateNodegroupVersionInput{LaunchTemplate: ltSpec("lt-0123456789abcdef0", "1")},
			"InvalidParameterException", ""},
		{"a launch template for a group made without one", "windows-core-b", eks.UpdateNodegroupVersionInput{LaunchTemplate: ltSpec(coreBTemplate, "1")},
			"InvalidParameterException", ""},
		{"an unknown release", "windows-core-b", eks.UpdateNodegroupVersionInput{ReleaseVersion: aws.String("1.35-2027.01.01")},
			"InvalidParameterException", "Requested release version 1.35-2027.01.01 is not valid for kubernetes version 1.35."},
		{"an older release", "windows-core-b", eks.UpdateNodegroupVersionInput{ReleaseVersion: aws.String("1.35-2026.10.14")},
			"InvalidParameterException", ""},
		{"another Kubernetes version", "windows-core-b", eks.UpdateNodegroupVersionInput{Version: aws.String("1.36")},
			"InvalidParameterException", "Nodegroup Kubernetes version should be equal to Cluster kubernetes version 1.35 or NodeGroup kubernetes version 1.35"},
		{"no such node group", "windows-core-z", eks.UpdateNodegroupVersionInput{},
			"ResourceNotFoundException", "No node group found for name: windows-core-z."},
	}
	for _, tc := range cases {
		sandboxtest.WantAPIError(t, update(tc.group, tc.in), tc.code, tc.msg)
	}
	_, err := e.eks.UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{ClusterName: aws.String("nope"), NodegroupName: aws.String("x")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: nope.")
	_, err = e.eks.DescribeUpdate(t.Context(), &eks.DescribeUpdateInput{Name: aws.String(world.DemoCluster), UpdateId: aws.String("f0f0f0f0-0000-4000-8000-000000000000"), NodegroupName: aws.String("windows-core-b")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	// Nothing was started by the refused calls.
	list, err := e.eks.ListUpdates(t.Context(), &eks.ListUpdatesInput{Name: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-a")})
	if err != nil || len(list.UpdateIds) != 0 {
		t.Errorf("updates after refused calls: %v, %v", list, err)
	}
}
