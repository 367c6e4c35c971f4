package rollout

import (
	"encoding/json"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dynfake "k8s.io/client-go/dynamic/fake"
	k8stesting "k8s.io/client-go/testing"
)

const karpAMI = "ami-0123456789abcdef0"

func nodePool(name, class string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": map[string]any{"name": name},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"nodeClassRef": map[string]any{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": class}}}},
	}}
}

func nodeClass(name, family string, terms ...map[string]any) *unstructured.Unstructured {
	spec := map[string]any{"amiSelectorTerms": termsValue(terms)}
	if family != "" {
		spec["amiFamily"] = family
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": map[string]any{"name": name}, "spec": spec,
	}}
}

// fakeKarpenter is a dynamic fake whose server-side apply merges the
// applied object into the stored one (the fake's own apply cannot decode
// unstructured objects); it does not remove fields a manager stopped
// applying, as a real API server does.
func fakeKarpenter(objs ...runtime.Object) *dynfake.FakeDynamicClient {
	dyn := dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		nodePools: "NodePoolList", ec2NodeClasses: "EC2NodeClassList"}, objs...)
	dyn.PrependReactor("patch", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchActionImpl)
		if p.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		live, err := dyn.Tracker().Get(p.GetResource(), "", p.GetName())
		if err != nil {
			return true, nil, err
		}
		raw, err := json.Marshal(live)
		if err == nil {
			raw, err = jsonpatch.MergePatch(raw, p.GetPatch())
		}
		out := &unstructured.Unstructured{}
		if err == nil {
			err = out.UnmarshalJSON(raw)
		}
		if err == nil {
			err = dyn.Tracker().Update(p.GetResource(), out, "")
		}
		return true, out, err
	})
	return dyn
}

func karpGroup() *Group {
	return &Group{Kind: KindKarpenter, Name: "windows", Method: MethodNodeClass, Expect: Expect{AMI: karpAMI, WindowsBuild: "10.0.20348"}}
}

func TestKarpenterPrepare(t *testing.T) {
	alias := map[string]any{"alias": "windows2022@latest"}
	for _, c := range []struct {
		name       string
		objs       []runtime.Object
		parameter  string
		change     string
		skip       string
		termsAfter string
	}{
		{name: "alias to id", objs: []runtime.Object{nodePool("windows", "win"), nodeClass("win", "", alias)},
			change: "EC2NodeClass win amiSelectorTerms [{alias: windows2022@latest}] → [{id: " + karpAMI + "}]"},
		{name: "channel parameter", parameter: "/winami/app/channels/stable",
			objs:   []runtime.Object{nodePool("windows", "win"), nodeClass("win", "Windows2022", map[string]any{"id": "ami-old"})},
			change: "EC2NodeClass win amiSelectorTerms [{id: ami-old}] → [{ssmParameter: /winami/app/channels/stable}]"},
		{name: "no pool", skip: "NodePool windows not found"},
		{name: "no class", objs: []runtime.Object{nodePool("windows", "win")}, skip: "EC2NodeClass win of NodePool windows not found"},
		{name: "linux class", objs: []runtime.Object{nodePool("windows", "win"), nodeClass("win", "AL2023", map[string]any{"alias": "al2023@latest"})},
			skip: "is of amiFamily AL2023, not Windows"},
		{name: "other Windows", objs: []runtime.Object{nodePool("windows", "win"), nodeClass("win", "", map[string]any{"alias": "windows2019@latest"})},
			skip: "is of amiFamily Windows2019 (Windows build 10.0.17763) and " + karpAMI + " is Windows build 10.0.20348"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := NewKarpenterDriver(fakeKarpenter(c.objs...))
			g := karpGroup()
			g.SSMParameter = c.parameter
			if err := d.Prepare(t.Context(), g); err != nil {
				t.Fatal(err)
			}
			if g.Change != c.change || !strings.Contains(g.Skip, c.skip) || (c.skip == "") != (g.Skip == "") {
				t.Errorf("change %q skip %q, want %q / %q", g.Change, g.Skip, c.change, c.skip)
			}
			if c.change != "" && (g.State.NodeClass != "win" || !strings.HasPrefix(g.State.TermsBefore, "[{")) {
				t.Errorf("state %+v", g.State)
			}
		})
	}
}

