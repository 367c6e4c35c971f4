package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

// ownedEC2 answers DescribeImages with the account's images, recording
// the request.
type ownedEC2 struct {
	awsapi.EC2API
	images []ec2types.Image
	got    *ec2.DescribeImagesInput
}

func (f *ownedEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	f.got = in
	return &ec2.DescribeImagesOutput{Images: f.images}, nil
}

func copyImage(id, created string, state ec2types.ImageState) ec2types.Image {
	return ec2types.Image{ImageId: aws.String(id), Name: aws.String("winami-copy-" + id), CreationDate: aws.String(created),
		State: state, DeprecationTime: aws.String("2028-08-12T00:00:00.000Z")}
}

func TestCopyFindsTheAccountsCopyByItsTag(t *testing.T) {
	k := eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	d, _ := eksami.ParseDate("2026.08.12")
	fake := &ownedEC2{images: []ec2types.Image{
		copyImage("ami-old", "2026-09-01T00:00:00.000Z", ec2types.ImageStateAvailable),
		copyImage("ami-new", "2026-10-01T00:00:00.000Z", ec2types.ImageStateAvailable),
		copyImage("ami-pending", "2026-11-01T00:00:00.000Z", ec2types.ImageStatePending),
	}}
	f := NewFinder(nil, func(string) awsapi.EC2API { return fake })
	r, err := f.Copy(t.Context(), k, "eu-west-1", d)
	if err != nil {
		t.Fatal(err)
	}
	if r.AMIID != "ami-new" || r.ReleaseVersion != "1.35-2026.08.12" || r.ReleaseDate != d || r.Region != "eu-west-1" ||
		r.DeprecationTime != "2028-08-12T00:00:00.000Z" {
		t.Errorf("copy = %+v, want the newest available copy ami-new of 1.35-2026.08.12", r)
	}
	in := fake.got
	if len(in.Owners) != 1 || in.Owners[0] != "self" || !aws.ToBool(in.IncludeDeprecated) || len(in.Filters) != 1 ||
		aws.ToString(in.Filters[0].Name) != "tag:winami:copy-of" || in.Filters[0].Values[0] != k.AMIName(d) {
		t.Errorf("request = %+v %+v, want the caller's images (deprecated too) tagged winami:copy-of=%s", in, in.Filters, k.AMIName(d))
	}

	fake.images = fake.images[2:]
	_, err = f.Copy(t.Context(), k, "eu-west-1", d)
	var nc *NoCopyError
	if !errors.As(err, &nc) || nc.State != "pending" || !strings.Contains(err.Error(), "ami-pending") {
		t.Errorf("with only a pending copy: %v, want a NoCopyError naming the pending copy", err)
	}
	fake.images = nil
	_, err = f.Copy(t.Context(), k, "eu-west-1", d)
	if !errors.As(err, &nc) || !strings.Contains(err.Error(),
		"make one with winami ami copy --windows 2022 --edition Core --kubernetes 1.35 --release 2026.08.12 --regions eu-west-1") {
		t.Errorf("with no copy: %v, want the command that makes one", err)
	}
}

func TestReleaseCarriesDeprecationTime(t *testing.T) {
	i := img("ami-1", "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.08.12")
	i.DeprecationTime = aws.String("2028-08-12T00:00:00.000Z")
	r, ok := releaseFromImage("us-east-1", i)
	if !ok || r.DeprecationTime != "2028-08-12T00:00:00.000Z" {
		t.Errorf("release = %+v, want EC2's deprecation time", r)
	}
}

// TestResolveIncludesDeprecated: a pinned release still resolves once EC2
// has deprecated it (the warnings say so), and listings show deprecated
// releases with their DeprecationTime: EC2 leaves them out unless asked.
func TestResolveIncludesDeprecated(t *testing.T) {
	w := newWorld()
	k := eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	w.publish("us-east-1", k, "2026-08-12", "ami-0000000000000aaaa", "2026-08-12T00:00:00.000Z", true)
	f := w.finder()
	d, _ := eksami.ParseDate("2026.08.12")
	if _, err := f.Resolve(t.Context(), k, "us-east-1", ResolveQuery{Release: &d}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Resolve(t.Context(), k, "us-east-1", ResolveQuery{Before: &d}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.List(t.Context(), ListQuery{Windows: "2022"}, []string{"us-east-1"}); err != nil {
		t.Fatal(err)
	}
	_, e := w.region("us-east-1")
	calls := e.describeCalls()
	if len(calls) != 3 {
		t.Fatalf("%d DescribeImages calls, want 3", len(calls))
	}
	for i, c := range calls {
		if !aws.ToBool(c.IncludeDeprecated) {
			t.Errorf("DescribeImages call %d without IncludeDeprecated: Resolve and List must both see deprecated releases", i)
		}
	}
}
