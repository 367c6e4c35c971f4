package world

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// The drift controller's reading and writing of Karpenter objects, which
// the cluster keeps as JSON (karpenter.go).

// claimInfo is what the drift controller reads of a NodeClaim.
type claimInfo struct {
	Name, Pool, NodeClass string
	ProviderID, NodeName  string
	ImageID               string
	Initialized, Deleting bool
	// DriftedSet: the claim has the Drifted condition.
	DriftedSet bool
}

// readClaims are the cluster's NodeClaims by name.
func readClaims(c *Cluster) map[string]*claimInfo {
	out := map[string]*claimInfo{}
	for _, name := range c.KubeObjectNames(ResourceNodeClaims) {
		var o struct {
			Metadata struct {
				Labels            map[string]string `json:"labels"`
				DeletionTimestamp string            `json:"deletionTimestamp"`
			} `json:"metadata"`
			Spec struct {
				NodeClassRef struct {
					Name string `json:"name"`
				} `json:"nodeClassRef"`
			} `json:"spec"`
			Status struct {
				ProviderID string           `json:"providerID"`
				NodeName   string           `json:"nodeName"`
				ImageID    string           `json:"imageID"`
				Conditions []map[string]any `json:"conditions"`
			} `json:"status"`
		}
		if json.Unmarshal(c.KubeObject(ResourceNodeClaims, name), &o) != nil {
			continue
		}
		cl := &claimInfo{Name: name, Pool: o.Metadata.Labels["karpenter.sh/nodepool"], NodeClass: o.Spec.NodeClassRef.Name,
			ProviderID: o.Status.ProviderID, NodeName: o.Status.NodeName, ImageID: o.Status.ImageID,
			Deleting: o.Metadata.DeletionTimestamp != ""}
		for _, cd := range o.Status.Conditions {
			switch cd["type"] {
			case "Initialized":
				cl.Initialized = cd["status"] == "True"
			case DriftedCondition:
				cl.DriftedSet = true
			}
		}
		out[name] = cl
	}
	return out
}

// nodeClass is what the drift controller reads of an EC2NodeClass.
type nodeClass struct {
	Generation string
	AMIs       []ResolvedAMI
}

func readNodeClass(c *Cluster, name string) nodeClass {
	var o struct {
		Metadata struct {
			Generation json.Number `json:"generation"`
		} `json:"metadata"`
		Status struct {
			AMIs []ResolvedAMI `json:"amis"`
		} `json:"status"`
	}
	_ = json.Unmarshal(c.KubeObject(ResourceEC2NodeClasses, name), &o)
	return nodeClass{Generation: o.Metadata.Generation.String(), AMIs: o.Status.AMIs}
}

// chooseAMI is the AMI Karpenter launches a replacement of node n from:
// the first (newest) of the class's AMIs whose requirements the node's
// OS and architecture meet; "" when there is none.
func (nc nodeClass) chooseAMI(n *Node) string {
	for _, a := range nc.AMIs {
		ok := true
		for _, req := range a.Requirements {
			if v, has := nodeLabel(n, req.Key); has && req.Operator == "In" && !slices.Contains(req.Values, v) &&
				req.Key != "node.kubernetes.io/windows-build" { // a new build is what a drift brings
				ok = false
			}
		}
		if ok {
			return a.ID
		}
	}
	return ""
}

func nodeLabel(n *Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	v, ok := n.Labels[key]
	return v, ok
}

// markDrifted sets or clears a claim's Drifted condition, as Karpenter's
// NodeClaim disruption controller does; only initialized claims drift.
func markDrifted(c *Cluster, cl *claimInfo, drifted bool, at time.Time) {
	if drifted == cl.DriftedSet || drifted && (!cl.Initialized || cl.Deleting) {
		return
	}
	updateClaim(c, cl.Name, func(obj map[string]any) {
		status, _ := obj["status"].(map[string]any)
		conds, _ := status["conditions"].([]any)
		conds = slices.DeleteFunc(conds, func(cd any) bool {
			m, _ := cd.(map[string]any)
			return m["type"] == DriftedCondition
		})
		if drifted {
			conds = append(conds, condition(DriftedCondition, "True", AMIDriftReason, "", at))
		}
		status["conditions"] = conds
	})
}

func condition(typ, status, reason, message string, at time.Time) map[string]any {
	return map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
		"lastTransitionTime": at.UTC().Format(time.RFC3339), "observedGeneration": 1}
}

// setCondition sets a condition of obj's status, moving its transition
// time only when its status changes.
func setCondition(obj map[string]any, typ, status, reason, message string, at time.Time) {
	st, _ := obj["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
		obj["status"] = st
	}
	conds, _ := st["conditions"].([]any)
	for _, cd := range conds {
		if m, ok := cd.(map[string]any); ok && m["type"] == typ {
			if m["status"] != status {
				m["lastTransitionTime"] = at.UTC().Format(time.RFC3339)
			}
			m["status"], m["reason"], m["message"] = status, reason, message
			return
		}
	}
	st["conditions"] = append(conds, condition(typ, status, reason, message, at))
}

// updateClaim changes a stored claim through PutKubeObject (so that
// watches see it).
func updateClaim(c *Cluster, name string, change func(obj map[string]any)) {
	var obj map[string]any
	if json.Unmarshal(c.KubeObject(ResourceNodeClaims, name), &obj) != nil || obj == nil {
		return
	}
	if obj["status"] == nil {
		obj["status"] = map[string]any{}
	}
	change(obj)
	_, _ = c.PutKubeObject(ResourceNodeClaims, obj)
}

