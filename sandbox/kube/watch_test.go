package kube_test

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// changeNodes changes the demo cluster's nodes as the sandbox's services
// do: through the store, with PutNode and DeleteNode.
func changeNodes(t *testing.T, store *state.Store, fn func(c *world.Cluster)) {
	t.Helper()
	if err := store.Update(func(w *world.World) error {
		fn(w.Cluster("us-east-1", world.DemoCluster))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func nextEvent(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("the watch ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watch event within 5s")
	}
	return watch.Event{}
}

func TestWatchNodesFromAResourceVersion(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	first, second := list.Items[0].Name, list.Items[1].Name
	changeNodes(t, srv.Store(), func(c *world.Cluster) {
		n := *c.Node(first)
		n.Ready = false
		c.PutNode(&n)
		c.DeleteNode(second)
		added := *c.Node(first)
		added.Name = "ip-172-31-99-1.ec2.internal"
		c.PutNode(&added)
	})
	var prev int
	for _, want := range []struct {
		typ  watch.EventType
		name string
	}{{watch.Modified, first}, {watch.Deleted, second}, {watch.Added, "ip-172-31-99-1.ec2.internal"}} {
		ev := nextEvent(t, w)
		n, ok := ev.Object.(*corev1.Node)
		if ev.Type != want.typ || !ok || n.Name != want.name {
			t.Fatalf("event %s %T, want %s of node %s", ev.Type, ev.Object, want.typ, want.name)
		}
		rv := atoi(t, n.ResourceVersion)
		if rv <= prev || rv <= atoi(t, list.ResourceVersion) {
			t.Errorf("%s %s: resourceVersion %d does not follow %d (list %s)", ev.Type, n.Name, rv, prev, list.ResourceVersion)
		}
		prev = rv
		if want.typ == watch.Modified && readyStatus(n) != corev1.ConditionUnknown {
			t.Errorf("modified node is Ready %q, want Unknown", readyStatus(n))
		}
	}

	// A list now shows the changes at the last event's resourceVersion.
	after, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if atoi(t, after.ResourceVersion) != prev || len(after.Items) != len(list.Items) {
		t.Errorf("list after: resourceVersion %s (want %d), %d nodes", after.ResourceVersion, prev, len(after.Items))
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("resourceVersion %q is not a number", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func readyStatus(n *corev1.Node) corev1.ConditionStatus {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return ""
}

// A watch from a resourceVersion the log no longer holds gets one ERROR
// event, 410 Expired, as from the API server's watch cache.
func TestWatchFromATooOldResourceVersionExpires(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	w, err := cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{ResourceVersion: "1"})
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, w)
	if ev.Type != watch.Error || !apierrors.IsResourceExpired(apierrors.FromObject(ev.Object)) {
		t.Fatalf("event %s %v, want ERROR 410 Expired", ev.Type, ev.Object)
	}
	w.Stop()

	// The log keeps world.MaxKubeEvents changes: a watch from before them
	// expires, one from within them does not.
	list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changeNodes(t, srv.Store(), func(c *world.Cluster) {
		for range world.MaxKubeEvents + 1 {
			n := *c.Nodes[0]
			c.PutNode(&n)
		}
	})
	w, err = cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Error || !apierrors.IsResourceExpired(apierrors.FromObject(ev.Object)) {
		t.Fatalf("event %s %v, want ERROR 410 Expired", ev.Type, ev.Object)
	}
	w.Stop()
	w, err = cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{ResourceVersion: itoa(atoi(t, list.ResourceVersion) + 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev := nextEvent(t, w); ev.Type != watch.Modified {
		t.Fatalf("event %s %v, want MODIFIED", ev.Type, ev.Object)
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// A label-selected watch sees a node that stops matching as DELETED; a
// watch-list (sendInitialEvents) gets the current nodes, then the bookmark
// that ends them; a watch about to time out sends a last bookmark.
func TestWatchSelectorsAndBookmarks(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	yes := true
	w, err := cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{
		LabelSelector: "kubernetes.io/os=windows", SendInitialEvents: &yes, AllowWatchBookmarks: true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var windows []string
	for {
		ev := nextEvent(t, w)
		n := ev.Object.(*corev1.Node)
		if ev.Type == watch.Bookmark {
			if n.Annotations["k8s.io/initial-events-end"] != "true" || n.ResourceVersion == "" {
				t.Fatalf("bookmark %+v", n.ObjectMeta)
			}
			break
		}
		if ev.Type != watch.Added {
			t.Fatalf("initial event %s", ev.Type)
		}
		windows = append(windows, n.Name)
	}
	if len(windows) != 10 || !slices.IsSorted(windows) {
		t.Fatalf("initial events: %v, want the 10 Windows nodes in order", windows)
	}
	changeNodes(t, srv.Store(), func(c *world.Cluster) {
		n := *c.Node(windows[0])
		n.Labels = map[string]string{"kubernetes.io/os": "linux"}
		c.PutNode(&n)
	})
	if ev := nextEvent(t, w); ev.Type != watch.Deleted || ev.Object.(*corev1.Node).Name != windows[0] {
		t.Fatalf("event %s, want DELETED of %s", ev.Type, windows[0])
	}

	timeout := int64(1)
	w2, err := cs.CoreV1().Nodes().Watch(t.Context(), metav1.ListOptions{ResourceVersion: "0", FieldSelector: "metadata.name=" + windows[1], AllowWatchBookmarks: true, TimeoutSeconds: &timeout})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Stop()
	if ev := nextEvent(t, w2); ev.Type != watch.Added || ev.Object.(*corev1.Node).Name != windows[1] {
		t.Fatalf("event %s, want ADDED of %s", ev.Type, windows[1])
	}
	if ev := nextEvent(t, w2); ev.Type != watch.Bookmark {
		t.Fatalf("event %s, want the BOOKMARK before the timeout", ev.Type)
	}
}

// A shared informer, as controllers and kubectl use them, follows the
// nodes through list and watch.
func TestInformerFollowsNodes(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	factory := informers.NewSharedInformerFactory(cs, 0)
	nodes := factory.Core().V1().Nodes()
	deleted := make(chan string, 1)
	if _, err := nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) {
			if n, ok := obj.(*corev1.Node); ok {
				deleted <- n.Name
			}
		},
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer factory.Shutdown()
	defer cancel() // before Shutdown, which waits for the informers to stop
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			t.Fatalf("%v did not sync", typ)
		}
	}
	all, err := nodes.Lister().List(labelsEverything())
	if err != nil || len(all) != 12 {
		t.Fatalf("informer has %d nodes (%v), want 12", len(all), err)
	}
	victim := all[0].Name
	changeNodes(t, srv.Store(), func(c *world.Cluster) { c.DeleteNode(victim) })
	select {
	case name := <-deleted:
		if name != victim {
			t.Errorf("deleted %s, want %s", name, victim)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the informer saw no deletion within 5s")
	}
}

func labelsEverything() labels.Selector { return labels.Everything() }
