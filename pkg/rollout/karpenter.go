package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Karpenter's resources, as its v1 CRDs define them (cluster-scoped).
var (
	nodePools      = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodepools"}
	ec2NodeClasses = schema.GroupVersionResource{Group: "karpenter.k8s.aws", Version: "v1", Resource: "ec2nodeclasses"}
)

const (
	// AnnotationPreviousTerms on an EC2NodeClass holds its amiSelectorTerms
	// (JSON) from before a rollout changed them: a rerun after Ctrl-C, in
	// a new process, finds the change and can still put it back.
	AnnotationPreviousTerms = "winami.dev/previous-ami-selector-terms"
	// fieldManager is winami's name in the objects' managedFields.
	fieldManager = "winami"
)

// windowsFamilies are Karpenter's Windows amiFamily values and the
// Windows build of each.
var windowsFamilies = map[string]string{"Windows2019": "10.0.17763", "Windows2022": "10.0.20348", "Windows2025": "10.0.26100"}

// KarpenterDriver moves a Karpenter NodePool's nodes onto an AMI by
// pointing its EC2NodeClass's amiSelectorTerms at it: Karpenter marks the
// nodes of the old AMI Drifted and replaces them within the pool's
// disruption budgets. A group's Name is its NodePool's name.
type KarpenterDriver struct {
	dyn dynamic.Interface
}

// NewKarpenterDriver drives Karpenter through dyn.
func NewKarpenterDriver(dyn dynamic.Interface) *KarpenterDriver {
	return &KarpenterDriver{dyn: dyn}
}

// KarpenterClient is a dynamic client of cfg's cluster, for Karpenter's
// custom resources.
func KarpenterClient(cfg *rest.Config) (dynamic.Interface, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("a Kubernetes client for %s: %w", cfg.Host, err)
	}
	return dyn, nil
}

var _ Driver = (*KarpenterDriver)(nil)

// Prepare finds the pool's EC2NodeClass and says what the change is.
func (d *KarpenterDriver) Prepare(ctx context.Context, g *Group) error {
	pool, err := d.dyn.Resource(nodePools).Get(ctx, g.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		g.Skip = fmt.Sprintf("NodePool %s not found: name a Karpenter NodePool of the cluster", g.Name)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading NodePool %s: %w", g.Name, err)
	}
	ref, _, _ := unstructured.NestedStringMap(pool.Object, "spec", "template", "spec", "nodeClassRef")
	if ref["group"] != ec2NodeClasses.Group || ref["kind"] != "EC2NodeClass" || ref["name"] == "" {
		g.Skip = fmt.Sprintf("NodePool %s does not use an EC2NodeClass (nodeClassRef %s/%s %s)", g.Name, ref["group"], ref["kind"], ref["name"])
		return nil
	}
	class, err := d.dyn.Resource(ec2NodeClasses).Get(ctx, ref["name"], metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		g.Skip = fmt.Sprintf("EC2NodeClass %s of NodePool %s not found: create it, or fix the pool's nodeClassRef", ref["name"], g.Name)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading EC2NodeClass %s: %w", ref["name"], err)
	}
	terms, err := termsOf(class)
	if err != nil {
		return err
	}
	g.State.NodeClass = class.GetName()
	// A class a rollout already changed keeps the terms from before it.
	if before, ok := class.GetAnnotations()[AnnotationPreviousTerms]; ok {
		g.State.TermsBefore = before
	} else if g.State.TermsBefore, err = termsJSON(terms); err != nil {
		return err
	}
	family := familyOf(class, terms)
	build, windows := windowsFamilies[family]
	switch {
	case family == "":
		g.Skip = fmt.Sprintf("EC2NodeClass %s has no amiFamily and no alias term: set its amiFamily", g.State.NodeClass)
		return nil
	case family != "Custom" && !windows:
		g.Skip = fmt.Sprintf("EC2NodeClass %s is of amiFamily %s, not Windows: roll a Windows node class", g.State.NodeClass, family)
		return nil
	case windows && g.Expect.WindowsBuild != "" && buildOf(g.Expect.WindowsBuild) != build:
		g.Skip = fmt.Sprintf("EC2NodeClass %s is of amiFamily %s (Windows build %s) and %s is Windows build %s: roll an AMI of that Windows version, or change the class's amiFamily",
			g.State.NodeClass, family, build, g.Expect.AMI, g.Expect.WindowsBuild)
		return nil
	}
	g.Change = fmt.Sprintf("EC2NodeClass %s amiSelectorTerms %s → %s", g.State.NodeClass, describeTerms(terms), describeTerms(targetTerms(g)))
	return nil
}

