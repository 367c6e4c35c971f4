package kube

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/winami/winami/sandbox/world"
)

// The wire shape of a v1 Pod, reduced to what the world keeps: metadata
// with the owner, the node and the containers' images, the phase.
type podJSON struct {
	Kind       string        `json:"kind,omitempty"`
	APIVersion string        `json:"apiVersion,omitempty"`
	Metadata   podMetaJSON   `json:"metadata"`
	Spec       podSpecJSON   `json:"spec"`
	Status     podStatusJSON `json:"status"`
}

type podMetaJSON struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	UID               string            `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion"`
	CreationTimestamp string            `json:"creationTimestamp"`
	Labels            map[string]string `json:"labels,omitempty"`
	OwnerReferences   []ownerRefJSON    `json:"ownerReferences,omitempty"`
}

type ownerRefJSON struct {
	APIVersion         string `json:"apiVersion"`
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         bool   `json:"controller"`
	BlockOwnerDeletion bool   `json:"blockOwnerDeletion"`
}

type podSpecJSON struct {
	NodeName       string            `json:"nodeName,omitempty"`
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	InitContainers []containerJSON   `json:"initContainers,omitempty"`
	Containers     []containerJSON   `json:"containers"`
	RestartPolicy  string            `json:"restartPolicy"`
	SchedulerName  string            `json:"schedulerName"`
}

type containerJSON struct {
	Name  string `json:"name"`
	Image string `json:"image"`
}

type podStatusJSON struct {
	Phase     string `json:"phase"`
	StartTime string `json:"startTime,omitempty"`
}

type podListJSON struct {
	Kind       string       `json:"kind"`
	APIVersion string       `json:"apiVersion"`
	Metadata   listMetaJSON `json:"metadata"`
	Items      []podJSON    `json:"items"`
}

func toPod(p *world.Pod) podJSON {
	out := podJSON{
		Metadata: podMetaJSON{Name: p.Name, Namespace: p.Namespace, UID: p.UID, ResourceVersion: p.ResourceVersion,
			CreationTimestamp: rfc3339(p.CreationTimestamp), Labels: p.Labels},
		Spec: podSpecJSON{NodeName: p.NodeName, NodeSelector: p.NodeSelector, RestartPolicy: "Always", SchedulerName: "default-scheduler"},
		// A seeded pod started as it was created.
		Status: podStatusJSON{Phase: p.Phase, StartTime: rfc3339(p.CreationTimestamp)},
	}
	if o := p.Owner; o != nil {
		out.Metadata.OwnerReferences = []ownerRefJSON{{APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name, UID: o.UID,
			Controller: true, BlockOwnerDeletion: true}}
		if o.Kind == "Job" {
			out.Spec.RestartPolicy = "Never"
		}
	}
	for _, c := range p.InitContainers {
		out.Spec.InitContainers = append(out.Spec.InitContainers, containerJSON(c))
	}
	for _, c := range p.Containers {
		out.Spec.Containers = append(out.Spec.Containers, containerJSON(c))
	}
	return out
}

// podPath reads the pod paths: /api/v1/pods (every namespace),
// /api/v1/namespaces/{ns}/pods and /api/v1/namespaces/{ns}/pods/{name}.
func podPath(path string) (namespace, name string, ok bool) {
	if path == "/api/v1/pods" {
		return "", "", true
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/namespaces/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] == "pods":
		return parts[0], "", true
	case len(parts) == 3 && parts[0] != "" && parts[1] == "pods" && parts[2] != "":
		return parts[0], parts[2], true
	}
	return "", "", false
}

func isPodPath(path string) bool {
	_, _, ok := podPath(path)
	return ok
}

