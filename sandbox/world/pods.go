package world

import (
	"slices"
	"strings"
	"time"
)

// Pod is a Kubernetes pod as the API server reports it, reduced to what the
// sandbox serves: where it runs, what it runs, and who owns it.
type Pod struct {
	Namespace         string            `json:"namespace"`
	Name              string            `json:"name"`
	UID               string            `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion"`
	CreationTimestamp time.Time         `json:"creationTimestamp"`
	Labels            map[string]string `json:"labels,omitempty"`
	// Owner is the controller that made the pod (metadata.ownerReferences,
	// controller: true), or nil for a bare pod.
	Owner    *OwnerRef `json:"owner,omitempty"`
	NodeName string    `json:"nodeName"`
	// NodeSelector is the pod's spec.nodeSelector (kubernetes.io/os for
	// the Windows pods, as Windows workloads must set it).
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	InitContainers []Container       `json:"initContainers,omitempty"`
	Containers     []Container       `json:"containers"`
	// Phase is status.phase: Running, or Succeeded for a finished Job's pod.
	Phase string `json:"phase"`
}

// OwnerRef is one metadata.ownerReferences entry.
type OwnerRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	UID        string `json:"uid"`
}

// Container is a container of a pod's spec.
type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"`
}

// PodKey is the pod's key in storage order: namespace, then name. Lists and
// continue tokens rely on it.
func PodKey(namespace, name string) string { return namespace + "/" + name }

// Key is the pod's PodKey.
func (p *Pod) Key() string { return PodKey(p.Namespace, p.Name) }

// sortPods sorts the cluster's pods by key, as the API server lists them.
func (c *Cluster) sortPods() {
	slices.SortFunc(c.Pods, func(a, b *Pod) int { return strings.Compare(a.Key(), b.Key()) })
}

// dropPodsOf removes the pods bound to a node that is gone: the pod
// garbage collector deletes them, and their controllers, if any, make new
// ones elsewhere (which the sandbox does not simulate).
func (c *Cluster) dropPodsOf(node string) {
	c.Pods = slices.DeleteFunc(c.Pods, func(p *Pod) bool { return p.NodeName == node })
}
