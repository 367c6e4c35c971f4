package preflight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/pkg/workloads"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// lastBuild is EC2 whose spec's last build was of one Windows version.
type lastBuild struct {
	awsapi.EC2API
	windows string
}

func (l lastBuild) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, o ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	if len(in.Filters) > 0 && aws.ToString(in.Filters[0].Name) == "tag:winami:spec" {
		return &ec2.DescribeImagesOutput{Images: []ec2types.Image{{CreationDate: aws.String("2026-11-20T10:00:00Z"),
			Tags: []ec2types.Tag{{Key: aws.String("winami:windows"), Value: aws.String(l.windows)}}}}}, nil
	}
	return l.EC2API.DescribeImages(ctx, in, o...)
}

// deniedImages is EC2 that may not describe the spec's AMIs.
type deniedImages struct{ awsapi.EC2API }

func (d deniedImages) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, o ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	if len(in.Filters) > 0 && aws.ToString(in.Filters[0].Name) == "tag:winami:spec" {
		return nil, &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}
	}
	return d.EC2API.DescribeImages(ctx, in, o...)
}

// TestClusterWorkloadsLastBuildUnread: when the spec's AMIs cannot be read
// the fix is about them, not about the cluster, which was not reached.
func TestClusterWorkloadsLastBuildUnread(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	clients := awsapi.NewClients(cfg)
	s, err := spec.Parse("winami.yaml", []byte(specFor("winami-build", "")))
	if err != nil {
		t.Fatal(err)
	}
	d := preflight.DepsFromClients(clients)
	d.EC2 = func(region string) awsapi.EC2API { return deniedImages{clients.EC2(region)} }
	d.ClusterImages = func(context.Context, images.HostBuild) (images.ClusterReport, error) {
		t.Error("the cluster is read although the last build is not known")
		return images.ClusterReport{}, nil
	}
	c := want(t, preflight.Run(t.Context(), d, s), preflight.IDClusterWorkloads, preflight.Fail, "", "ec2:DescribeImages")
	if strings.Contains(c.Fix, "list its nodes and pods") {
		t.Errorf("fix names the cluster: %q", c.Fix)
	}
}

func TestClusterWorkloads(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	clients := awsapi.NewClients(cfg)
	s, err := spec.Parse("winami.yaml", []byte(strings.Replace(specFor("winami-build", ""), "windows: 2022", "windows: 2025", 1)))
	if err != nil {
		t.Fatal(err)
	}
	cluster := func(v images.Verdict) images.ClusterCheck {
		return func(_ context.Context, target images.HostBuild) (images.ClusterReport, error) {
			return images.ClusterReport{Cluster: "demo", Target: target, Images: []images.ClusterImage{{Image: "img", Verdict: v, Reason: "built for 10.0.17763",
				Workloads: []workloads.Workload{{Kind: "Deployment", Namespace: "n", Name: "d"}}}}}, nil
		}
	}
	deps := func(last string, check images.ClusterCheck) preflight.Deps {
		d := preflight.DepsFromClients(clients)
		d.EC2 = func(region string) awsapi.EC2API { return lastBuild{EC2API: clients.EC2(region), windows: last} }
		d.ClusterImages = check
		return d
	}

	rep := preflight.Run(t.Context(), deps("2022", cluster(images.Incompatible)), s)
	c := want(t, rep, preflight.IDClusterWorkloads, preflight.Fail, "", "winami images check --cluster demo --windows 2025", "keep base.windows 2022")
	if !strings.Contains(c.Detail, "incompatible img (Deployment n/d): built for 10.0.17763") {
		t.Errorf("detail %q", c.Detail)
	}
	want(t, preflight.Run(t.Context(), deps("2022", cluster(images.Compatible)), s), preflight.IDClusterWorkloads, preflight.Pass, "")
	// Unchanged: passes without reading the cluster.
	rep = preflight.Run(t.Context(), deps("2025", cluster(images.Incompatible)), s)
	if c := want(t, rep, preflight.IDClusterWorkloads, preflight.Pass, ""); !strings.Contains(c.Detail, "no upgrade to check") {
		t.Errorf("unchanged: %q", c.Detail)
	}
	// Without --cluster there is no such line.
	for _, c := range preflight.Run(t.Context(), deps("2022", nil), s).Checks {
		if c.ID == preflight.IDClusterWorkloads {
			t.Errorf("a %s line without a cluster", c.ID)
		}
	}
}