// podFieldLabels are the fields the API server lets pods be selected by.
var podFieldLabels = []string{"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
	"spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}

// podFields are a pod's values of the selectable fields.
func podFields(p podJSON) fields.Set {
	return fields.Set{
		"metadata.name": p.Metadata.Name, "metadata.namespace": p.Metadata.Namespace, "spec.nodeName": p.Spec.NodeName,
		"spec.restartPolicy": p.Spec.RestartPolicy, "spec.schedulerName": p.Spec.SchedulerName,
		"spec.serviceAccountName": "default", "spec.hostNetwork": "false", "status.phase": p.Status.Phase,
		"status.podIP": "", "status.nominatedNodeName": "",
	}
}

// listPods is GET of the pods of one namespace, or of all, with
// fieldSelector, labelSelector, limit and continue, as for nodes.
func (a *API) listPods(w http.ResponseWriter, r *http.Request, c *world.Cluster, namespace string) {
	q := r.URL.Query()
	fsel, st := fieldSelectorOf(q.Get("fieldSelector"), podFieldLabels)
	if st != nil {
		writeStatus(w, st)
		return
	}
	lq, st := readListQuery(q)
	if st != nil {
		writeStatus(w, st)
		return
	}
	lsel, limit := lq.labels, lq.limit
	// Storage order is namespace/name: a namespace's pods are one run.
	prefix := ""
	if namespace != "" {
		prefix = namespace + "/"
	}
	start, _ := podAt(c, prefix)
	if lq.start != "" {
		start, _ = podAt(c, lq.start)
	}
	end := start
	for end < len(c.Pods) && strings.HasPrefix(c.Pods[end].Key(), prefix) {
		end++
	}
	var items []podJSON
	var last string
	i := start
	for ; i < end; i++ {
		if limit > 0 && len(items) == limit {
			break
		}
		p := c.Pods[i]
		last = p.Key()
		if orphaned(c, p) {
			continue
		}
		pj := toPod(p)
		if lsel.Matches(labels.Set(p.Labels)) && fsel.Matches(podFields(pj)) {
			items = append(items, pj)
		}
	}
	meta := listMetaJSON{ResourceVersion: c.ResourceVersion}
	if i < end && limit > 0 {
		meta.Continue = encodeContinue(c.CurrentResourceVersion(), last)
		if lsel.Empty() && fsel.Empty() {
			remaining := int64(end - i)
			meta.RemainingItemCount = &remaining
		}
	}
	if items == nil {
		items = []podJSON{}
	}
	writeJSON(w, http.StatusOK, podListJSON{Kind: "PodList", APIVersion: "v1", Metadata: meta, Items: items})
}

// getPod is GET /api/v1/namespaces/{ns}/pods/{name}.
func (a *API) getPod(w http.ResponseWriter, c *world.Cluster, namespace, name string) {
	i, found := podAt(c, world.PodKey(namespace, name))
	if !found || orphaned(c, c.Pods[i]) {
		s := failure(http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("pods %q not found", name))
		s.Details = &metav1.StatusDetails{Name: name, Kind: "pods"}
		writeStatus(w, s)
		return
	}
	p := toPod(c.Pods[i])
	p.Kind, p.APIVersion = "Pod", "v1"
	writeJSON(w, http.StatusOK, p)
}

// podAt is the index of the first of c's pods at or after key in storage
// order (world.PodKey), and whether that pod's key is key.
func podAt(c *world.Cluster, key string) (int, bool) {
	return slices.BinarySearchFunc(c.Pods, key, func(p *world.Pod, key string) int { return strings.Compare(p.Key(), key) })
}

// orphaned reports a pod bound to a node that is gone: it is gone too (the
// pod garbage collector's work), however the node went, and is neither
// listed, got nor watched.
func orphaned(c *world.Cluster, p *world.Pod) bool {
	return p.NodeName != "" && c.Node(p.NodeName) == nil
}

// podsResource is the pods' entry of GET /api/v1.
var podsResource = metav1.APIResource{Name: "pods", SingularName: "pod", Namespaced: true, Kind: "Pod",
	Verbs: metav1.Verbs{"get", "list", "watch"}, ShortNames: []string{"po"}, Categories: []string{"all"}}
