package world

import (
	"encoding/json"
	"time"
)

// Karpenter API groups and versions.
const (
	KarpenterGroup    = "karpenter.sh"
	KarpenterAWSGroup = "karpenter.k8s.aws"
)

// seedKarpenter gives the demo cluster Karpenter's objects for its
// Karpenter node: the EC2NodeClass "windows" (its AMI pinned by ID to the
// October AMI the node runs, which is why nothing replaced it), the
// NodePool "windows" that uses it, with disruption budgets, and the
// NodeClaim of the node. It draws from its own random stream, so the rest
// of the world is seeded as before.
func seedKarpenter(w *World, r *Region, g *gen, c *Cluster, node *Node, inst *Instance) {
	kg := g.stream(w.Seed, r.Name+"/karpenter/"+c.Name)
	created := time.Date(2026, time.October, 2, 11, 0, 0, 0, time.UTC).Add(kg.jitter(0, time.Hour))
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	ready := func(t time.Time, types ...string) []any {
		var out []any
		for _, typ := range types {
			out = append(out, map[string]any{"type": typ, "status": "True", "reason": typ, "message": "",
				"lastTransitionTime": ts(t), "observedGeneration": 1})
		}
		return out
	}
	pool := DemoKarpenterNodePool
	terms := []AMISelectorTerm{{ID: inst.ImageID}}
	amis, _ := ResolveAMISelectorTerms(w, r, c.Version, terms, created)
	nodeClass := map[string]any{
		"apiVersion": KarpenterAWSGroup + "/v1", "kind": "EC2NodeClass",
		"metadata": map[string]any{"name": pool, "uid": uuid(kg), "generation": 1, "creationTimestamp": ts(created),
			"finalizers": []any{"karpenter.k8s.aws/termination"}},
		"spec": map[string]any{
			"amiFamily":                  "Windows2022",
			"amiSelectorTerms":           toJSONValue(terms),
			"role":                       "KarpenterNodeRole-" + c.Name,
			"subnetSelectorTerms":        []any{map[string]any{"tags": map[string]any{"karpenter.sh/discovery": c.Name}}},
			"securityGroupSelectorTerms": []any{map[string]any{"tags": map[string]any{"karpenter.sh/discovery": c.Name}}},
			"metadataOptions": map[string]any{"httpEndpoint": "enabled", "httpProtocolIPv6": "disabled",
				"httpPutResponseHopLimit": 1, "httpTokens": "required"},
		},
		"status": map[string]any{
			"amis":            toJSONValue(amis),
			"instanceProfile": c.Name + "_" + pool,
			"conditions":      ready(created, "AMIsReady", "SubnetsReady", "SecurityGroupsReady", "InstanceProfileReady", "ValidationSucceeded", "Ready"),
		},
	}
	poolUID := uuid(kg)
	nodePool := map[string]any{
		"apiVersion": KarpenterGroup + "/v1", "kind": "NodePool",
		"metadata": map[string]any{"name": pool, "uid": poolUID, "generation": 1, "creationTimestamp": ts(created.Add(time.Minute)),
			"annotations": map[string]any{"karpenter.sh/nodepool-hash": "4012513481623584108", "karpenter.sh/nodepool-hash-version": "v3"}},
		"spec": map[string]any{
			"template": map[string]any{"spec": map[string]any{
				"nodeClassRef": map[string]any{"group": KarpenterAWSGroup, "kind": "EC2NodeClass", "name": pool},
				"requirements": []any{
					map[string]any{"key": "kubernetes.io/os", "operator": "In", "values": []any{"windows"}},
					map[string]any{"key": "karpenter.sh/capacity-type", "operator": "In", "values": []any{"on-demand"}},
				},
				"expireAfter": "720h",
			}},
			// Drift replaces one node at a time; consolidation never
			// touches nodes during working hours.
			"disruption": map[string]any{
				"consolidationPolicy": "WhenEmptyOrUnderutilized",
				"consolidateAfter":    "5m",
				"budgets": []any{
					map[string]any{"nodes": "1", "reasons": []any{"Drifted"}},
					map[string]any{"nodes": "10%"},
					map[string]any{"nodes": "0", "reasons": []any{"Underutilized"}, "schedule": "0 9 * * mon-fri", "duration": "8h"},
				},
			},
			"limits": map[string]any{"cpu": "64"},
		},
		"status": map[string]any{
			"nodes":      1,
			"resources":  map[string]any{"cpu": node.CPU, "memory": node.Memory, "pods": node.Pods, "nodes": "1"},
			"conditions": ready(created.Add(time.Minute), "ValidationSucceeded", "NodeClassReady", "Ready"),
		},
	}
	claimName := inst.Tags["karpenter.sh/nodeclaim"]
	labels := map[string]any{}
	for k, v := range node.Labels {
		labels[k] = v
	}
	nodeClaim := map[string]any{
		"apiVersion": KarpenterGroup + "/v1", "kind": "NodeClaim",
		"metadata": map[string]any{"name": claimName, "uid": uuid(kg), "generation": 1, "creationTimestamp": ts(inst.LaunchTime.Add(-10 * time.Second)),
			"labels":      labels,
			"annotations": map[string]any{"karpenter.k8s.aws/ec2nodeclass-hash": "1735209348372839173", "karpenter.k8s.aws/ec2nodeclass-hash-version": "v4", "karpenter.sh/nodepool-hash": "4012513481623584108"},
			"finalizers":  []any{"karpenter.sh/termination"},
			"ownerReferences": []any{map[string]any{"apiVersion": KarpenterGroup + "/v1", "kind": "NodePool", "name": pool, "uid": poolUID,
				"blockOwnerDeletion": true}}},
		"spec": map[string]any{
			"nodeClassRef": map[string]any{"group": KarpenterAWSGroup, "kind": "EC2NodeClass", "name": pool},
			"requirements": []any{
				map[string]any{"key": "kubernetes.io/os", "operator": "In", "values": []any{"windows"}},
				map[string]any{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": []any{inst.InstanceType}},
				map[string]any{"key": "karpenter.sh/nodepool", "operator": "In", "values": []any{pool}},
			},
			"resources":   map[string]any{"requests": map[string]any{"cpu": "1", "pods": "4"}},
			"expireAfter": "720h",
		},
		"status": map[string]any{
			"providerID": node.ProviderID, "nodeName": node.Name, "imageID": inst.ImageID,
			"capacity":    map[string]any{"cpu": node.CPU, "memory": node.Memory, "pods": node.Pods},
			"allocatable": map[string]any{"cpu": node.CPU, "memory": node.Memory, "pods": node.Pods},
			"conditions":  ready(node.ReadySince, "Launched", "Registered", "Initialized", "Ready"),
		},
	}
	rv := c.CurrentResourceVersion()
	for _, o := range []struct {
		resource string
		obj      map[string]any
	}{{ResourceEC2NodeClasses, nodeClass}, {ResourceNodePools, nodePool}, {ResourceNodeClaims, nodeClaim}} {
		rv += 1 + kg.rng.Int64N(40)
		c.ResourceVersion = itoa64(rv - 1)
		_, _ = c.putKubeObject(o.resource, o.obj, false)
	}
	c.ResourceVersion = itoa64(rv + 1)
}

// toJSONValue is v as encoding/json decodes it into an any.
func toJSONValue(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
