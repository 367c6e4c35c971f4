package pipeline

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

func TestDiffFields(t *testing.T) {
	cur := types.InfrastructureConfiguration{
		InstanceProfileName:     aws.String("winami-build"),
		InstanceTypes:           []string{"m5.large"},
		SecurityGroupIds:        []string{},
		InstanceMetadataOptions: &types.InstanceMetadataOptions{HttpTokens: aws.String("optional")},
		Arn:                     aws.String("arn:ignored"),
	}
	want := ib.CreateInfrastructureConfigurationInput{
		InstanceProfileName:     aws.String("winami-build"),
		InstanceTypes:           []string{"m6i.xlarge"},
		InstanceMetadataOptions: &types.InstanceMetadataOptions{HttpTokens: aws.String("required")},
	}
	got := diffFields(cur, want, "InstanceProfileName", "InstanceTypes", "SecurityGroupIds", "InstanceMetadataOptions", "SubnetId")
	wantDiffs := []AttrDiff{
		{Path: "instanceTypes", Old: []any{"m5.large"}, New: []any{"m6i.xlarge"}},
		{Path: "instanceMetadataOptions.httpTokens", Old: "optional", New: "required"},
	}
	if !reflect.DeepEqual(got, wantDiffs) {
		t.Errorf("diff = %#v\nwant %#v", got, wantDiffs)
	}
	if d := diffFields(cur, cur, "InstanceProfileName", "InstanceTypes", "SecurityGroupIds"); len(d) != 0 {
		t.Errorf("a value differs from itself: %v", d)
	}
}

func TestNextVersion(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "1.0.0"},
		{[]string{"1.0.0"}, "1.0.1"},
		{[]string{"1.0.9", "1.0.10", "1.0.2"}, "1.0.11"},
		{[]string{"2.1.0", "1.9.9"}, "2.1.1"},
	} {
		if got := nextVersion(tc.in); got != tc.want {
			t.Errorf("nextVersion(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
