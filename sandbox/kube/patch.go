package kube

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"sigs.k8s.io/yaml"

	"github.com/winami/winami/sandbox/world"
)

// Patch content types, as the API server names them.
const (
	jsonPatchType      = "application/json-patch+json"
	mergePatchType     = "application/merge-patch+json"
	strategicPatchType = "application/strategic-merge-patch+json"
	applyPatchType     = "application/apply-patch+yaml"
)

// maxPatchBytes bounds a request body, as the API server bounds them (3 MiB).
const maxPatchBytes = 3 << 20

// patchObject is PATCH of a custom resource (or its status): JSON patch,
// JSON merge patch, or server-side apply, as for CRDs (strategic merge
// patch is refused: CRDs have no patch strategies). Managed fields are kept
// by apimachinery's field manager, the one the API server uses, so apply
// conflicts are reported as it reports them. A change to an EC2NodeClass
// is resolved at once, as Karpenter's controller would resolve it.
func (a *API) patchObject(w http.ResponseWriter, r *http.Request, region, cluster string, d crd, name, sub string) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case jsonPatchType, mergePatchType, applyPatchType:
	default:
		writeStatus(w, failure(http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType,
			fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: %s, %s, %s", jsonPatchType, mergePatchType, applyPatchType)))
		return
	}
	q := r.URL.Query()
	manager, force := q.Get("fieldManager"), q.Get("force") == "true"
	if mt == applyPatchType && manager == "" {
		writeStatus(w, invalidKind("PatchOptions", "meta.k8s.io", "", "fieldManager", "Required value: is required for apply patch"))
		return
	}
	if manager == "" {
		// The API server names a manager after the client's user agent.
		manager, _, _ = strings.Cut(r.UserAgent(), "/")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPatchBytes+1))
	if err != nil || len(body) > maxPatchBytes {
		writeStatus(w, failure(http.StatusRequestEntityTooLarge, metav1.StatusReasonRequestEntityTooLarge, "the request body is too large"))
		return
	}
	var reply json.RawMessage
	var st *metav1.Status
	found := false
	err = a.store.Update(func(wd *world.World) error {
		c := wd.Cluster(region, cluster)
		if c == nil {
			return nil
		}
		found = true
		reply, st = a.patched(wd, wd.Region(region), c, d, name, sub, mt, body, manager, force)
		if st != nil {
			return errors.New(st.Message) // nothing changes
		}
		return nil
	})
	switch {
	case !found:
		writeNotFoundPage(w)
	case st != nil:
		writeStatus(w, st)
	case err != nil:
		writeStatus(w, internalError(err))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(reply)
	}
}

// patched applies one patch to the stored object and stores the result.
func (a *API) patched(wd *world.World, region *world.Region, c *world.Cluster, d crd, name, sub, mt string, body []byte, manager string, force bool) (json.RawMessage, *metav1.Status) {
	gvk := schema.GroupVersionKind{Group: d.group, Version: "v1", Kind: d.kind}
	liveRaw := c.KubeObject(d.plural, name)
	if liveRaw == nil && (mt != applyPatchType || sub != "") {
		return nil, objectNotFound(d, name)
	}
	live := &unstructured.Unstructured{Object: map[string]any{}}
	if liveRaw != nil {
		if err := json.Unmarshal(liveRaw, &live.Object); err != nil {
			return nil, internalError(err)
		}
	} else {
		live.SetGroupVersionKind(gvk)
		live.SetName(name)
	}
	fm, err := managedfields.NewDefaultCRDFieldManager(managedfields.NewDeducedTypeConverter(), unstructuredScheme{}, unstructuredScheme{}, unstructuredScheme{}, gvk, gvk.GroupVersion(), sub, nil)
	if err != nil {
		return nil, internalError(err)
	}
	var out runtime.Object
	switch mt {
	case applyPatchType:
		applied := &unstructured.Unstructured{}
		js, err := yaml.YAMLToJSON(body)
		if err == nil {
			err = json.Unmarshal(js, &applied.Object)
		}
		if err != nil {
			return nil, badRequest(fmt.Sprintf("error decoding YAML: %v", err))
		}
		if applied.GetAPIVersion() != d.groupVersion() || applied.GetKind() != d.kind {
			return nil, badRequest(fmt.Sprintf("the API version in the data (%s) does not match the expected API version (%s)", applied.GetAPIVersion(), d.groupVersion()))
		}
		if applied.GetName() != name {
			return nil, badRequest("the name of the object (" + applied.GetName() + ") does not match the name on the URL (" + name + ")")
		}
		if out, err = fm.Apply(live, applied, manager, force); err != nil {
			return nil, statusOf(err)
		}
	default:
		var patchedJSON []byte
		if mt == mergePatchType {
			patchedJSON, err = jsonpatch.MergePatch(liveRaw, body)
		} else {
			var p jsonpatch.Patch
			if p, err = jsonpatch.DecodePatch(body); err == nil {
				patchedJSON, err = p.Apply(liveRaw)
			}
		}
		if err != nil {
			return nil, failure(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, err.Error())
		}
		next := &unstructured.Unstructured{}
		if err := json.Unmarshal(patchedJSON, &next.Object); err != nil {
			return nil, badRequest(err.Error())
		}
		if rv := next.GetResourceVersion(); rv != "" && rv != live.GetResourceVersion() {
			return nil, failure(http.StatusConflict, metav1.StatusReasonConflict, fmt.Sprintf(
				"Operation cannot be fulfilled on %s.%s %q: the object has been modified; please apply your changes to the latest version and try again", d.plural, d.group, name))
		}
		out = fm.UpdateNoErrors(live, next, manager)
	}
	obj := out.(*unstructured.Unstructured).Object
	keepServerFields(obj, live.Object, sub)
	if liveRaw == nil {
		// Apply created the object.
		meta := obj["metadata"].(map[string]any)
		meta["uid"] = newUID(d.plural + "/" + name + "/" + c.ResourceVersion)
		meta["creationTimestamp"] = a.now().UTC().Format(time.RFC3339)
	}
	if d.plural == world.ResourceEC2NodeClasses {
		world.ResolveNodeClassAMIs(wd, region, c, obj, a.now())
	}
	raw, err := c.PutKubeObject(d.plural, obj)
	if err != nil {
		return nil, internalError(err)
	}
	// Karpenter's controllers react to the change: its drift controller
	// looks for drifted claims (world.KarpenterController).
	c.WakeKarpenter(a.now(), a.rolloutPace)
	return raw, nil
}

