package autoscaling_test

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/world"
)

// With an instant rollout (winami sandbox --rollout-pace 0s) every step of
// a replacement is due at once: an instance refresh without warm-up and an
// EKS node group update are done when they are first read, the clock still.
func TestInstantRollout(t *testing.T) {
	f := newFixtureWith(t, sandbox.Options{InstantRollout: true})
	id := f.start(t, f.goodV, &types.RefreshPreferences{MinHealthyPercentage: aws.Int32(50), InstanceWarmup: aws.Int32(0)})
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusSuccessful, 100)
	g := f.describeGroup(t)
	if versions(g) != f.goodV+","+f.goodV {
		t.Errorf("instances on %s", versions(g))
	}
	for _, ami := range nodesOf(t, f, g) {
		if ami != f.good {
			t.Errorf("instance on %s, want %s", ami, f.good)
		}
	}

	// The demo's CUSTOM group takes a new launch template version at once.
	ctx := t.Context()
	e, k := ec2.NewFromConfig(f.cfg), eks.NewFromConfig(f.cfg)
	ng, err := k.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-a")})
	if err != nil {
		t.Fatal(err)
	}
	lt := aws.ToString(ng.Nodegroup.LaunchTemplate.Id)
	v, err := e.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(lt), SourceVersion: aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(f.good)}})
	if err != nil {
		t.Fatal(err)
	}
	version := strconv.FormatInt(aws.ToInt64(v.LaunchTemplateVersion.VersionNumber), 10)
	up, err := k.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-a"),
		LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String(lt), Version: aws.String(version)}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := k.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(world.DemoCluster),
		NodegroupName: aws.String("windows-core-a"), UpdateId: up.Update.Id})
	if err != nil || d.Update.Status != ekstypes.UpdateStatusSuccessful {
		t.Fatalf("the update at once: %+v, %v", d, err)
	}
	ng, err = k.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-a")})
	if err != nil || aws.ToString(ng.Nodegroup.ReleaseVersion) != f.good || aws.ToString(ng.Nodegroup.LaunchTemplate.Version) != version {
		t.Fatalf("node group after: %+v, %v", ng.Nodegroup, err)
	}
}
