package sandbox_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// The scale cluster's nodes are in custom AMI node groups on a launch
// template: with an instant rollout a new template version rolls a
// thousand nodes onto another AMI at once.
func TestScaleClusterRollsOut(t *testing.T) {
	if testing.Short() {
		t.Skip("rolls a thousand nodes")
	}
	start := time.Now()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, ScaleNodes: 1000, InstantRollout: true})
	ctx := t.Context()
	k, e := eks.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
	ng, err := k.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(world.ScaleCluster), NodegroupName: aws.String("windows-000")})
	if err != nil {
		t.Fatal(err)
	}
	if ng.Nodegroup.AmiType != ekstypes.AMITypesCustom || ng.Nodegroup.LaunchTemplate == nil ||
		aws.ToString(ng.Nodegroup.LaunchTemplate.Name) != world.ScaleLaunchTemplateName || aws.ToInt32(ng.Nodegroup.ScalingConfig.DesiredSize) != 1000 {
		t.Fatalf("windows-000: %+v", ng.Nodegroup)
	}
	var target string
	_ = srv.Store().View(func(w *world.World) error {
		target = w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115").ImageID
		return nil
	})
	lt := aws.ToString(ng.Nodegroup.LaunchTemplate.Id)
	v, err := e.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(lt), SourceVersion: aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(target)}})
	if err != nil {
		t.Fatal(err)
	}
	version := strconv.FormatInt(aws.ToInt64(v.LaunchTemplateVersion.VersionNumber), 10)
	up, err := k.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.ScaleCluster), NodegroupName: aws.String("windows-000"),
		LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String(lt), Version: aws.String(version)}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := k.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(world.ScaleCluster),
		NodegroupName: aws.String("windows-000"), UpdateId: up.Update.Id})
	if err != nil || d.Update.Status != ekstypes.UpdateStatusSuccessful {
		t.Fatalf("the update: %+v, %v", d, err)
	}
	_ = srv.Store().View(func(w *world.World) error {
		c := w.Cluster("us-east-1", world.ScaleCluster)
		on := 0
		for _, n := range c.Nodes {
			id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
			if inst := w.Instance("us-east-1", id); inst != nil && inst.ImageID == target && n.Ready {
				on++
			}
		}
		if len(c.Nodes) != 1000 || on != 1000 {
			t.Errorf("%d nodes, %d Ready on %s", len(c.Nodes), on, target)
		}
		return nil
	})
	t.Logf("1,000 nodes rolled out in %v", time.Since(start))
}
