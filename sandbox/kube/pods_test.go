package kube_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/registry"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// listAllPods pages through a pod list with opts, checking each page.
func listAllPods(t *testing.T, list func(metav1.ListOptions) (*corev1.PodList, error), opts metav1.ListOptions) []corev1.Pod {
	t.Helper()
	var out []corev1.Pod
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("paging does not end")
		}
		page, err := list(opts)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Limit > 0 && int64(len(page.Items)) > opts.Limit {
			t.Fatalf("page of %d pods with limit %d", len(page.Items), opts.Limit)
		}
		out = append(out, page.Items...)
		if page.Continue == "" {
			return out
		}
		opts.Continue = page.Continue
	}
}

func podNames(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out
}

func TestListPodsPagesWithSelectors(t *testing.T) {
	_, _, cs := start(t)
	ctx := t.Context()
	all := listAllPods(t, func(o metav1.ListOptions) (*corev1.PodList, error) { return cs.CoreV1().Pods("").List(ctx, o) }, metav1.ListOptions{})
	if len(all) < 20 {
		t.Fatalf("%d pods in the demo cluster, want the seeded workloads' 20 or more", len(all))
	}
	if !slices.IsSorted(podNames(all)) {
		t.Errorf("pods are not in namespace/name order: %v", podNames(all))
	}
	// Pages of 4 give the same pods in the same order.
	paged := listAllPods(t, func(o metav1.ListOptions) (*corev1.PodList, error) { return cs.CoreV1().Pods("").List(ctx, o) }, metav1.ListOptions{Limit: 4})
	if !slices.Equal(podNames(paged), podNames(all)) {
		t.Errorf("paged list\n%v\nwant\n%v", podNames(paged), podNames(all))
	}

	// One node's pods.
	node := all[0].Spec.NodeName
	onNode := listAllPods(t, func(o metav1.ListOptions) (*corev1.PodList, error) { return cs.CoreV1().Pods("").List(ctx, o) },
		metav1.ListOptions{FieldSelector: "spec.nodeName=" + node, Limit: 2})
	want := 0
	for _, p := range all {
		if p.Spec.NodeName == node {
			want++
		}
	}
	if len(onNode) != want || want == 0 {
		t.Errorf("%d pods on %s, want %d", len(onNode), node, want)
	}
	for _, p := range onNode {
		if p.Spec.NodeName != node {
			t.Errorf("pod %s is on %s, not %s", p.Name, p.Spec.NodeName, node)
		}
	}

	// A namespace, with a label selector.
	pay := listAllPods(t, func(o metav1.ListOptions) (*corev1.PodList, error) { return cs.CoreV1().Pods("payments").List(ctx, o) },
		metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=payments-api", Limit: 1})
	if len(pay) != 3 {
		t.Fatalf("payments-api pods: %v, want 3", podNames(pay))
	}
	for _, p := range pay {
		if p.Namespace != "payments" || len(p.OwnerReferences) != 1 || p.OwnerReferences[0].Kind != "ReplicaSet" ||
			p.OwnerReferences[0].Controller == nil || !*p.OwnerReferences[0].Controller {
			t.Errorf("pod %s/%s: owners %+v", p.Namespace, p.Name, p.OwnerReferences)
		}
		if p.OwnerReferences[0].Name != "payments-api-"+p.Labels["pod-template-hash"] {
			t.Errorf("pod %s: ReplicaSet %s does not follow the Deployment's name and the pod-template-hash", p.Name, p.OwnerReferences[0].Name)
		}
		if len(p.Spec.InitContainers) != 1 || len(p.Spec.Containers) != 1 || p.Spec.Containers[0].Image != world.PodImagePaymentsAPI {
			t.Errorf("pod %s: containers %+v, init %+v", p.Name, p.Spec.Containers, p.Spec.InitContainers)
		}
	}

	// Get one, and one that is not there.
	got, err := cs.CoreV1().Pods("default").Get(ctx, "debug-shell", metav1.GetOptions{})
	if err != nil || got.Name != "debug-shell" || len(got.OwnerReferences) != 0 || got.Status.Phase != corev1.PodRunning {
		t.Errorf("get debug-shell: %+v, %v", got, err)
	}
	_, err = cs.CoreV1().Pods("default").Get(ctx, "nope", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) || err.Error() != `pods "nope" not found` {
		t.Errorf("missing pod: %v", err)
	}

	// The API server's refusal of a field it cannot select pods by.
	_, err = cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeNam=x"})
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Code != http.StatusBadRequest || st.Status().Message != "field label not supported: spec.nodeNam" {
		t.Errorf("bad field selector: %v", err)
	}
}

// Pods are watched as nodes are: when a node leaves the cluster its pods
// are DELETED and their controllers' new pods ADDED on other nodes; a node
// that joins gets its DaemonSets' pods ADDED. A watch of a namespace, or
// with a field selector, sees only its pods.
func TestWatchPods(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	ctx := t.Context()
	before, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A Windows node that runs a Deployment's pod besides its DaemonSets'.
	var node, namespace string
	for _, p := range before.Items {
		if len(p.OwnerReferences) == 1 && p.OwnerReferences[0].Kind == "ReplicaSet" && p.Spec.NodeSelector["kubernetes.io/os"] == "windows" {
			node, namespace = p.Spec.NodeName, p.Namespace
			break
		}
	}
	if node == "" {
		t.Fatal("no Windows node runs a ReplicaSet's pod")
	}
	opts := metav1.ListOptions{ResourceVersion: before.ResourceVersion}
	all, err := cs.CoreV1().Pods("").Watch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Stop()
	inNS, err := cs.CoreV1().Pods(namespace).Watch(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer inNS.Stop()
	onNode, err := cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{ResourceVersion: before.ResourceVersion, FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		t.Fatal(err)
	}
	defer onNode.Stop()

	const joined = "ip-172-31-99-1.ec2.internal"
	changeNodes(t, srv.Store(), func(c *world.Cluster) {
		n := *c.Node(node)
		n.Name = joined
		c.DeleteNode(node)
		c.PutNode(&n)
	})
	after, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// What the watches must report: the node's pods deleted, and every pod
	// that was not there before added.
	type change struct{ typ, ns, name, uid string }
	var want []change
	old := map[string]bool{}
	for _, p := range before.Items {
		old[string(p.UID)] = true
		if p.Spec.NodeName == node {
			want = append(want, change{string(watch.Deleted), p.Namespace, p.Name, string(p.UID)})
		}
	}
	joinedPods := 0
	for _, p := range after.Items {
		if !old[string(p.UID)] {
			want = append(want, change{string(watch.Added), p.Namespace, p.Name, string(p.UID)})
			if p.Spec.NodeName == joined {
				joinedPods++
			}
		}
	}
	if joinedPods == 0 || len(want) < 4 {
		t.Fatalf("the replacement changed too little to test: %+v", want)
	}
	collect := func(w watch.Interface, n int) []change {
		t.Helper()
		var got []change
		prev := atoi(t, before.ResourceVersion)
		for range n {
			ev := nextEvent(t, w)
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				t.Fatalf("event %s of a %T", ev.Type, ev.Object)
			}
			if rv := atoi(t, p.ResourceVersion); rv <= prev {
				t.Errorf("%s %s: resourceVersion %d does not follow %d", ev.Type, p.Name, rv, prev)
			} else {
				prev = rv
			}
			got = append(got, change{string(ev.Type), p.Namespace, p.Name, string(p.UID)})
		}
		return got
	}
	sortChanges := func(cs []change) []change {
		slices.SortFunc(cs, func(a, b change) int { return strings.Compare(a.typ+a.uid, b.typ+b.uid) })
		return cs
	}
	want = sortChanges(want)
	if got := sortChanges(collect(all, len(want))); !slices.Equal(got, want) {
		t.Errorf("watch of all pods:\n got %+v\nwant %+v", got, want)
	}
	var wantNS, wantNode []change
	for _, c := range want {
		if c.ns == namespace {
			wantNS = append(wantNS, c)
		}
		if c.typ == string(watch.Deleted) {
			wantNode = append(wantNode, c)
		}
	}
	if got := sortChanges(collect(inNS, len(wantNS))); !slices.Equal(got, wantNS) {
		t.Errorf("watch of namespace %s:\n got %+v\nwant %+v", namespace, got, wantNS)
	}
	if got := sortChanges(collect(onNode, len(wantNode))); !slices.Equal(got, wantNode) {
		t.Errorf("watch of the pods on %s:\n got %+v\nwant %+v", node, got, wantNode)
	}
	// An unknown field is refused as the list refuses it.
	_, err = cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{FieldSelector: "spec.nodeNam=x"})
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Code != http.StatusBadRequest || st.Status().Message != "field label not supported: spec.nodeNam" {
		t.Errorf("bad field selector: %v", err)
	}
}

