package world

import (
	"hash/fnv"
	"slices"
	"strconv"
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

// clone is a copy of the pod that shares no map or slice with it (the
// owner, never changed, is shared): the controller's next pod from the
// same template.
func (p *Pod) clone() *Pod {
	np := *p
	np.Labels = cloneMap(p.Labels)
	np.NodeSelector = cloneMap(p.NodeSelector)
	np.InitContainers = slices.Clone(p.InitContainers)
	np.Containers = slices.Clone(p.Containers)
	return &np
}

// sortPods sorts the cluster's pods by key, as the API server lists them.
func (c *Cluster) sortPods() {
	slices.SortFunc(c.Pods, func(a, b *Pod) int { return strings.Compare(a.Key(), b.Key()) })
}

// evictPodsOf is what happens to the pods of a node that left the
// cluster: the pod garbage collector deletes them; a bare pod and a
// DaemonSet's are gone for good, every other controller makes a new pod
// that the scheduler binds to another Ready, schedulable node of the same
// OS (the one with the fewest pods), or leaves Pending when there is none.
func (c *Cluster) evictPodsOf(node string) {
	var moved []*Pod
	c.Pods = slices.DeleteFunc(c.Pods, func(p *Pod) bool {
		if p.NodeName != node {
			return false
		}
		c.recordPod(EventDeleted, p)
		if p.Owner != nil && p.Owner.Kind != "DaemonSet" {
			moved = append(moved, p)
		}
		return true
	})
	// Each new pod goes in at its place in key order, so that the next
	// one's name check (a binary search in recreate) sees it, and every
	// pod after it.
	for _, p := range moved {
		np := c.recreate(p)
		c.recordPod(EventAdded, np)
		i, _ := c.podIndex(np.Namespace, np.Name)
		c.Pods = slices.Insert(c.Pods, i, np)
	}
}

// recordPod publishes a pod's creation (ADDED: the pod takes the change's
// resourceVersion) or deletion (DELETED: its last state carries it) to the
// cluster's watchers, as PutNode and DeleteNode publish a node's.
func (c *Cluster) recordPod(typ string, p *Pod) {
	cp := p.clone()
	rv := strconv.FormatInt(c.Record(KubeEvent{Type: typ, Resource: "pods", Name: p.Key(), Pod: cp}), 10)
	cp.ResourceVersion = rv
	if typ == EventAdded {
		p.ResourceVersion = rv
	}
}

// recreate is the pod p's controller makes in its place: a StatefulSet's
// keeps its name, the others get a new suffix. DeleteNode knows no clock,
// so the pod keeps p's creation time.
func (c *Cluster) recreate(p *Pod) *Pod {
	key := p.UID + "/" + p.NodeName
	np := p.clone()
	np.UID = uniqueUUID(key)
	np.ResourceVersion = c.ResourceVersion
	if p.Owner.Kind != "StatefulSet" {
		np.Name = p.Owner.Name + "-" + podSuffix(key)
		if _, taken := c.podIndex(np.Namespace, np.Name); taken {
			np.Name = p.Owner.Name + "-" + podSuffix(key+"#")
		}
	}
	np.NodeName, np.Phase = c.schedule(np.NodeSelector), "Running"
	if np.NodeName == "" {
		np.Phase = "Pending"
	}
	return np
}

// schedule picks the Ready, schedulable node matching the selector with
// the fewest pods (names break ties), or "" when there is none.
func (c *Cluster) schedule(selector map[string]string) string {
	count := map[string]int{}
	for _, p := range c.Pods {
		count[p.NodeName]++
	}
	best := ""
	for _, n := range c.Nodes {
		if !n.Ready || n.Unschedulable || !matches(n.Labels, selector) {
			continue
		}
		if best == "" || count[n.Name] < count[best] {
			best = n.Name
		}
	}
	return best
}

// addDaemonPods gives a node that joined the cluster a pod of every
// DaemonSet whose node selector it matches; the DaemonSets are known by
// their pods on the other nodes.
func (c *Cluster) addDaemonPods(n *Node) {
	seen := map[string]bool{}
	var added []*Pod
	for _, p := range c.Pods {
		if p.Owner == nil || p.Owner.Kind != "DaemonSet" || seen[p.Owner.UID] {
			continue
		}
		seen[p.Owner.UID] = true
		if p.NodeName == n.Name || !matches(n.Labels, p.NodeSelector) {
			continue
		}
		key := p.Owner.UID + "/" + n.Name
		np := p.clone()
		np.Name, np.UID = p.Owner.Name+"-"+podSuffix(key), uniqueUUID(key)
		np.NodeName, np.Phase, np.ResourceVersion = n.Name, "Running", c.ResourceVersion
		np.CreationTimestamp = n.CreationTimestamp
		c.recordPod(EventAdded, np)
		added = append(added, np)
	}
	if len(added) > 0 {
		c.Pods = append(c.Pods, added...)
		c.sortPods()
	}
}

func (c *Cluster) podIndex(namespace, name string) (int, bool) {
	return slices.BinarySearchFunc(c.Pods, PodKey(namespace, name), func(p *Pod, key string) int { return strings.Compare(p.Key(), key) })
}

func matches(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// nameSuffixAlphabet is the alphabet of the suffixes Kubernetes generates
// for names (no vowels, no look-alikes).
const nameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// podSuffix is the 5-character suffix of a generated pod name, derived
// from key.
func podSuffix(key string) string {
	const alphabet = nameSuffixAlphabet
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	v := h.Sum64()
	b := make([]byte, 5)
	for i := range b {
		b[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
	}
	return string(b)
}
