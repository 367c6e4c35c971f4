package drift_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// fakeNodes serves a fixed node list in pages.
type fakeNodes struct{ nodes []corev1.Node }

func (f fakeNodes) List(_ context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	start := 0
	fmt.Sscan(opts.Continue, &start)
	end := min(start+int(opts.Limit), len(f.nodes))
	out := &corev1.NodeList{Items: f.nodes[start:end]}
	if end < len(f.nodes) {
		out.Continue = fmt.Sprint(end)
	}
	return out, nil
}

// fakeEC2 knows some instances; asked for an unknown ID it fails the whole
// call as EC2 does.
type fakeEC2 struct {
	// The calls the fake does not implement panic: a test reaching one
	// fails loudly.
	awsapi.EC2API
	instances map[string]string // ID -> AMI
	calls     []int             // IDs per DescribeInstances call
}

func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	f.calls = append(f.calls, len(in.InstanceIds))
	var missing []string
	var found []types.Instance
	for _, id := range in.InstanceIds {
		ami, ok := f.instances[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		found = append(found, types.Instance{InstanceId: aws.String(id), ImageId: aws.String(ami), LaunchTime: aws.Time(time.Now())})
	}
	if len(missing) > 0 {
		return nil, &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: fmt.Sprintf("The instance IDs '%s' do not exist", strings.Join(missing, ", "))}
	}
	return &ec2.DescribeInstancesOutput{Reservations: []types.Reservation{{Instances: found}}}, nil
}

func (f *fakeEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	var out []types.Image
	for _, id := range in.Filters[0].Values {
		out = append(out, types.Image{ImageId: aws.String(id), Name: aws.String("Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.11.11")})
	}
	return &ec2.DescribeImagesOutput{Images: out}, nil
}

func node(name, provider, kubelet, kernel string, ready bool) corev1.Node {
	status := corev1.ConditionTrue
	if !ready {
		status = corev1.ConditionFalse
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/os": "windows"}, CreationTimestamp: metav1.Now()},
		Spec:       corev1.NodeSpec{ProviderID: provider},
		Status: corev1.NodeStatus{
			NodeInfo:   corev1.NodeSystemInfo{KubeletVersion: kubelet, KernelVersion: kernel},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}},
		},
	}
}

// The reasons the demo cluster does not show: a node without an AWS
// provider ID, an instance EC2 no longer knows (dropped from the batch and
// asked again), a NotReady node, and kubelets outside the supported skew.
func TestReasonsBeyondTheDemo(t *testing.T) {
	const k = "10.0.20348.4391"
	nodes := []corev1.Node{
		node("a", "aws:///us-east-1a/i-0000000000000000a", "v1.35.2-eks-1", k, true),
		node("b", "aws:///us-east-1a/i-0000000000000000b", "v1.35.2-eks-1", k, true),
		node("c", "aws:///us-east-1b/i-0000000000000000c", "v1.35.2-eks-1", k, true),
		node("gone", "aws:///us-east-1b/i-0000000000000dead", "v1.35.2-eks-1", k, true),
		node("no-provider", "", "v1.35.2-eks-1", k, true),
		node("not-ready", "aws:///us-east-1c/i-0000000000000000d", "v1.35.2-eks-1", k, false),
		node("old-kubelet", "aws:///us-east-1c/i-0000000000000000e", "v1.31.4-eks-1", k, true),
		node("new-kubelet", "aws:///us-east-1c/i-0000000000000000f", "v1.36.0-eks-1", k, true),
	}
	fake := &fakeEC2{instances: map[string]string{}}
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		fake.instances["i-0000000000000000"+id] = "ami-0123456789abcdef0"
	}
	src := drift.Sources{
		Nodes:         fakeNodes{nodes: nodes},
		ServerVersion: func(context.Context) (string, error) { return "v1.35.2-eks-1", nil },
		EC2:           func(string) awsapi.EC2API { return fake },
	}
	r, err := drift.Run(t.Context(), src, drift.Options{PageLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, n := range r.Nodes {
		for _, reason := range n.Reasons {
			got[n.Name] = append(got[n.Name], reason.Kind)
		}
	}
	want := map[string][]string{
		"gone":        {drift.ReasonUnknownInstance},
		"no-provider": {drift.ReasonUnknownInstance},
		"not-ready":   {drift.ReasonNotReady},
		"old-kubelet": {drift.ReasonKubeletDiffers, drift.ReasonKubeletBehindCP},
		"new-kubelet": {drift.ReasonKubeletDiffers, drift.ReasonKubeletBehindCP},
	}
	for name, kinds := range want {
		if !slices.Equal(got[name], kinds) {
			t.Errorf("%s: %v, want %v", name, got[name], kinds)
		}
	}
	if len(got) != len(want) || r.Region != "us-east-1" || r.Summary.Drifted != 5 {
		t.Errorf("drifted %v in %s, summary %+v", got, r.Region, r.Summary)
	}
	// One batch of the seven IDs, refused for the dead one, then the six.
	if !slices.Equal(fake.calls, []int{7, 6}) || r.Calls["nodeListPages"] != 3 {
		t.Errorf("DescribeInstances calls %v, pages %d", fake.calls, r.Calls["nodeListPages"])
	}
}
