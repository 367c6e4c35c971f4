package kube

import (
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/winami/winami/sandbox/world"
)

// heartbeat is how long ago, at most, a Ready node's kubelet last posted
// its status: kubelets post every 10 s or so.
const heartbeat = 10 * time.Second

// toNode is the API object of a seeded node; its heartbeats are recent by
// the sandbox's clock, as a live kubelet keeps them.
func toNode(n *world.Node, now time.Time) corev1.Node {
	beat := metav1.NewTime(now.Add(-heartbeat).Truncate(time.Second))
	since := metav1.NewTime(n.ReadySince)
	ready := corev1.NodeCondition{
		Type:               corev1.NodeReady,
		Status:             corev1.ConditionTrue,
		LastHeartbeatTime:  beat,
		LastTransitionTime: since,
		Reason:             "KubeletReady",
		Message:            "kubelet is posting ready status",
	}
	if !n.Ready {
		ready.Status, ready.Reason, ready.Message = corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status."
	}
	pressure := func(t corev1.NodeConditionType, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: corev1.ConditionFalse, LastHeartbeatTime: beat,
			LastTransitionTime: since, Reason: reason, Message: msg}
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(n.CPU),
		corev1.ResourceMemory: resource.MustParse(n.Memory),
		corev1.ResourcePods:   resource.MustParse(n.Pods),
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:              n.Name,
			UID:               types.UID(n.UID),
			ResourceVersion:   n.ResourceVersion,
			CreationTimestamp: metav1.NewTime(n.CreationTimestamp),
			Labels:            maps.Clone(n.Labels),
			Annotations:       maps.Clone(n.Annotations),
		},
		Spec: corev1.NodeSpec{ProviderID: n.ProviderID},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity,
			Conditions: []corev1.NodeCondition{
				pressure(corev1.NodeMemoryPressure, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
				pressure(corev1.NodeDiskPressure, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
				pressure(corev1.NodePIDPressure, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
				ready,
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: n.InternalIP},
				{Type: corev1.NodeHostName, Address: n.Name},
				{Type: corev1.NodeInternalDNS, Address: n.Name},
			},
			NodeInfo: corev1.NodeSystemInfo{
				KernelVersion:           n.KernelVersion,
				OSImage:                 n.OSImage,
				ContainerRuntimeVersion: n.ContainerRuntimeVersion,
				KubeletVersion:          n.KubeletVersion,
				OperatingSystem:         n.OperatingSystem,
				Architecture:            n.Architecture,
			},
		},
	}
}
