package ec2_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func instances(out *ec2.DescribeInstancesOutput) []types.Instance {
	var all []types.Instance
	for _, r := range out.Reservations {
		all = append(all, r.Instances...)
	}
	return all
}

func instanceIDs(list []types.Instance) []string {
	var ids []string
	for _, i := range list {
		ids = append(ids, aws.ToString(i.InstanceId))
	}
	return ids
}

func tag(tags []types.Tag, key string) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}

func TestDescribeInstances(t *testing.T) {
	_, c := start(t)
	out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	all := instances(out)
	if len(all) != 12 || out.NextToken != nil {
		t.Fatalf("%d instances, next %v", len(all), out.NextToken)
	}
	for _, r := range out.Reservations {
		if !strings.HasPrefix(aws.ToString(r.ReservationId), "r-") || aws.ToString(r.OwnerId) != world.DefaultAccountID {
			t.Errorf("reservation %+v", r)
		}
	}
	windows := 0
	for _, inst := range all {
		if inst.State == nil || inst.State.Name != types.InstanceStateNameRunning || aws.ToInt32(inst.State.Code) != 16 ||
			inst.LaunchTime == nil || inst.Placement == nil || !strings.HasPrefix(aws.ToString(inst.Placement.AvailabilityZone), "us-east-1") ||
			!strings.HasSuffix(aws.ToString(inst.PrivateDnsName), ".ec2.internal") || inst.InstanceType == "" ||
			!strings.HasPrefix(aws.ToString(inst.ImageId), "ami-") {
			t.Errorf("instance %+v", inst)
		}
		if v, _ := tag(inst.Tags, "kubernetes.io/cluster/demo"); v != "owned" {
			t.Errorf("%s: cluster tag %q", aws.ToString(inst.InstanceId), v)
		}
		if _, ok := tag(inst.Tags, "aws:ec2launchtemplate:id"); !ok {
			t.Errorf("%s: no launch template tag", aws.ToString(inst.InstanceId))
		}
		if inst.Platform == "windows" { // EC2 sends lower case, not the SDK enum's "Windows"
			windows++
		}
	}
	if windows != 10 {
		t.Errorf("%d Windows instances, want 10", windows)
	}

	// By ID, in any order and with repeats, the answer is in ID order.
	ids := instanceIDs(all)
	byID, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{ids[3], ids[1], ids[3]}})
	if err != nil || !slices.Equal(instanceIDs(instances(byID)), []string{ids[1], ids[3]}) {
		t.Errorf("by ID: %v, %v", instanceIDs(instances(byID)), err)
	}
}

func TestDescribeInstancesFilters(t *testing.T) {
	_, c := start(t)
	count := func(filters ...types.Filter) int {
		t.Helper()
		out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		return len(instances(out))
	}
	cases := []struct {
		what    string
		filters []types.Filter
		want    int
	}{
		{"platform", []types.Filter{filter("platform", "windows")}, 10},
		{"state", []types.Filter{filter("instance-state-name", "running")}, 12},
		{"stopped", []types.Filter{filter("instance-state-name", "stopped")}, 0},
		{"node group tag", []types.Filter{filter("tag:eks:nodegroup-name", "windows-core-a", "windows-core-b")}, 7},
		{"tag glob", []types.Filter{filter("tag:eks:nodegroup-name", "windows-*")}, 7},
		{"karpenter", []types.Filter{filter("tag-key", "karpenter.sh/nodepool")}, 1},
		{"cluster tag", []types.Filter{filter("tag:kubernetes.io/cluster/demo", "owned")}, 12},
		{"AND", []types.Filter{filter("platform", "windows"), filter("tag:eks:nodegroup-name", "system")}, 0},
		{"type", []types.Filter{filter("instance-type", "m5.xlarge")}, 3},
	}
	for _, tt := range cases {
		if got := count(tt.filters...); got != tt.want {
			t.Errorf("%s: %d instances, want %d", tt.what, got, tt.want)
		}
	}
	out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{Filters: []types.Filter{filter("tag-key", "karpenter.sh/nodepool")}})
	if err != nil {
		t.Fatal(err)
	}
	image := aws.ToString(instances(out)[0].ImageId)
	if got := count(filter("image-id", image)); got != 1 {
		t.Errorf("image-id of the Karpenter node's AMI: %d instances, want 1 (it alone runs the older AMI)", got)
	}
	if got := count(filter("instance-id", aws.ToString(instances(out)[0].InstanceId))); got != 1 {
		t.Errorf("instance-id: %d", got)
	}
	_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{Filters: []types.Filter{filter("colour", "blue")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'colour' is invalid")
}

func TestDescribeInstancesPaging(t *testing.T) {
	_, c := start(t)
	var ids []string
	pages := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n++
		if got := len(instances(page)); got > 5 {
			t.Fatalf("page of %d", got)
		}
		ids = append(ids, instanceIDs(instances(page))...)
	}
	if n != 3 || len(ids) != 12 || !slices.IsSorted(ids) {
		t.Errorf("%d pages, ids %v", n, ids)
	}
}

func TestDescribeInstancesErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}, MaxResults: aws.Int32(5)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	for _, n := range []int32{4, 1001} {
		_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(n)})
		sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "")
	}
	_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-123"}})
	sandboxtest.WantAPIError(t, err, "InvalidInstanceID.Malformed", `Invalid id: "i-123"`)
	_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")
	_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-0123456789abcdef1"}})
	sandboxtest.WantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist")
	// The demo cluster's instances are us-east-1's: another region has none.
	out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{}, inRegion("eu-west-1"))
	if err != nil || len(out.Reservations) != 0 {
		t.Errorf("eu-west-1: %+v, %v", out, err)
	}
	_, err = c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{NextToken: aws.String("%%%")})
	sandboxtest.WantAPIError(t, err, "InvalidNextToken", "")
}
