package kube_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var (
	nodeClasses = schema.GroupVersionResource{Group: "karpenter.k8s.aws", Version: "v1", Resource: "ec2nodeclasses"}
	nodePools   = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodepools"}
	nodeClaims  = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodeclaims"}
)

func startKarpenter(t *testing.T) (*sandbox.Server, dynamic.Interface) {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	dyn, err := dynamic.NewForConfig(sandboxtest.RESTConfig(t, cfg, world.DemoCluster))
	if err != nil {
		t.Fatal(err)
	}
	return srv, dyn
}

func amiIDs(t *testing.T, nc *unstructured.Unstructured) []string {
	t.Helper()
	amis, _, _ := unstructured.NestedSlice(nc.Object, "status", "amis")
	var ids []string
	for _, a := range amis {
		ids = append(ids, a.(map[string]any)["id"].(string))
	}
	return ids
}

// The demo cluster's Karpenter objects are discoverable and served: the
// node class pins the October AMI its node runs, the pool has disruption
// budgets, the claim is the Karpenter node's.
func TestKarpenterObjectsAreServed(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	dyn, err := dynamic.NewForConfig(sandboxtest.RESTConfig(t, cfg, world.DemoCluster))
	if err != nil {
		t.Fatal(err)
	}
	for gv, want := range map[string][]string{"karpenter.sh/v1": {"nodeclaims", "nodepools"}, "karpenter.k8s.aws/v1": {"ec2nodeclasses"}} {
		list, err := cs.Discovery().ServerResourcesForGroupVersion(gv)
		if err != nil {
			t.Fatalf("%s: %v", gv, err)
		}
		for _, name := range want {
			if !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == name && slices.Contains(r.Verbs, "patch") }) {
				t.Errorf("%s lacks %s: %+v", gv, name, list.APIResources)
			}
		}
	}
	nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "karpenter.sh/nodepool=windows"})
	if err != nil || len(nodes.Items) != 1 {
		t.Fatalf("%d Karpenter nodes, %v", len(nodes.Items), err)
	}
	node := nodes.Items[0]
	nc, err := dyn.Resource(nodeClasses).Get(t.Context(), "windows", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := dyn.Resource(nodeClaims).List(t.Context(), metav1.ListOptions{LabelSelector: "karpenter.sh/nodepool=windows"})
	if err != nil || len(claims.Items) != 1 {
		t.Fatalf("%d claims, %v", len(claims.Items), err)
	}
	claim := claims.Items[0]
	image, _, _ := unstructured.NestedString(claim.Object, "status", "imageID")
	nodeName, _, _ := unstructured.NestedString(claim.Object, "status", "nodeName")
	if ids := amiIDs(t, nc); len(ids) != 1 || ids[0] != image || nodeName != node.Name {
		t.Errorf("node class AMIs %v, claim image %s on %s; want the claim's image on node %s", ids, image, nodeName, node.Name)
	}
	pool, err := dyn.Resource(nodePools).Get(t.Context(), "windows", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if budgets, _, _ := unstructured.NestedSlice(pool.Object, "spec", "disruption", "budgets"); len(budgets) == 0 {
		t.Error("the node pool has no disruption budgets")
	}
	if _, err := dyn.Resource(nodePools).Get(t.Context(), "linux", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get of a missing pool: %v, want NotFound", err)
	}
}

// A merge patch of the node class's AMI terms is resolved at once, as
// Karpenter's controller resolves it, and a watch sees it; the claim on
// the old AMI is then drifted. Strategic merge patch is refused as for
// every CRD.
func TestPatchNodeClassResolvesAMIs(t *testing.T) {
	srv, dyn := startKarpenter(t)
	ncs := dyn.Resource(nodeClasses)
	before, err := ncs.Get(t.Context(), "windows", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ncs.Watch(t.Context(), metav1.ListOptions{ResourceVersion: before.GetResourceVersion()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	patch := []byte(`{"spec":{"amiSelectorTerms":[{"alias":"windows2022@latest"}]}}`)
	after, err := ncs.Patch(t.Context(), "windows", types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var newest string
	_ = srv.Store().View(func(wd *world.World) error {
		p := wd.Region("us-east-1").Parameters[world.WindowsLatestPath+"/"+world.EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}.ParameterName()+"/image_id"]
		newest = p.Value
		return nil
	})
	if ids := amiIDs(t, after); len(ids) != 1 || ids[0] != newest || slices.Equal(ids, amiIDs(t, before)) {
		t.Errorf("AMIs after the patch %v, want [%s]", ids, newest)
	}
	if after.GetGeneration() != before.GetGeneration()+1 {
		t.Errorf("generation %d after %d", after.GetGeneration(), before.GetGeneration())
	}
	if ev := nextEvent(t, w); ev.Type != watch.Modified || ev.Object.(*unstructured.Unstructured).GetResourceVersion() != after.GetResourceVersion() {
		t.Errorf("watch event %s %v, want MODIFIED at %s", ev.Type, ev.Object, after.GetResourceVersion())
	}
	_ = srv.Store().View(func(wd *world.World) error {
		if d := world.DriftedNodeClaims(wd.Cluster("us-east-1", world.DemoCluster)); len(d) != 1 {
			t.Errorf("drifted claims %v, want the one on October's AMI", d)
		}
		return nil
	})

	_, err = ncs.Patch(t.Context(), "windows", types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	if !apierrors.IsUnsupportedMediaType(err) {
		t.Errorf("strategic merge patch: %v, want 415", err)
	}
}

// Server-side apply: a second manager changing a field the first one set
// conflicts (409, naming the manager and the field) unless it forces; an
// apply without a field manager is invalid.
func TestApplyNodeClassConflicts(t *testing.T) {
	_, dyn := startKarpenter(t)
	ncs := dyn.Resource(nodeClasses)
	apply := func(manager, term string, force bool) error {
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass",
			"metadata": map[string]any{"name": "windows"},
			"spec":     map[string]any{"amiSelectorTerms": []any{map[string]any{"alias": term}}},
		}}
		_, err := ncs.Apply(t.Context(), "windows", obj, metav1.ApplyOptions{FieldManager: manager, Force: force})
		return err
	}
	// The seeded object has no managed fields: its fields belong to
	// "before-first-apply", so the first apply that changes one conflicts
	// too, and takes them with force.
	if err := apply("winami", "windows2022@latest", false); !apierrors.IsConflict(err) || !strings.Contains(err.Error(), `conflict with "before-first-apply"`) {
		t.Fatalf("first apply: %v, want a conflict with before-first-apply", err)
	}
	if err := apply("winami", "windows2022@latest", true); err != nil {
		t.Fatalf("first forced apply: %v", err)
	}
	if err := apply("winami", "windows2022@latest", false); err != nil {
		t.Fatalf("winami's second apply: %v", err)
	}
	err := apply("someone-else", "windows2025@latest", false)
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), `conflict with "winami"`) || !strings.Contains(err.Error(), ".spec.amiSelectorTerms") {
		t.Fatalf("second apply: %v, want a 409 naming winami and .spec.amiSelectorTerms", err)
	}
	if err := apply("someone-else", "windows2025@latest", true); err != nil {
		t.Fatalf("forced apply: %v", err)
	}
	got, err := ncs.Get(t.Context(), "windows", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	terms, _, _ := unstructured.NestedSlice(got.Object, "spec", "amiSelectorTerms")
	if len(terms) != 1 || terms[0].(map[string]any)["alias"] != "windows2025@latest" {
		t.Errorf("terms after the forced apply: %v", terms)
	}
	if !slices.ContainsFunc(got.GetManagedFields(), func(m metav1.ManagedFieldsEntry) bool {
		return m.Manager == "someone-else" && m.Operation == metav1.ManagedFieldsOperationApply
	}) {
		t.Errorf("managed fields %+v lack someone-else's apply", got.GetManagedFields())
	}
	if err := apply("", "windows2022@latest", false); !apierrors.IsInvalid(err) {
		t.Errorf("apply without a field manager: %v, want 422 Invalid", err)
	}
}

// kubectl get of Karpenter's resources gets a Table of their printer
// columns, as the API server prints custom resources.
func TestKarpenterTables(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	for path, want := range map[string][]string{
		"/apis/karpenter.k8s.aws/v1/ec2nodeclasses": {"Name", "Ready", "Age", "Role"},
		"/apis/karpenter.sh/v1/nodepools/windows":   {"Name", "NodeClass", "Nodes", "Ready", "Age", "Weight", "CPU", "Memory"},
		"/apis/karpenter.sh/v1/nodeclaims":          {"Name", "Type", "Capacity", "Zone", "Node", "Ready", "Age", "ImageID", "ID", "NodePool", "NodeClass", "Drifted"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, rc.Host+path, nil)
		req.Header.Set("Authorization", "Bearer "+rc.BearerToken)
		req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
		resp, err := httpsClient(t, rc.CAData).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var table metav1.Table
		err = json.NewDecoder(resp.Body).Decode(&table)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range table.ColumnDefinitions {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, want) || len(table.Rows) != 1 || table.Rows[0].Cells[0] == "" {
			t.Errorf("%s: columns %v, %d rows, want %v and one row", path, names, len(table.Rows), want)
			continue
		}
		if ready := table.Rows[0].Cells[slices.Index(names, "Ready")]; ready != "True" {
			t.Errorf("%s: Ready %v", path, ready)
		}
	}
}