// TestKarpenterStartAndRollback: Start applies the terms, the annotation
// and the alias's family as winami (force); a new driver finds the change
// in flight from the annotation; Rollback applies the old terms.
func TestKarpenterStartAndRollback(t *testing.T) {
	dyn := fakeKarpenter(nodePool("windows", "win"), nodeClass("win", "", map[string]any{"alias": "windows2022@latest"}))
	d := NewKarpenterDriver(dyn)
	g := karpGroup()
	if err := d.Prepare(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	if in, err := d.InFlight(t.Context(), g); in || err != nil {
		t.Fatalf("InFlight before Start = %v, %v", in, err)
	}
	if err := d.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	apply := lastPatch(t, dyn)
	if apply.GetPatchType() != types.ApplyPatchType || apply.PatchOptions.FieldManager != "winami" || !*apply.PatchOptions.Force {
		t.Errorf("Start sent %s as %q force %v, want a forced apply as winami", apply.GetPatchType(), apply.PatchOptions.FieldManager, apply.PatchOptions.Force)
	}
	var body struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec map[string]any `json:"spec"`
	}
	if err := json.Unmarshal(apply.GetPatch(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Metadata.Annotations[AnnotationPreviousTerms] != `[{"alias":"windows2022@latest"}]` || body.Spec["amiFamily"] != "Windows2022" {
		t.Errorf("applied %s", apply.GetPatch())
	}

	// A new process: the change is found from the class alone.
	g2 := karpGroup()
	if in, err := NewKarpenterDriver(dyn).InFlight(t.Context(), g2); !in || err != nil || g2.State.TermsBefore != `[{"alias":"windows2022@latest"}]` || !g2.State.Resumed {
		t.Fatalf("InFlight after Start = %v, %v, state %+v", in, err, g2.State)
	}
	// Prepare of a rerun keeps the terms from before the first run.
	g3 := karpGroup()
	if err := d.Prepare(t.Context(), g3); err != nil || g3.State.TermsBefore != `[{"alias":"windows2022@latest"}]` {
		t.Errorf("Prepare after Start: %v, TermsBefore %q", err, g3.State.TermsBefore)
	}

	done, what, err := NewKarpenterDriver(dyn).Rollback(t.Context(), g2)
	if err != nil || !done || what != "EC2NodeClass win amiSelectorTerms put back: [{alias: windows2022@latest}]" {
		t.Fatalf("Rollback = %v, %q, %v", done, what, err)
	}
	class, err := dyn.Resource(ec2NodeClasses).Get(t.Context(), "win", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	terms, _ := termsOf(class)
	if _, has := class.GetAnnotations()[AnnotationPreviousTerms]; has || describeTerms(terms) != "[{alias: windows2022@latest}]" {
		t.Errorf("after Rollback: annotations %v, terms %s", class.GetAnnotations(), describeTerms(terms))
	}
	if in, _ := NewKarpenterDriver(dyn).InFlight(t.Context(), karpGroup()); in {
		t.Error("InFlight after Rollback")
	}
}

func lastPatch(t *testing.T, dyn *dynfake.FakeDynamicClient) k8stesting.PatchActionImpl {
	t.Helper()
	acts := dyn.Actions()
	for i := len(acts) - 1; i >= 0; i-- {
		if p, ok := acts[i].(k8stesting.PatchActionImpl); ok {
			return p
		}
	}
	t.Fatal("no patch sent")
	return k8stesting.PatchActionImpl{}
}

func TestKarpenterPoll(t *testing.T) {
	withStatus := func(amis []any, status, message string) *unstructured.Unstructured {
		c := nodeClass("win", "Windows2022", map[string]any{"id": karpAMI})
		c.Object["status"] = map[string]any{"amis": amis, "conditions": []any{
			map[string]any{"type": "AMIsReady", "status": status, "message": message}}}
		return c
	}
	for _, c := range []struct {
		name  string
		class *unstructured.Unstructured
		want  Progress
	}{
		{"resolved", withStatus([]any{map[string]any{"id": karpAMI}}, "True", ""), Progress{Phase: "AMIsReady", Done: true, Percent: -1}},
		{"not yet", withStatus([]any{map[string]any{"id": "ami-old"}}, "True", ""), Progress{Phase: "Resolving", Percent: -1}},
		{"failed", withStatus(nil, "False", "AMISelector did not match any AMIs"),
			Progress{Phase: "AMIsNotReady", Percent: -1, Failed: "EC2NodeClass win: AMIsReady is False: AMISelector did not match any AMIs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := NewKarpenterDriver(fakeKarpenter(nodePool("windows", "win"), c.class))
			g := karpGroup()
			g.State.NodeClass = "win"
			got, err := d.Poll(t.Context(), g)
			if err != nil || got != c.want {
				t.Errorf("Poll = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
