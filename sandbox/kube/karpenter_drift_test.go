package kube_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// New AMI terms applied to the node class through the Kubernetes API make
// the simulated Karpenter replace the pool's node: a client that only
// watches nodes sees the old node tainted karpenter.sh/disrupted, a new
// node join NotReady and become Ready, and the old node go; every
// Karpenter node then runs the new AMI, and its NodeClaim says so.
func TestKarpenterDriftThroughTheAPI(t *testing.T) {
	const pace = 50 * time.Millisecond
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, RolloutPace: pace})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	dyn, err := dynamic.NewForConfig(sandboxtest.RESTConfig(t, cfg, world.DemoCluster))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const selector = "karpenter.sh/nodepool=" + world.DemoKarpenterNodePool
	before, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil || len(before.Items) != 1 {
		t.Fatalf("%d Karpenter nodes, %v", len(before.Items), err)
	}
	oldNode := before.Items[0].Name
	w, err := cs.CoreV1().Nodes().Watch(ctx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: before.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	class := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass",
		"metadata": map[string]any{"name": world.DemoKarpenterNodePool},
		"spec":     map[string]any{"amiSelectorTerms": []any{map[string]any{"alias": "windows2022@latest"}}},
	}}
	applied, err := dyn.Resource(nodeClasses).Apply(ctx, world.DemoKarpenterNodePool, class, metav1.ApplyOptions{FieldManager: "winami", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	amis := amiIDs(t, applied)
	if len(amis) != 1 {
		t.Fatalf("status.amis %v", amis)
	}
	target := amis[0]

	ec2c := ec2.NewFromConfig(cfg)
	imageOf := func(n *corev1.Node) string {
		id := n.Spec.ProviderID[strings.LastIndexByte(n.Spec.ProviderID, '/')+1:]
		out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil || len(out.Reservations) != 1 {
			t.Fatalf("instance %s: %v", id, err)
		}
		return *out.Reservations[0].Instances[0].ImageId
	}
	nodes := map[string]*corev1.Node{oldNode: &before.Items[0]}
	var tainted, joinedNotReady bool
	done := func() bool {
		if len(nodes) == 0 || nodes[oldNode] != nil {
			return false
		}
		for _, n := range nodes {
			if readyStatus(n) != corev1.ConditionTrue || imageOf(n) != target {
				return false
			}
		}
		return true
	}
	for !done() {
		var ev watch.Event
		select {
		case <-ctx.Done():
			t.Fatalf("Karpenter nodes %v never all on %s", keys(nodes), target)
		case ev = <-w.ResultChan():
		}
		n, ok := ev.Object.(*corev1.Node)
		if !ok {
			t.Fatalf("watch event %s %T", ev.Type, ev.Object)
		}
		switch ev.Type {
		case watch.Deleted:
			delete(nodes, n.Name)
		case watch.Added, watch.Modified:
			nodes[n.Name] = n
		}
		if n.Name == oldNode && slices.ContainsFunc(n.Spec.Taints, func(tt corev1.Taint) bool {
			return tt.Key == world.DisruptedTaint && tt.Effect == corev1.TaintEffectNoSchedule
		}) {
			tainted = true
		}
		if ev.Type == watch.Added && readyStatus(n) != corev1.ConditionTrue {
			joinedNotReady = true
		}
	}
	if !tainted || !joinedNotReady {
		t.Errorf("old node tainted %v, new node joined NotReady %v", tainted, joinedNotReady)
	}
	_ = srv.Store().View(func(wd *world.World) error {
		if k := wd.Cluster("us-east-1", world.DemoCluster).Karpenter.Controller; k.Pace != pace {
			t.Errorf("the drift controller's pace %v, want the sandbox's %v", k.Pace, pace)
		}
		return nil
	})
	claims, err := dyn.Resource(nodeClaims).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil || len(claims.Items) != 1 {
		t.Fatalf("%d claims, %v", len(claims.Items), err)
	}
	claim := claims.Items[0]
	image, _, _ := unstructured.NestedString(claim.Object, "status", "imageID")
	nodeName, _, _ := unstructured.NestedString(claim.Object, "status", "nodeName")
	owners := claim.GetOwnerReferences()
	if image != target || nodes[nodeName] == nil || len(owners) != 1 || owners[0].Name != world.DemoKarpenterNodePool ||
		!strings.HasPrefix(claim.GetName(), world.DemoKarpenterNodePool+"-") || len(claim.GetName()) != len(world.DemoKarpenterNodePool)+6 {
		t.Errorf("claim %s: image %s, node %s, owners %+v", claim.GetName(), image, nodeName, owners)
	}
}

func keys(m map[string]*corev1.Node) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