// keepServerFields keeps what a client cannot change: identity and
// creation time; the status on a write of the main resource, everything
// but the status on a write of the status subresource. The generation
// moves on when the spec changed.
func keepServerFields(obj, live map[string]any, sub string) {
	meta, _ := obj["metadata"].(map[string]any)
	liveMeta, _ := live["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	for _, k := range []string{"uid", "creationTimestamp", "generation"} {
		if v, ok := liveMeta[k]; ok {
			meta[k] = v
		}
	}
	if sub == "status" {
		obj["spec"] = live["spec"]
		return
	}
	if live["status"] != nil {
		obj["status"] = live["status"]
	} else {
		delete(obj, "status")
	}
	gen, _ := liveMeta["generation"].(float64)
	if !reflect.DeepEqual(obj["spec"], live["spec"]) || gen == 0 {
		meta["generation"] = gen + 1
	}
}

func statusOf(err error) *metav1.Status {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		s := se.Status()
		s.TypeMeta = metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}
		return &s
	}
	return internalError(err)
}

// invalidKind is the API server's 422 for an invalid object of a kind.
func invalidKind(kind, group, name, field, detail string) *metav1.Status {
	msg := fmt.Sprintf("%s.%s %q is invalid: %s: %s", kind, group, name, field, detail)
	s := failure(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, msg)
	s.Details = &metav1.StatusDetails{Name: name, Group: group, Kind: kind,
		Causes: []metav1.StatusCause{{Type: metav1.CauseType("FieldValueRequired"), Message: detail, Field: field}}}
	return s
}

// unstructuredScheme is the one-version, no-defaults scheme of custom
// resources the field manager needs.
type unstructuredScheme struct{}

func (unstructuredScheme) New(gvk schema.GroupVersionKind) (runtime.Object, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

func (unstructuredScheme) Default(runtime.Object) {}

func (unstructuredScheme) Convert(in, out, _ any) error {
	src, ok1 := in.(*unstructured.Unstructured)
	dst, ok2 := out.(*unstructured.Unstructured)
	if !ok1 || !ok2 {
		return fmt.Errorf("cannot convert %T to %T", in, out)
	}
	dst.Object = runtime.DeepCopyJSON(src.Object)
	return nil
}

func (unstructuredScheme) ConvertToVersion(in runtime.Object, _ runtime.GroupVersioner) (runtime.Object, error) {
	return in, nil
}

func (unstructuredScheme) ConvertFieldLabel(_ schema.GroupVersionKind, label, value string) (string, string, error) {
	return label, value, nil
}

// newUID is a version 4 UUID drawn from key (the object and the cluster's
// resourceVersion, which differ for every creation): the sandbox draws no
// randomness outside its seed.
func newUID(key string) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(key))
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