// TestPodsOfADeletedNodeAreGone: the pods bound to a node that left the
// cluster are not listed.
func TestPodsOfADeletedNodeAreGone(t *testing.T) {
	clk := sandboxtest.NewClock(time.Now())
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	ctx := t.Context()
	all, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node := all.Items[0].Spec.NodeName
	if err := srv.Store().Update(func(w *world.World) error {
		// Taken out of the list however it went (not through DeleteNode,
		// which also drops the node's pods from the world).
		c := w.Region("us-east-1").Clusters[world.DemoCluster]
		c.Nodes = slices.DeleteFunc(c.Nodes, func(n *world.Node) bool { return n.Name == node })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	after, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil || len(after.Items) != 0 {
		t.Errorf("pods of the deleted node %s: %v, %v", node, podNames(after.Items), err)
	}
}

// TestSeededPodImagesAreInTheRegistry keeps the world's pod images in step
// with the registry's seed: all are served but the one meant to be missing.
func TestSeededPodImagesAreInTheRegistry(t *testing.T) {
	reg, err := registry.New(registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := world.Seed(1).Region("us-east-1").Clusters[world.DemoCluster]
	for _, p := range c.Pods {
		for _, ct := range append(slices.Clone(p.InitContainers), p.Containers...) {
			_, err := reg.Platforms(ct.Image)
			switch {
			case ct.Image == world.PodImageMissing && err == nil:
				t.Errorf("%s is served, but is meant to be missing", ct.Image)
			case ct.Image != world.PodImageMissing && err != nil:
				t.Errorf("pod %s: %v", p.Key(), err)
			}
		}
	}
}
