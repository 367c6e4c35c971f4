package world

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Karpenter resources the sandbox's Kubernetes API serves (plural names).
const (
	ResourceEC2NodeClasses = "ec2nodeclasses" // karpenter.k8s.aws/v1 EC2NodeClass
	ResourceNodePools      = "nodepools"      // karpenter.sh/v1 NodePool
	ResourceNodeClaims     = "nodeclaims"     // karpenter.sh/v1 NodeClaim
)

// Karpenter holds a cluster's Karpenter objects by resource and name, each
// as the JSON the API server returns (metadata, spec, status): they are
// custom resources, schemaless to the sandbox, as they are to an API server
// storing CRDs.
type Karpenter struct {
	Objects map[string]map[string]json.RawMessage `json:"objects"`
	// Controller is the drift controller's state (karpenter_drift.go).
	Controller *KarpenterController `json:"controller,omitempty"`
}

// KubeObject is the JSON of a Karpenter object, or nil.
func (c *Cluster) KubeObject(resource, name string) json.RawMessage {
	if c.Karpenter == nil {
		return nil
	}
	return c.Karpenter.Objects[resource][name]
}

// KubeObjectNames are the names of a resource's objects, sorted.
func (c *Cluster) KubeObjectNames(resource string) []string {
	if c.Karpenter == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.Karpenter.Objects[resource]))
}

// PutKubeObject stores obj (a decoded JSON object with metadata.name) with
// the cluster's next resourceVersion and publishes ADDED or MODIFIED to its
// watchers. It returns the stored JSON.
func (c *Cluster) PutKubeObject(resource string, obj map[string]any) (json.RawMessage, error) {
	return c.putKubeObject(resource, obj, true)
}

func (c *Cluster) putKubeObject(resource string, obj map[string]any, publish bool) (json.RawMessage, error) {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("a %s object without metadata.name", resource)
	}
	if c.Karpenter == nil {
		c.Karpenter = &Karpenter{Objects: map[string]map[string]json.RawMessage{}}
	}
	if c.Karpenter.Objects[resource] == nil {
		c.Karpenter.Objects[resource] = map[string]json.RawMessage{}
	}
	old := c.Karpenter.Objects[resource][name]
	e := KubeEvent{Type: EventAdded, Resource: resource, Name: name}
	if old != nil {
		e.Type = EventModified
		e.PrevLabels = ObjectLabels(old)
	}
	rv := c.CurrentResourceVersion() + 1
	meta["resourceVersion"] = strconv.FormatInt(rv, 10)
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", resource, name, err)
	}
	if publish {
		e.Object = raw
		c.Record(e)
	} else {
		c.ResourceVersion = strconv.FormatInt(rv, 10)
	}
	c.Karpenter.Objects[resource][name] = raw
	return raw, nil
}

// DeleteKubeObject removes an object and publishes DELETED; it reports
// whether there was one.
func (c *Cluster) DeleteKubeObject(resource, name string) bool {
	old := c.KubeObject(resource, name)
	if old == nil {
		return false
	}
	var obj map[string]any
	if json.Unmarshal(old, &obj) == nil {
		if meta, ok := obj["metadata"].(map[string]any); ok {
			meta["resourceVersion"] = strconv.FormatInt(c.CurrentResourceVersion()+1, 10)
		}
		old, _ = json.Marshal(obj)
	}
	c.Record(KubeEvent{Type: EventDeleted, Resource: resource, Name: name, Object: old})
	delete(c.Karpenter.Objects[resource], name)
	return true
}

// ObjectLabels are metadata.labels of an object's JSON.
func ObjectLabels(raw []byte) map[string]string {
	var o struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.Metadata.Labels
}

// ResolveNodeClassAMIs does what Karpenter's EC2NodeClass controller does
// when a node class changes: it resolves spec.amiSelectorTerms against the
// region and sets status.amis (and the AMIsReady condition's status) in obj,
// a decoded EC2NodeClass.
func ResolveNodeClassAMIs(w *World, r *Region, c *Cluster, obj map[string]any, now time.Time) {
	spec, _ := obj["spec"].(map[string]any)
	var terms []AMISelectorTerm
	raw, _ := json.Marshal(spec["amiSelectorTerms"])
	_ = json.Unmarshal(raw, &terms)
	amis, err := ResolveAMISelectorTerms(w, r, c.Version, terms, now)
	status, _ := obj["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
		obj["status"] = status
	}
	status["amis"] = toJSONValue(amis)
	state, reason, message := "True", "AMIsReady", ""
	if err != nil || len(amis) == 0 {
		state, reason, message = "False", "AMINotFound", "AMISelector did not match any AMIs"
		if err != nil {
			message = err.Error()
		}
	}
	conds, _ := status["conditions"].([]any)
	for _, cd := range conds {
		if m, ok := cd.(map[string]any); ok && m["type"] == "AMIsReady" {
			if m["status"] != state {
				m["lastTransitionTime"] = now.UTC().Format(time.RFC3339)
			}
			m["status"], m["reason"], m["message"] = state, reason, message
		}
	}
}

// DriftedNodeClaims are the names of the cluster's NodeClaims whose image
// is not among their EC2NodeClass's status.amis: what Karpenter marks
// Drifted and replaces, within the NodePool's disruption budgets (the
// sandbox's drift controller, karpenter_drift.go).
func DriftedNodeClaims(c *Cluster) []string {
	var drifted []string
	for _, name := range c.KubeObjectNames(ResourceNodeClaims) {
		var claim struct {
			Spec struct {
				NodeClassRef struct {
					Name string `json:"name"`
				} `json:"nodeClassRef"`
			} `json:"spec"`
			Status struct {
				ImageID string `json:"imageID"`
			} `json:"status"`
		}
		if json.Unmarshal(c.KubeObject(ResourceNodeClaims, name), &claim) != nil || claim.Status.ImageID == "" {
			continue
		}
		var class struct {
			Status struct {
				AMIs []ResolvedAMI `json:"amis"`
			} `json:"status"`
		}
		raw := c.KubeObject(ResourceEC2NodeClasses, claim.Spec.NodeClassRef.Name)
		if raw == nil || json.Unmarshal(raw, &class) != nil {
			continue
		}
		if !slices.ContainsFunc(class.Status.AMIs, func(a ResolvedAMI) bool { return a.ID == claim.Status.ImageID }) {
			drifted = append(drifted, name)
		}
	}
	return drifted
}

func objectResourceVersion(raw []byte) string {
	var o struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.Metadata.ResourceVersion
}