// InFlight finds the class changed by a rollout to this target: the
// annotation is there and the terms are the target's.
func (d *KarpenterDriver) InFlight(ctx context.Context, g *Group) (bool, error) {
	class, err := d.class(ctx, g)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	before, ok := class.GetAnnotations()[AnnotationPreviousTerms]
	if !ok {
		return false, nil
	}
	terms, err := termsOf(class)
	if err != nil {
		return false, err
	}
	if !sameTerms(terms, targetTerms(g)) {
		return false, nil
	}
	g.State.NodeClass, g.State.TermsBefore, g.State.Resumed = class.GetName(), before, true
	return true, nil
}

// Start applies the target's terms (and the annotation that records the
// terms before) as winami's fields. A class that took its amiFamily from
// an alias gets it set: without an alias term Karpenter requires one.
func (d *KarpenterDriver) Start(ctx context.Context, g *Group) error {
	class, err := d.class(ctx, g)
	if err != nil {
		return err
	}
	terms, err := termsOf(class)
	if err != nil {
		return err
	}
	spec := map[string]any{"amiSelectorTerms": termsValue(targetTerms(g))}
	if f, _, _ := unstructured.NestedString(class.Object, "spec", "amiFamily"); f == "" {
		if f = aliasFamily(terms); f != "" {
			spec["amiFamily"] = f
		}
	}
	if g.State.TermsBefore == "" {
		if g.State.TermsBefore, err = termsJSON(terms); err != nil {
			return err
		}
	}
	meta := map[string]any{"name": g.State.NodeClass, "annotations": map[string]any{AnnotationPreviousTerms: g.State.TermsBefore}}
	if _, err := d.apply(ctx, meta, spec); err != nil {
		return fmt.Errorf("changing EC2NodeClass %s: %w", g.State.NodeClass, err)
	}
	return nil
}

// Poll reads the class's resolution of its terms: done when status.amis
// holds the AMI and AMIsReady is True, failed when AMIsReady is False.
// (The condition's observedGeneration is not compared: the sandbox's
// controller does not move it on, and a stale True without the AMI in
// status.amis is not done anyway.)
func (d *KarpenterDriver) Poll(ctx context.Context, g *Group) (Progress, error) {
	class, err := d.class(ctx, g)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Phase: "Resolving", Percent: -1}
	amis, _, _ := unstructured.NestedSlice(class.Object, "status", "amis")
	has := slices.ContainsFunc(amis, func(a any) bool { m, _ := a.(map[string]any); return m["id"] == g.Expect.AMI })
	conds, _, _ := unstructured.NestedSlice(class.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != "AMIsReady" {
			continue
		}
		switch m["status"] {
		case "True":
			if has {
				p.Phase, p.Done = "AMIsReady", true
			}
		case "False":
			msg, _ := m["message"].(string)
			p.Phase, p.Failed = "AMIsNotReady", fmt.Sprintf("EC2NodeClass %s: AMIsReady is False: %s", class.GetName(), msg)
		}
	}
	return p, nil
}

// Continue does nothing: Karpenter has no checkpoints.
func (d *KarpenterDriver) Continue(context.Context, *Group) error { return nil }

