package kube

import (
	"time"

	"github.com/winami/winami/sandbox/world"
)

// heartbeat is how long ago, at most, a Ready node's kubelet last posted
// its status: kubelets post every 10 s or so.
const heartbeat = 10 * time.Second

// The wire shape of a v1 Node, as the API server writes it. It mirrors
// k8s.io/api/core/v1.Node field for field but with timestamps and
// quantities already strings: encoding/json spends most of its time in
// metav1.Time's and resource.Quantity's marshalers, fifty microseconds a
// node, which a list of ten thousand nodes cannot afford. The tests decode
// every reply with client-go into corev1.Node.

type nodeJSON struct {
	Kind       string         `json:"kind,omitempty"`
	APIVersion string         `json:"apiVersion,omitempty"`
	Metadata   objectMetaJSON `json:"metadata"`
	Spec       nodeSpecJSON   `json:"spec"`
	Status     nodeStatusJSON `json:"status"`
}

type objectMetaJSON struct {
	Name              string            `json:"name"`
	UID               string            `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion"`
	CreationTimestamp string            `json:"creationTimestamp"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
}

type nodeSpecJSON struct {
	ProviderID    string      `json:"providerID,omitempty"`
	Unschedulable bool        `json:"unschedulable,omitempty"`
	Taints        []taintJSON `json:"taints,omitempty"`
}

type taintJSON struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

type nodeStatusJSON struct {
	Capacity    resourcesJSON        `json:"capacity"`
	Allocatable resourcesJSON        `json:"allocatable"`
	Conditions  []nodeConditionJSON  `json:"conditions"`
	Addresses   []nodeAddressJSON    `json:"addresses"`
	NodeInfo    nodeInfoJSON         `json:"nodeInfo"`
	Images      []containerImageJSON `json:"images,omitempty"`
}

type resourcesJSON struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	Pods   string `json:"pods"`
}

type nodeConditionJSON struct {
	Type               string `json:"type"`
	Status             string `json:"status"`
	LastHeartbeatTime  string `json:"lastHeartbeatTime"`
	LastTransitionTime string `json:"lastTransitionTime"`
	Reason             string `json:"reason"`
	Message            string `json:"message"`
}

type nodeAddressJSON struct {
	Type    string `json:"type"`
	Address string `json:"address"`
}

type nodeInfoJSON struct {
	MachineID               string `json:"machineID"`
	SystemUUID              string `json:"systemUUID"`
	BootID                  string `json:"bootID"`
	KernelVersion           string `json:"kernelVersion"`
	OSImage                 string `json:"osImage"`
	ContainerRuntimeVersion string `json:"containerRuntimeVersion"`
	KubeletVersion          string `json:"kubeletVersion"`
	OperatingSystem         string `json:"operatingSystem"`
	Architecture            string `json:"architecture"`
}

// rfc3339 is metav1.Time's wire form: whole seconds, UTC.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// toNode is the API object of a seeded node; its heartbeats are recent by
// the sandbox's clock, as a live kubelet keeps them.
func toNode(n *world.Node, now time.Time, images []containerImageJSON) nodeJSON {
	beat, since := rfc3339(now.Add(-heartbeat)), rfc3339(n.ReadySince)
	capacity := resourcesJSON{CPU: n.CPU, Memory: n.Memory, Pods: n.Pods}
	cond := conditions(n, beat, since)
	return nodeJSON{
		Metadata: objectMetaJSON{
			Name:              n.Name,
			UID:               n.UID,
			ResourceVersion:   n.ResourceVersion,
			CreationTimestamp: rfc3339(n.CreationTimestamp),
			// The world's maps are only read, never changed, by encoding.
			Labels:      n.Labels,
			Annotations: n.Annotations,
		},
		Spec: nodeSpecJSON{ProviderID: n.ProviderID, Unschedulable: n.Unschedulable, Taints: taintsOf(n)},
		Status: nodeStatusJSON{
			Capacity:    capacity,
			Allocatable: capacity,
			Conditions:  cond[:],
			Addresses: []nodeAddressJSON{
				{Type: "InternalIP", Address: n.InternalIP},
				{Type: "Hostname", Address: n.Name},
				{Type: "InternalDNS", Address: n.Name},
			},
			NodeInfo: nodeInfoJSON{
				KernelVersion:           n.KernelVersion,
				OSImage:                 n.OSImage,
				ContainerRuntimeVersion: n.ContainerRuntimeVersion,
				KubeletVersion:          n.KubeletVersion,
				OperatingSystem:         n.OperatingSystem,
				Architecture:            n.Architecture,
			},
			Images: images,
		},
	}
}

func taintsOf(n *world.Node) []taintJSON {
	var out []taintJSON
	for _, t := range n.Taints {
		out = append(out, taintJSON(t))
	}
	return out
}

// conditions are a node's conditions: no pressure, and Ready since it
// joined (or Unknown for a node whose kubelet stopped posting). An array,
// not a slice: appendNode writes them without a heap allocation per node.
func conditions(n *world.Node, beat, since string) [4]nodeConditionJSON {
	out := conditionTexts(n.Ready)
	for i := range out {
		out[i].LastHeartbeatTime, out[i].LastTransitionTime = beat, since
	}
	return out
}

// conditionTexts are the conditions without their times, which each
// encoding writes in its own form.
func conditionTexts(ready bool) [4]nodeConditionJSON {
	r := nodeConditionJSON{Type: "Ready", Status: "True", Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	if !ready {
		r.Status, r.Reason, r.Message = "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."
	}
	return [4]nodeConditionJSON{
		{Type: "MemoryPressure", Status: "False", Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: "DiskPressure", Status: "False", Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: "PIDPressure", Status: "False", Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		r,
	}
}
