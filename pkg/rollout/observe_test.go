package rollout

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/pkg/awsapi"
)

// pagedNodes serves nodes in pages of opts.Limit, with continue tokens,
// and records each request.
type pagedNodes struct {
	nodes []corev1.Node
	opts  []metav1.ListOptions
}

func (p *pagedNodes) List(_ context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	p.opts = append(p.opts, opts)
	start := 0
	if opts.Continue != "" {
		start, _ = strconv.Atoi(opts.Continue)
	}
	end := min(start+int(opts.Limit), len(p.nodes))
	out := &corev1.NodeList{Items: p.nodes[start:end]}
	if end < len(p.nodes) {
		out.Continue = strconv.Itoa(end)
	}
	return out, nil
}

// instancesEC2 answers DescribeInstances from a map and records the IDs
// asked; IDs not in the map fail the call as EC2 does.
type instancesEC2 struct {
	awsapi.EC2API
	instances map[string]ec2types.Instance
	asked     [][]string
}

func (f *instancesEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	f.asked = append(f.asked, in.InstanceIds)
	var r ec2types.Reservation
	for _, id := range in.InstanceIds {
		i, ok := f.instances[id]
		if !ok {
			return nil, &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: fmt.Sprintf("The instance ID '%s' does not exist", id)}
		}
		r.Instances = append(r.Instances, i)
	}
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{r}}, nil
}

func testNode(i int, labels map[string]string) corev1.Node {
	n := corev1.Node{}
	n.Name = fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/256, i%256)
	n.Labels = map[string]string{"kubernetes.io/os": "windows", labelWindowsBuild: "10.0.20348"}
	for k, v := range labels {
		n.Labels[k] = v
	}
	n.Spec.ProviderID = fmt.Sprintf("aws:///us-east-1a/i-%017x", i)
	n.Status.NodeInfo.KubeletVersion = "v1.35.2-eks-3f1c2e7"
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	n.Status.Images = []corev1.ContainerImage{{Names: []string{"repo@sha256:aa", "repo:1"}}}
	return n
}

func testInstance(i int, ami string, tags ...string) ec2types.Instance {
	inst := ec2types.Instance{InstanceId: aws.String(fmt.Sprintf("i-%017x", i)), ImageId: aws.String(ami)}
	for j := 0; j+1 < len(tags); j += 2 {
		inst.Tags = append(inst.Tags, ec2types.Tag{Key: aws.String(tags[j]), Value: aws.String(tags[j+1])})
	}
	return inst
}

// TestObserverCallsAtScale: 1,000 nodes are two list pages each poll, and
// their instances one DescribeInstances on the first poll and none after.
func TestObserverCallsAtScale(t *testing.T) {
	nodes := &pagedNodes{}
	api := &instancesEC2{instances: map[string]ec2types.Instance{}}
	for i := range 1000 {
		nodes.nodes = append(nodes.nodes, testNode(i, map[string]string{labelNodegroup: "ng"}))
		api.instances[fmt.Sprintf("i-%017x", i)] = testInstance(i, "ami-0000000000000000a")
	}
	o := NewKubeObserver(nodes, api)
	for poll, want := range []map[string]int{
		{CallNodeListPages: 2, CallDescribeInstances: 1},
		{CallNodeListPages: 4, CallDescribeInstances: 1},
	} {
		got, err := o.Observe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1000 || got[999].AMI != "ami-0000000000000000a" {
			t.Fatalf("poll %d: %d nodes, last on %q", poll+1, len(got), got[len(got)-1].AMI)
		}
		if calls := o.Calls(); calls[CallNodeListPages] != want[CallNodeListPages] || calls[CallDescribeInstances] != want[CallDescribeInstances] {
			t.Errorf("after poll %d: calls %v, want %v", poll+1, calls, want)
		}
	}
	for _, opts := range nodes.opts {
		if opts.LabelSelector != "kubernetes.io/os=windows" || opts.Limit != 500 {
			t.Errorf("list options %+v, want the Windows selector and limit 500", opts)
		}
	}
	// A new node: only its instance is described.
	nodes.nodes = append(nodes.nodes, testNode(1000, map[string]string{labelNodegroup: "ng"}))
	api.instances[fmt.Sprintf("i-%017x", 1000)] = testInstance(1000, "ami-0000000000000000b")
	if _, err := o.Observe(t.Context()); err != nil {
		t.Fatal(err)
	}
	if last := api.asked[len(api.asked)-1]; len(api.asked) != 2 || len(last) != 1 {
		t.Errorf("DescribeInstances asked %d times, last for %v; want twice, the second for the new instance only", len(api.asked), last)
	}
}

// TestObserverNodeState: owners by label or Auto Scaling tag, the node's
// readiness, cordon, kubelet, build and image names; an instance EC2
// does not know leaves the AMI empty and is asked about again next poll.
func TestObserverNodeState(t *testing.T) {
	cordoned := testNode(2, nil)
	cordoned.Spec.Unschedulable = true
	cordoned.Status.Conditions[0].Status = corev1.ConditionFalse
	nodes := &pagedNodes{nodes: []corev1.Node{
		testNode(0, map[string]string{labelNodegroup: "ng-a"}),
		testNode(1, map[string]string{labelNodepool: "windows"}),
		cordoned,
		testNode(3, nil), // its instance is unknown to EC2
	}}
	api := &instancesEC2{instances: map[string]ec2types.Instance{
		"i-00000000000000000": testInstance(0, "ami-a"),
		"i-00000000000000001": testInstance(1, "ami-b"),
		"i-00000000000000002": testInstance(2, "ami-c", "aws:autoscaling:groupName", "windows-self-managed"),
	}}
	o := NewKubeObserver(nodes, api)
	got, err := o.Observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind         Kind
		owner, ami   string
		ready, cordn bool
	}{
		{KindNodegroup, "ng-a", "ami-a", true, false},
		{KindKarpenter, "windows", "ami-b", true, false},
		{KindSelfManaged, "windows-self-managed", "ami-c", false, true},
		{KindSelfManaged, "", "", true, false},
	}
	for i, w := range want {
		n := got[i]
		if n.OwnerKind != w.kind || n.OwnerName != w.owner || n.AMI != w.ami || n.Ready != w.ready || n.Unschedulable != w.cordn {
			t.Errorf("node %d = %+v, want %+v", i, n, w)
		}
		if n.Kubelet != "v1.35.2-eks-3f1c2e7" || n.WindowsBuild != "10.0.20348" || len(n.Images) != 2 {
			t.Errorf("node %d: kubelet %q build %q images %v", i, n.Kubelet, n.WindowsBuild, n.Images)
		}
	}
	before := len(api.asked)
	if _, err := o.Observe(t.Context()); err != nil {
		t.Fatal(err)
	}
	if asked := api.asked[before:]; len(asked) != 1 || len(asked[0]) != 1 || asked[0][0] != "i-00000000000000003" {
		t.Errorf("second poll asked %v, want only the unknown instance", asked)
	}
}
