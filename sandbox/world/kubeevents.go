package world

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Watch event types, as the Kubernetes API streams them.
const (
	EventAdded    = "ADDED"
	EventModified = "MODIFIED"
	EventDeleted  = "DELETED"
)

// MaxKubeEvents is how many changes a cluster remembers for watches. A
// watch from an older resourceVersion is answered 410 Expired and the
// client lists again, as with the API server's watch cache (which keeps a
// bounded window of recent events too).
const MaxKubeEvents = 1000

// KubeEvent is one change of a cluster's Kubernetes objects. Every change
// takes the next resourceVersion of the cluster (one sequence for all
// resources, as etcd's revision is), so a watch resumes exactly after the
// last event it saw.
type KubeEvent struct {
	ResourceVersion int64  `json:"rv"`
	Type            string `json:"type"`     // ADDED, MODIFIED, DELETED
	Resource        string `json:"resource"` // "nodes", or a Karpenter resource's plural
	Name            string `json:"name"`
	// Node is a copy of the node after the change (before it, for DELETED).
	Node *Node `json:"node,omitempty"`
	// Pod is a copy of the pod likewise; Name is then its PodKey.
	Pod *Pod `json:"pod,omitempty"`
	// Object is the JSON of any other object after the change.
	Object json.RawMessage `json:"object,omitempty"`
	// PrevLabels are the object's labels before a MODIFIED change, so that a
	// watch with a label selector can tell "stopped matching" (sent as
	// DELETED) from "started matching" (sent as ADDED).
	PrevLabels map[string]string `json:"prevLabels,omitempty"`
}

// CurrentResourceVersion is the cluster's latest resourceVersion.
func (c *Cluster) CurrentResourceVersion() int64 {
	rv, _ := strconv.ParseInt(c.ResourceVersion, 10, 64)
	return rv
}

// OldestWatchable is the oldest resourceVersion a watch can start from:
// every change after it is still in the log.
func (c *Cluster) OldestWatchable() int64 {
	if c.WatchFrom > 0 {
		return c.WatchFrom
	}
	return c.seededWatchFrom()
}

// seededWatchFrom is where the history of a cluster that never changed
// starts.
func (c *Cluster) seededWatchFrom() int64 {
	// Nothing changed since the cluster was seeded: a watch may start from
	// any seeded object's resourceVersion (clients watch from a list's or
	// an object's), not from before them.
	oldest := c.CurrentResourceVersion()
	for _, n := range c.Nodes {
		if rv, err := strconv.ParseInt(n.ResourceVersion, 10, 64); err == nil && rv-1 < oldest {
			oldest = rv - 1
		}
	}
	if c.Karpenter != nil {
		for _, objs := range c.Karpenter.Objects {
			for _, raw := range objs {
				if rv, err := strconv.ParseInt(objectResourceVersion(raw), 10, 64); err == nil && rv-1 < oldest {
					oldest = rv - 1
				}
			}
		}
	}
	return oldest
}

// EventsSince are the changes after resourceVersion rv, oldest first; ok is
// false when some of them have left the log (rv is too old).
func (c *Cluster) EventsSince(rv int64) (events []KubeEvent, ok bool) {
	if rv < c.OldestWatchable() {
		return nil, false
	}
	i, _ := slices.BinarySearchFunc(c.Events, rv+1, func(e KubeEvent, v int64) int {
		return cmpInt64(e.ResourceVersion, v)
	})
	return c.Events[i:], true
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Record appends a change and gives it the cluster's next resourceVersion,
// which it returns; the log keeps the last MaxKubeEvents changes.
func (c *Cluster) Record(e KubeEvent) int64 {
	if c.WatchFrom == 0 {
		c.WatchFrom = c.seededWatchFrom()
	}
	rv := c.CurrentResourceVersion() + 1
	c.ResourceVersion = strconv.FormatInt(rv, 10)
	e.ResourceVersion = rv
	if len(c.Events) >= MaxKubeEvents {
		drop := len(c.Events) - MaxKubeEvents + 1
		c.WatchFrom = c.Events[drop-1].ResourceVersion
		c.Events = slices.Delete(c.Events, 0, drop)
	}
	c.Events = append(c.Events, e)
	return rv
}

// Node is the cluster's node of that name, or nil.
func (c *Cluster) Node(name string) *Node {
	if i, ok := c.nodeIndex(name); ok {
		return c.Nodes[i]
	}
	return nil
}

func (c *Cluster) nodeIndex(name string) (int, bool) {
	return slices.BinarySearchFunc(c.Nodes, name, func(n *Node, key string) int { return strings.Compare(n.Name, key) })
}

// PutNode adds the node, or replaces the node of the same name, and
// publishes the change to the cluster's watchers (ADDED or MODIFIED). It
// is how every part of the sandbox that changes nodes (node group updates,
// instance refreshes, Karpenter) must change them: a node changed in place
// is not seen by a watch. The node's resourceVersion is set; the cluster
// keeps n itself, so the caller must not change it afterwards except
// through another PutNode.
func (c *Cluster) PutNode(n *Node) {
	e := KubeEvent{Type: EventAdded, Resource: "nodes", Name: n.Name}
	i, found := c.nodeIndex(n.Name)
	if found {
		e.Type = EventModified
		e.PrevLabels = maps.Clone(c.Nodes[i].Labels)
	}
	e.Node = copyNode(n) // the rv is filled in below
	rv := c.Record(e)
	n.ResourceVersion = strconv.FormatInt(rv, 10)
	c.Events[len(c.Events)-1].Node.ResourceVersion = n.ResourceVersion
	if found {
		c.Nodes[i] = n
	} else {
		c.Nodes = slices.Insert(c.Nodes, i, n)
		c.addDaemonPods(n)
	}
}

// DeleteNode removes the named node and publishes DELETED; it reports
// whether there was such a node.
func (c *Cluster) DeleteNode(name string) bool {
	i, found := c.nodeIndex(name)
	if !found {
		return false
	}
	gone := copyNode(c.Nodes[i])
	rv := c.Record(KubeEvent{Type: EventDeleted, Resource: "nodes", Name: name, Node: gone})
	// A deleted object's last state carries the deletion's resourceVersion.
	gone.ResourceVersion = strconv.FormatInt(rv, 10)
	c.Nodes = slices.Delete(c.Nodes, i, i+1)
	c.evictPodsOf(name)
	return true
}

// copyNode is a copy of n that shares no map with it.
func copyNode(n *Node) *Node {
	cp := *n
	cp.Labels = maps.Clone(n.Labels)
	cp.Annotations = maps.Clone(n.Annotations)
	return &cp
}