// Rollback applies the terms from before and drops the annotation, in
// one step.
func (d *KarpenterDriver) Rollback(ctx context.Context, g *Group) (bool, string, error) {
	class, err := d.class(ctx, g)
	if err != nil {
		return false, "", err
	}
	before, ok := class.GetAnnotations()[AnnotationPreviousTerms]
	if !ok {
		before = g.State.TermsBefore
	}
	if before == "" {
		return true, fmt.Sprintf("EC2NodeClass %s: nothing to put back", class.GetName()), nil
	}
	var terms []map[string]any
	if err := json.Unmarshal([]byte(before), &terms); err != nil {
		return false, "", fmt.Errorf("EC2NodeClass %s: the annotation %s is not a list of terms: %w", class.GetName(), AnnotationPreviousTerms, err)
	}
	// The apply leaves out the annotation (and any amiFamily Start set):
	// fields winami applied before and not now are removed.
	out, err := d.apply(ctx, map[string]any{"name": class.GetName()}, map[string]any{"amiSelectorTerms": termsValue(terms)})
	if err != nil {
		return false, "", fmt.Errorf("putting back EC2NodeClass %s: %w", class.GetName(), err)
	}
	if _, still := out.GetAnnotations()[AnnotationPreviousTerms]; still {
		// Another manager shares the annotation: remove it outright.
		patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:null}}}`, AnnotationPreviousTerms)
		if _, err := d.dyn.Resource(ec2NodeClasses).Patch(ctx, class.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: fieldManager}); err != nil {
			return false, "", fmt.Errorf("removing the annotation %s of EC2NodeClass %s: %w", AnnotationPreviousTerms, class.GetName(), err)
		}
	}
	return true, fmt.Sprintf("EC2NodeClass %s amiSelectorTerms put back: %s", class.GetName(), describeTerms(terms)), nil
}

// class reads the group's EC2NodeClass (State.NodeClass, found by Prepare).
func (d *KarpenterDriver) class(ctx context.Context, g *Group) (*unstructured.Unstructured, error) {
	if g.State.NodeClass == "" {
		if err := d.Prepare(ctx, g); err != nil {
			return nil, err
		}
		if g.State.NodeClass == "" {
			return nil, apierrors.NewNotFound(ec2NodeClasses.GroupResource(), g.Name)
		}
	}
	class, err := d.dyn.Resource(ec2NodeClasses).Get(ctx, g.State.NodeClass, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading EC2NodeClass %s: %w", g.State.NodeClass, err)
	}
	return class, nil
}

// apply is a server-side apply of metadata and spec as winami, forced:
// the rollout owns the class's AMI selection while it runs.
func (d *KarpenterDriver) apply(ctx context.Context, meta, spec map[string]any) (*unstructured.Unstructured, error) {
	body, err := json.Marshal(map[string]any{
		"apiVersion": ec2NodeClasses.GroupVersion().String(), "kind": "EC2NodeClass", "metadata": meta, "spec": spec,
	})
	if err != nil {
		return nil, err
	}
	force := true
	return d.dyn.Resource(ec2NodeClasses).Patch(ctx, meta["name"].(string), types.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: fieldManager, Force: &force})
}

// termsOf is spec.amiSelectorTerms of a class.
func termsOf(class *unstructured.Unstructured) ([]map[string]any, error) {
	raw, _, err := unstructured.NestedSlice(class.Object, "spec", "amiSelectorTerms")
	if err != nil {
		return nil, fmt.Errorf("EC2NodeClass %s: spec.amiSelectorTerms: %w", class.GetName(), err)
	}
	out := make([]map[string]any, 0, len(raw))
	for _, t := range raw {
		m, ok := t.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("EC2NodeClass %s: spec.amiSelectorTerms holds %T, not a term", class.GetName(), t)
		}
		out = append(out, m)
	}
	return out, nil
}

// targetTerms are the terms that select the group's target: the
// channel's parameter when it follows one, else the AMI by ID.
func targetTerms(g *Group) []map[string]any {
	if g.SSMParameter != "" {
		return []map[string]any{{"ssmParameter": g.SSMParameter}}
	}
	return []map[string]any{{"id": g.Expect.AMI}}
}

func termsValue(terms []map[string]any) []any {
	out := make([]any, len(terms))
	for i, t := range terms {
		out[i] = t
	}
	return out
}

func termsJSON(terms []map[string]any) (string, error) {
	b, err := json.Marshal(terms)
	return string(b), err
}

func sameTerms(a, b []map[string]any) bool {
	ja, err1 := termsJSON(a)
	jb, err2 := termsJSON(b)
	return err1 == nil && err2 == nil && ja == jb
}

// familyOf is the class's amiFamily, or the family of its alias term.
func familyOf(class *unstructured.Unstructured, terms []map[string]any) string {
	if f, _, _ := unstructured.NestedString(class.Object, "spec", "amiFamily"); f != "" {
		return f
	}
	return aliasFamily(terms)
}

// aliasFamily is the amiFamily of an alias term ("windows2022@latest" is
// Windows2022), or "".
func aliasFamily(terms []map[string]any) string {
	for _, t := range terms {
		alias, _ := t["alias"].(string)
		name, _, _ := strings.Cut(alias, "@")
		for f := range windowsFamilies {
			if strings.EqualFold(f, name) {
				return f
			}
		}
		switch strings.ToLower(name) {
		case "al2":
			return "AL2"
		case "al2023":
			return "AL2023"
		case "bottlerocket":
			return "Bottlerocket"
		}
	}
	return ""
}

// describeTerms spells terms for the plan: [{alias: windows2022@latest}],
// [{id: ami-…}], [{ssmParameter: /winami/…}].
func describeTerms(terms []map[string]any) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		var fields []string
		for _, k := range slices.Sorted(maps.Keys(t)) {
			v := t[k]
			if m, ok := v.(map[string]any); ok {
				b, _ := json.Marshal(m)
				fields = append(fields, k+": "+string(b))
				continue
			}
			fields = append(fields, fmt.Sprintf("%s: %v", k, v))
		}
		parts[i] = "{" + strings.Join(fields, ", ") + "}"
	}
	return "[" + strings.Join(parts, " ") + "]"
}
