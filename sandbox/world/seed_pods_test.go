package world

import (
	"slices"
	"strings"
	"testing"
)

func TestSeedPodsOnTheDemoClustersNodes(t *testing.T) {
	w := Seed(1)
	c := w.Region("us-east-1").Clusters[DemoCluster]
	if len(c.Pods) == 0 {
		t.Fatal("the demo cluster has no pods")
	}
	if !slices.IsSortedFunc(c.Pods, func(a, b *Pod) int { return strings.Compare(a.Key(), b.Key()) }) {
		t.Error("pods are not sorted by namespace and name")
	}
	kinds := map[string]bool{}
	windows := 0
	for _, p := range c.Pods {
		n := c.Node(p.NodeName)
		if n == nil {
			t.Fatalf("pod %s is on node %s, which does not exist", p.Key(), p.NodeName)
		}
		if n.Labels["kubernetes.io/os"] != p.NodeSelector["kubernetes.io/os"] {
			t.Errorf("pod %s selects %v but runs on a %s node", p.Key(), p.NodeSelector, n.Labels["kubernetes.io/os"])
		}
		if n.Labels["kubernetes.io/os"] == "windows" {
			windows++
		}
		kind := "bare"
		if p.Owner != nil {
			kind = p.Owner.Kind
		}
		kinds[kind] = true
	}
	for _, k := range []string{"ReplicaSet", "DaemonSet", "StatefulSet", "Job", "bare"} {
		if !kinds[k] {
			t.Errorf("no pod owned by a %s", k)
		}
	}
	// The DaemonSet has a pod on each of the 10 Windows nodes.
	if windows < 10 {
		t.Errorf("%d pods on Windows nodes, want at least the DaemonSet's 10", windows)
	}
	// Same seed, same pods.
	again := Seed(1).Region("us-east-1").Clusters[DemoCluster]
	if c.Pods[0].Name != again.Pods[0].Name || c.Pods[0].UID != again.Pods[0].UID {
		t.Error("the pods differ between two worlds of the same seed")
	}
}

func TestDeleteNodeTakesItsPods(t *testing.T) {
	c := Seed(1).Region("us-east-1").Clusters[DemoCluster]
	node := c.Pods[0].NodeName
	before := len(c.Pods)
	if !c.DeleteNode(node) {
		t.Fatal("no node to delete")
	}
	for _, p := range c.Pods {
		if p.NodeName == node {
			t.Fatalf("pod %s is still bound to the deleted node %s", p.Key(), node)
		}
	}
	if len(c.Pods) >= before {
		t.Errorf("%d pods before the delete, %d after", before, len(c.Pods))
	}
}
