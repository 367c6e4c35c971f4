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

// podsBy counts a cluster's pods by their owner's kind and name ("bare"
// for a pod without one).
func podsBy(c *Cluster) map[string]int {
	out := map[string]int{}
	for _, p := range c.Pods {
		key := "bare/" + p.Name
		if p.Owner != nil {
			key = p.Owner.Kind + "/" + p.Owner.Name
		}
		out[key]++
	}
	return out
}

// TestDeleteNodeMovesItsPods: a deleted node's pods are gone; those of
// controllers other than DaemonSets come back on another node.
func TestDeleteNodeMovesItsPods(t *testing.T) {
	c := Seed(1).Region("us-east-1").Clusters[DemoCluster]
	// The node of a Deployment's pod (it runs the DaemonSet's too).
	node := ""
	for _, p := range c.Pods {
		if p.Owner != nil && p.Owner.Kind == "ReplicaSet" && p.NodeSelector["kubernetes.io/os"] == "windows" {
			node = p.NodeName
		}
	}
	before := podsBy(c)
	var onNode []*Pod
	for _, p := range c.Pods {
		if p.NodeName == node {
			onNode = append(onNode, p)
		}
	}
	if !slices.ContainsFunc(onNode, func(p *Pod) bool { return p.Owner != nil && p.Owner.Kind != "DaemonSet" }) {
		t.Fatalf("node %s runs no pod a controller would replace", node)
	}
	if !c.DeleteNode(node) {
		t.Fatal("no node to delete")
	}
	after := podsBy(c)
	for _, p := range onNode {
		switch {
		case p.Owner == nil:
			if after["bare/"+p.Name] != 0 {
				t.Errorf("bare pod %s outlived its node", p.Key())
			}
		case p.Owner.Kind == "DaemonSet":
			if k := "DaemonSet/" + p.Owner.Name; after[k] != before[k]-1 {
				t.Errorf("%s: %d pods after, %d before", k, after[k], before[k])
			}
		default:
			if k := p.Owner.Kind + "/" + p.Owner.Name; after[k] != before[k] {
				t.Errorf("%s: %d pods after, %d before: the controller did not replace its pod", k, after[k], before[k])
			}
		}
	}
	if !slices.IsSortedFunc(c.Pods, func(a, b *Pod) int { return strings.Compare(a.Key(), b.Key()) }) {
		t.Error("pods are not sorted after the delete")
	}
	for _, p := range c.Pods {
		if p.NodeName == node {
			t.Fatalf("pod %s is still bound to the deleted node %s", p.Key(), node)
		}
		n := c.Node(p.NodeName)
		if n == nil || n.Labels["kubernetes.io/os"] != p.NodeSelector["kubernetes.io/os"] || p.Phase != "Running" {
			t.Errorf("pod %s on %q (%s)", p.Key(), p.NodeName, p.Phase)
		}
		if p.Owner != nil && p.Owner.Kind == "ReplicaSet" && !strings.HasPrefix(p.Name, p.Owner.Name+"-") {
			t.Errorf("pod %s is not named after its ReplicaSet %s", p.Name, p.Owner.Name)
		}
	}
}

// TestNewNodeGetsDaemonSetPods: a Windows node that joins runs the
// Windows DaemonSet's pod; with no node left to go to, a moved pod waits.
func TestNewNodeGetsDaemonSetPods(t *testing.T) {
	c := Seed(1).Region("us-east-1").Clusters[DemoCluster]
	var win *Node
	for _, n := range c.Nodes {
		if n.Labels["kubernetes.io/os"] == "windows" {
			win = n
		}
	}
	n := copyNode(win)
	n.Name = "ip-172-31-99-99.ec2.internal"
	c.PutNode(n)
	var got []string
	for _, p := range c.Pods {
		if p.NodeName == n.Name {
			got = append(got, p.Owner.Kind+"/"+p.Owner.Name)
		}
	}
	if !slices.Equal(got, []string{"DaemonSet/windows-log-agent"}) {
		t.Errorf("pods on the new node: %v", got)
	}

	// Every Windows node cordoned: a moved pod is Pending, unbound.
	for _, n := range c.Nodes {
		n.Unschedulable = true
	}
	var moved string
	for _, p := range c.Pods {
		if p.Owner != nil && p.Owner.Kind == "StatefulSet" {
			moved = p.Name
			c.DeleteNode(p.NodeName)
			break
		}
	}
	i, ok := c.podIndex("platform", moved)
	if !ok {
		t.Fatalf("StatefulSet pod %s is gone", moved)
	}
	if p := c.Pods[i]; p.NodeName != "" || p.Phase != "Pending" {
		t.Errorf("StatefulSet pod %s with no node to go to: on %q, %s", moved, p.NodeName, p.Phase)
	}
}
