package kube

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/winami/winami/sandbox/world"
)

// crd is one of the custom resources the sandbox serves, as Karpenter's
// CRDs define them (karpenter-provider-aws, pkg/apis/crds): cluster-scoped,
// version v1, in the category "karpenter", with a status subresource.
type crd struct {
	group, kind, plural, singular string
	shortNames                    []string
}

func (d crd) groupVersion() string { return d.group + "/v1" }

// karpenterCRDs are Karpenter v1's resources.
var karpenterCRDs = []crd{
	{group: world.KarpenterAWSGroup, kind: "EC2NodeClass", plural: world.ResourceEC2NodeClasses, singular: "ec2nodeclass", shortNames: []string{"ec2nc", "ec2ncs"}},
	{group: world.KarpenterGroup, kind: "NodePool", plural: world.ResourceNodePools, singular: "nodepool"},
	{group: world.KarpenterGroup, kind: "NodeClaim", plural: world.ResourceNodeClaims, singular: "nodeclaim"},
}

// crdPath reads "/apis/<group>/v1/<plural>[/<name>[/status]]".
func crdPath(path string) (d crd, name, sub string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/apis/")
	if !ok {
		return crd{}, "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 3 || len(parts) > 5 || parts[1] != "v1" {
		return crd{}, "", "", false
	}
	for _, c := range karpenterCRDs {
		if c.group == parts[0] && c.plural == parts[2] {
			d, ok = c, true
		}
	}
	if !ok {
		return crd{}, "", "", false
	}
	if len(parts) > 3 {
		name = parts[3]
	}
	if len(parts) == 5 {
		if sub = parts[4]; sub != "status" {
			return crd{}, "", "", false
		}
	}
	return d, name, sub, name != "" || sub == ""
}

// groupsOf are the API groups of the custom resources, in order.
func groupsOf() []string { return []string{world.KarpenterGroup, world.KarpenterAWSGroup} }

func apiGroup(name string) metav1.APIGroup {
	gv := metav1.GroupVersionForDiscovery{GroupVersion: name + "/v1", Version: "v1"}
	return metav1.APIGroup{TypeMeta: metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: name,
		Versions: []metav1.GroupVersionForDiscovery{gv}, PreferredVersion: gv}
}

// groupResources is GET /apis/<group>/v1: the group's resources and their
// status subresources, with the verbs the sandbox serves.
func groupResources(group string) (metav1.APIResourceList, bool) {
	list := metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: group + "/v1"}
	for _, d := range karpenterCRDs {
		if d.group != group {
			continue
		}
		list.APIResources = append(list.APIResources,
			metav1.APIResource{Name: d.plural, SingularName: d.singular, Kind: d.kind, ShortNames: d.shortNames,
				Categories: []string{"karpenter"}, Verbs: metav1.Verbs{"get", "list", "patch", "watch"}},
			metav1.APIResource{Name: d.plural + "/status", Kind: d.kind, Verbs: metav1.Verbs{"get", "patch"}})
	}
	return list, len(list.APIResources) > 0
}

// serveDiscovery answers the named groups' discovery paths; false when path
// is not one.
func serveDiscovery(w http.ResponseWriter, path string) bool {
	for _, g := range groupsOf() {
		switch path {
		case "/apis/" + g:
			writeJSON(w, http.StatusOK, apiGroup(g))
			return true
		case "/apis/" + g + "/v1":
			list, _ := groupResources(g)
			writeJSON(w, http.StatusOK, list)
			return true
		}
	}
	return false
}

func objectNotFound(d crd, name string) *metav1.Status {
	s := failure(http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("%s.%s %q not found", d.plural, d.group, name))
	s.Details = &metav1.StatusDetails{Name: name, Group: d.group, Kind: d.plural}
	return s
}

// getObject is GET of one object (or its status subresource, the same).
func getObject(w http.ResponseWriter, c *world.Cluster, d crd, name string, m media, now time.Time) {
	raw := c.KubeObject(d.plural, name)
	if raw == nil {
		writeStatus(w, objectNotFound(d, name))
		return
	}
	if m == mediaTable {
		writeCRDTable(w, d, objectRV(raw), []json.RawMessage{raw}, now)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}

// listObjects is GET of a collection, with labelSelector and the
// metadata.name field selector. The collections are small: one page.
func listObjects(w http.ResponseWriter, r *http.Request, c *world.Cluster, d crd, m media, now time.Time) {
	q := r.URL.Query()
	selector, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		writeStatus(w, badRequest(err.Error()))
		return
	}
	only, st := nameFieldSelector(q.Get("fieldSelector"))
	if st != nil {
		writeStatus(w, st)
		return
	}
	items := []json.RawMessage{}
	for _, name := range c.KubeObjectNames(d.plural) {
		raw := c.KubeObject(d.plural, name)
		if (only == "" || name == only) && selector.Matches(labels.Set(world.ObjectLabels(raw))) {
			items = append(items, raw)
		}
	}
	if m == mediaTable {
		writeCRDTable(w, d, c.ResourceVersion, items, now)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"apiVersion": d.groupVersion(), "kind": d.kind + "List",
		"metadata": map[string]any{"resourceVersion": c.ResourceVersion, "continue": ""},
		"items":    items,
	})
}

// crdWatch is the watch of a custom resource.
func crdWatch(d crd) watchable {
	return watchable{
		resource: d.plural, kind: d.kind, apiVersion: d.groupVersion(),
		current: func(c *world.Cluster) []world.KubeEvent {
			var evs []world.KubeEvent
			for _, name := range c.KubeObjectNames(d.plural) {
				evs = append(evs, world.KubeEvent{Type: world.EventAdded, Resource: d.plural, Name: name, Object: c.KubeObject(d.plural, name)})
			}
			return evs
		},
		encode: func(e world.KubeEvent, _ *nodeImages, _ time.Time) []byte { return e.Object },
		table: func(e world.KubeEvent, now time.Time) any {
			return crdTable(d, objectRV(e.Object), []json.RawMessage{e.Object}, now)
		},
	}
}

// objectRV is metadata.resourceVersion of an object's JSON.
func objectRV(raw []byte) string {
	var o struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.Metadata.ResourceVersion
}