// initializeClaim: the claim's node is Ready, so is the claim.
func initializeClaim(c *Cluster, name string, at time.Time) {
	nodeName := nodeNameOf(c, name)
	if n := c.Node(nodeName); n != nil {
		n = copyNode(n)
		n.Ready, n.ReadySince = true, at
		n.Labels["karpenter.sh/initialized"] = "true"
		c.PutNode(n)
	}
	updateClaim(c, name, func(obj map[string]any) {
		meta, _ := obj["metadata"].(map[string]any)
		if labels, ok := meta["labels"].(map[string]any); ok {
			labels["karpenter.sh/initialized"] = "true"
		}
		setCondition(obj, "Initialized", "True", "Initialized", "", at)
		setCondition(obj, "Ready", "True", "Ready", "", at)
	})
}

// deleteClaimAt marks a claim deleted (its finalizer holds it while the
// node drains).
func deleteClaimAt(c *Cluster, name string, at time.Time) {
	updateClaim(c, name, func(obj map[string]any) {
		meta, _ := obj["metadata"].(map[string]any)
		meta["deletionTimestamp"] = at.UTC().Format(time.RFC3339)
		meta["deletionGracePeriodSeconds"] = 0
	})
}

func nodeNameOf(c *Cluster, claim string) string {
	var o struct {
		Status struct {
			NodeName string `json:"nodeName"`
		} `json:"status"`
	}
	_ = json.Unmarshal(c.KubeObject(ResourceNodeClaims, claim), &o)
	return o.Status.NodeName
}

func instanceIDOf(providerID string) string {
	return providerID[strings.LastIndexByte(providerID, '/')+1:]
}

// generatedNameChars are the characters the API server draws a
// metadata.generateName suffix from.
const generatedNameChars = "bcdfghjklmnpqrstvwxz2456789"

// claimName is a new NodeClaim's name, "<pool>-<5 characters>", as the API
// server makes it from Karpenter's generateName "<pool>-"; drawn from key,
// since the sandbox draws no randomness outside its seed.
func claimName(c *Cluster, pool, key string) string {
	for i := 0; ; i++ {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s#%d", key, i)
		v := h.Sum64()
		var b strings.Builder
		b.WriteString(pool + "-")
		for range 5 {
			b.WriteByte(generatedNameChars[v%uint64(len(generatedNameChars))])
			v /= uint64(len(generatedNameChars))
		}
		if c.KubeObject(ResourceNodeClaims, b.String()) == nil {
			return b.String()
		}
	}
}

// launchClaim launches the replacement of claim old from img: a new
// instance like the old one, its node (registered, not Ready) and its
// NodeClaim (Launched and Registered, not Initialized). It returns the new
// claim's name and instance ID.
func launchClaim(w *World, r *Region, c *Cluster, old *claimInfo, oldInst *Instance, img *Image, at time.Time) (string, string) {
	key := c.Name + "/" + old.Name + "/" + at.Format(time.RFC3339Nano)
	name := claimName(c, old.Pool, key)
	inst := *oldInst
	inst.Tags = cloneMap(oldInst.Tags)
	inst.InstanceID = uniqueID("i", key, func(id string) bool { return w.Instance(r.Name, id) != nil })
	inst.ReservationID = uniqueID("r", key, func(string) bool { return false })
	inst.ImageID, inst.Platform, inst.LaunchTime, inst.State = img.ImageID, img.Platform, at, "running"
	inst.PrivateIP = freeIP(w, r, c, oldInst.PrivateIP, inst.InstanceID)
	inst.PrivateDNSName = privateDNS(r.Name, inst.PrivateIP)
	inst.Tags["karpenter.sh/nodeclaim"] = name
	inst.Tags["Name"] = old.Pool + "/" + name
	r.addInstance(w, &inst)

	n := newNodeFrom(c.Node(old.NodeName), &inst, img, w, r.Name)
	n.CreationTimestamp, n.ReadySince = at, at
	delete(n.Labels, "karpenter.sh/initialized")
	c.PutNode(n)

	var obj map[string]any
	_ = json.Unmarshal(c.KubeObject(ResourceNodeClaims, old.Name), &obj)
	meta, _ := obj["metadata"].(map[string]any)
	labels := map[string]any{}
	for k, v := range n.Labels {
		labels[k] = v
	}
	claim := map[string]any{
		"apiVersion": KarpenterGroup + "/v1", "kind": "NodeClaim",
		"metadata": map[string]any{"name": name, "uid": uniqueUUID(key), "generation": 1,
			"creationTimestamp": at.UTC().Format(time.RFC3339), "labels": labels,
			"annotations": meta["annotations"], "finalizers": []any{"karpenter.sh/termination"},
			"ownerReferences": meta["ownerReferences"]},
		"spec": obj["spec"],
		"status": map[string]any{
			"providerID": n.ProviderID, "nodeName": n.Name, "imageID": img.ImageID,
			"capacity":    map[string]any{"cpu": n.CPU, "memory": n.Memory, "pods": n.Pods},
			"allocatable": map[string]any{"cpu": n.CPU, "memory": n.Memory, "pods": n.Pods},
			"conditions": []any{
				condition("Launched", "True", "Launched", "", at),
				condition("Registered", "True", "Registered", "", at),
				condition("Initialized", "Unknown", "NotInitialized", "Node not initialized", at),
				condition("Ready", "Unknown", "UnhealthyDependents", "Initialized=Unknown", at),
			},
		},
	}
	_, _ = c.PutKubeObject(ResourceNodeClaims, claim)
	return name, inst.InstanceID
}
