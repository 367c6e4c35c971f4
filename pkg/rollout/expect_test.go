package rollout

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
)

type imagesEC2 struct {
	awsapi.EC2API
	images map[string]ec2types.Image
	calls  int
}

func (f *imagesEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	f.calls++
	var out ec2.DescribeImagesOutput
	for _, id := range in.ImageIds {
		img, ok := f.images[id]
		if !ok {
			return nil, &smithy.GenericAPIError{Code: "InvalidAMIID.NotFound", Message: "The image id '[" + id + "]' does not exist"}
		}
		out.Images = append(out.Images, img)
	}
	return &out, nil
}

type paramSSM struct {
	awsapi.SSMAPI
	params map[string]string
}

func (f *paramSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	v, ok := f.params[aws.ToString(in.Name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ParameterNotFound", Message: "not found"}
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
}

func image(id, name string, tags ...string) ec2types.Image {
	img := ec2types.Image{ImageId: aws.String(id), Name: aws.String(name), State: ec2types.ImageStateAvailable, Platform: "windows"}
	for i := 0; i+1 < len(tags); i += 2 {
		img.Tags = append(img.Tags, ec2types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	return img
}

func TestExpectOf(t *testing.T) {
	api := &imagesEC2{images: map[string]ec2types.Image{
		"ami-eks": image("ami-eks", "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.11.11"),
		"ami-winami": image("ami-winami", "winami-app-20261201", "winami:kubernetes", "1.35", "winami:windows", "2025",
			"winami:os-build", "10.0.20348.2700", "winami:cache", "repo.example.com/app:1@sha256:ab nginx:1.27"),
		"ami-ssm": image("ami-ssm", "winami-big", "winami:windows", "2019", "winami:cache", "ssm:/winami/big/image-cache/0011"),
		"ami-linux": func() ec2types.Image {
			i := image("ami-linux", "al2023")
			i.Platform = ""
			return i
		}(),
		"ami-pending": func() ec2types.Image { i := image("ami-pending", "x"); i.State = ec2types.ImageStatePending; return i }(),
	}}
	ssmAPI := &paramSSM{params: map[string]string{"/winami/big/image-cache/0011": `{"images":[{"image":"a.example.com/x:1","digest":"sha256:cd"}]}`}}
	for _, c := range []struct {
		ami  string
		want Expect
	}{
		{"ami-eks", Expect{AMI: "ami-eks", Kubelet: "v1.35", WindowsBuild: "10.0.20348"}},
		{"ami-winami", Expect{AMI: "ami-winami", Kubelet: "v1.35", WindowsBuild: "10.0.20348",
			CachedImages: []string{"repo.example.com/app:1@sha256:ab", "nginx:1.27"}}},
		{"ami-ssm", Expect{AMI: "ami-ssm", WindowsBuild: "10.0.17763", CachedImages: []string{"a.example.com/x:1@sha256:cd"}}},
	} {
		got, err := ExpectOf(t.Context(), api, ssmAPI, c.ami)
		if err != nil {
			t.Errorf("%s: %v", c.ami, err)
			continue
		}
		if got.AMI != c.want.AMI || got.Kubelet != c.want.Kubelet || got.WindowsBuild != c.want.WindowsBuild || !slices.Equal(got.CachedImages, c.want.CachedImages) {
			t.Errorf("ExpectOf(%s) = %+v, want %+v", c.ami, got, c.want)
		}
	}
	for ami, want := range map[string]string{
		"ami-0123456789abcdef0": "AMI ami-0123456789abcdef0 does not exist in this region",
		"ami-linux":             "is not a Windows AMI",
		"ami-pending":           "AMI ami-pending is pending",
	} {
		_, err := ExpectOf(t.Context(), api, ssmAPI, ami)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ExpectOf(%s) = %v, want %q", ami, err, want)
		}
	}
	if _, err := ExpectOf(t.Context(), api, nil, "ami-ssm"); err == nil {
		t.Error("a record in SSM without an SSM client: no error")
	}
	_, err := ExpectOf(t.Context(), api, &paramSSM{}, "ami-ssm")
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ParameterNotFound" {
		t.Errorf("a missing record parameter: %v, want the SSM error", err)
	}
}
