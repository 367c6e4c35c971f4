package rollout

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// What the observer reads and how much at a time.
const (
	labelNodegroup      = "eks.amazonaws.com/nodegroup"
	labelNodepool       = "karpenter.sh/nodepool"
	labelWindowsBuild   = "node.kubernetes.io/windows-build"
	tagAutoScalingGroup = "aws:autoscaling:groupName"
	windowsSelector     = "kubernetes.io/os=windows"
	nodePageLimit       = 500
)

// Names of the calls KubeObserver.Calls counts.
const (
	CallNodeListPages     = "nodeListPages"
	CallDescribeInstances = "DescribeInstances"
)

// KubeObserver reads the cluster's Windows nodes each poll (one paged
// list) and their instances from EC2. An instance's ImageId and tags never
// change, so each instance is described once: a poll asks EC2 only about
// the instances that appeared since the last. It keeps only NodeState of
// each node, never the Kubernetes objects, so 1,000 nodes cost little.
type KubeObserver struct {
	nodes drift.NodeLister
	ec2   awsapi.EC2API

	mu    sync.Mutex
	seen  map[string]instanceInfo
	calls map[string]int
}

// instanceInfo is what a rollout needs of an instance.
type instanceInfo struct {
	ami, asg string
}

// NewKubeObserver observes through nodes (drift.LeanNodes with Images keeps
// the status.images a verification reads) and ec2 (the nodes' region).
func NewKubeObserver(nodes drift.NodeLister, ec2 awsapi.EC2API) *KubeObserver {
	return &KubeObserver{nodes: nodes, ec2: ec2, seen: map[string]instanceInfo{}, calls: map[string]int{}}
}

// Calls is how many calls the observer made, by kind (CallNodeListPages,
// CallDescribeInstances): a benchmark's reading.
func (o *KubeObserver) Calls() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.calls)
}

func (o *KubeObserver) count(kind string) {
	o.mu.Lock()
	o.calls[kind]++
	o.mu.Unlock()
}

// Observe lists the Windows nodes and joins each with its instance.
func (o *KubeObserver) Observe(ctx context.Context) ([]NodeState, error) {
	var out []NodeState
	opts := metav1.ListOptions{LabelSelector: windowsSelector, Limit: nodePageLimit}
	for {
		page, err := o.nodes.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the Windows nodes: %w", err)
		}
		o.count(CallNodeListPages)
		for i := range page.Items {
			out = append(out, nodeStateOf(&page.Items[i]))
		}
		if page.Continue == "" {
			break
		}
		opts.Continue = page.Continue
	}
	o.mu.Lock()
	var unseen []string
	for _, n := range out {
		if _, ok := o.seen[n.InstanceID]; n.InstanceID != "" && !ok {
			unseen = append(unseen, n.InstanceID)
		}
	}
	o.mu.Unlock()
	slices.Sort(unseen)
	unseen = slices.Compact(unseen)
	for batch := range slices.Chunk(unseen, awsapi.MaxInstanceIDs) {
		found, err := o.describe(ctx, batch)
		if err != nil {
			return nil, err
		}
		o.mu.Lock()
		maps.Copy(o.seen, found)
		o.mu.Unlock()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	current := make(map[string]bool, len(out))
	for i := range out {
		n := &out[i]
		current[n.InstanceID] = true
		inst := o.seen[n.InstanceID]
		n.AMI = inst.ami
		if n.OwnerKind == KindSelfManaged {
			n.OwnerName = inst.asg
		}
	}
	// Forget instances whose nodes are gone: a long rollout replaces
	// every node, and the cache should not hold both generations.
	maps.DeleteFunc(o.seen, func(id string, _ instanceInfo) bool { return !current[id] })
	return out, nil
}

// nodeStateOf keeps what a rollout reads of a node.
func nodeStateOf(n *corev1.Node) NodeState {
	s := NodeState{
		Name: n.Name, InstanceID: instanceOf(n.Spec.ProviderID), Unschedulable: n.Spec.Unschedulable,
		Kubelet: n.Status.NodeInfo.KubeletVersion, WindowsBuild: n.Labels[labelWindowsBuild], OwnerKind: KindSelfManaged,
	}
	switch {
	case n.Labels[labelNodegroup] != "":
		s.OwnerKind, s.OwnerName = KindNodegroup, n.Labels[labelNodegroup]
	case n.Labels[labelNodepool] != "":
		s.OwnerKind, s.OwnerName = KindKarpenter, n.Labels[labelNodepool]
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			s.Ready = c.Status == corev1.ConditionTrue
		}
	}
	for _, im := range n.Status.Images {
		s.Images = append(s.Images, im.Names...)
	}
	return s
}

// instanceOf is the instance ID of a node's provider ID.
func instanceOf(providerID string) string {
	_, id := drift.ParseProviderID(providerID)
	return id
}

// describe reads one batch of instances (awsapi.InstancesByID). IDs EC2
// does not know yet (or no longer) are not remembered, so the next poll
// asks about them again.
func (o *KubeObserver) describe(ctx context.Context, ids []string) (map[string]instanceInfo, error) {
	out := map[string]instanceInfo{}
	err := awsapi.InstancesByID(ctx, o.ec2, ids, func() { o.count(CallDescribeInstances) }, func(i ec2types.Instance) {
		info := instanceInfo{ami: aws.ToString(i.ImageId)}
		for _, t := range i.Tags {
			if aws.ToString(t.Key) == tagAutoScalingGroup {
				info.asg = aws.ToString(t.Value)
			}
		}
		out[aws.ToString(i.InstanceId)] = info
	})
	if err != nil {
		return nil, fmt.Errorf("describing the nodes' instances: %w", err)
	}
	return out, nil
}
