package images

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/pkg/workloads"
)

// specAMIs answers DescribeImages with the spec's AMIs.
type specAMIs struct {
	awsapi.EC2API
	images []ec2types.Image
}

func (f specAMIs) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	return &ec2.DescribeImagesOutput{Images: f.images}, nil
}

func ami(created, windows string) ec2types.Image {
	return ec2types.Image{CreationDate: aws.String(created), Tags: []ec2types.Tag{{Key: aws.String("winami:windows"), Value: aws.String(windows)}}}
}

func TestCheckUpgrade(t *testing.T) {
	var asked []HostBuild
	check := func(_ context.Context, target HostBuild) (ClusterReport, error) {
		asked = append(asked, target)
		return ClusterReport{Cluster: "demo", Images: []ClusterImage{
			{Image: "a", Verdict: Compatible},
			{Image: "b", Verdict: Incompatible, Reason: "built for 10.0.17763", Workloads: []workloads.Workload{{Kind: "Job", Namespace: "n", Name: "j"}}},
		}}, nil
	}
	s := &spec.Spec{Name: "s", Base: spec.Base{Windows: "2025"}}
	for _, tc := range []struct {
		name    string
		amis    []ec2types.Image
		changes bool
	}{
		{"no build yet", nil, false},
		{"same version", []ec2types.Image{ami("2026-11-01T00:00:00Z", "2025")}, false},
		{"the newest build is 2022", []ec2types.Image{ami("2026-10-01T00:00:00Z", "2025"), ami("2026-11-01T00:00:00Z", "2022")}, true},
	} {
		asked = nil
		u, err := CheckUpgrade(t.Context(), specAMIs{images: tc.amis}, s, check)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if u.Changes() != tc.changes || (len(asked) == 1) != tc.changes || (u.Report != nil) != tc.changes {
			t.Errorf("%s: changes %v, cluster checked %d times, report %v", tc.name, u.Changes(), len(asked), u.Report != nil)
		}
		if tc.changes {
			if asked[0].Build != 26100 {
				t.Errorf("%s: checked against %s, want 10.0.26100", tc.name, asked[0])
			}
			p := u.Problems()
			if len(p) != 1 || p[0] != "incompatible b (Job n/j): built for 10.0.17763" {
				t.Errorf("%s: problems %q", tc.name, p)
			}
			if !strings.Contains(u.Summary(), "2022 → 2025") {
				t.Errorf("%s: summary %q", tc.name, u.Summary())
			}
		}
	}
}
