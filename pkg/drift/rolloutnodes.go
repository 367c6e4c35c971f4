package drift

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// LeanNodesWithImages is LeanNodes for a rollout's verification: besides
// what LeanNodes keeps it keeps spec.unschedulable (a cordoned node is on
// its way out) and the names of status.images (the cached images a new
// node must hold), but not the images' sizes. It satisfies NodeLister.
type LeanNodesWithImages struct {
	// Client is a REST client of the core v1 API (KubeClient).
	Client rest.Interface
}

// List is GET /api/v1/nodes with opts, decoded lean.
func (l LeanNodesWithImages) List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	return listLean[leanImagedNode](ctx, l.Client, opts)
}

// leanImagedNode is a leanNode with the two fields more. (Embedding
// leanNode would not do: its spec and status would be shadowed.)
type leanImagedNode struct {
	Metadata struct {
		Name   string     `json:"name"`
		Labels leanLabels `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		ProviderID    string `json:"providerID"`
		Unschedulable bool   `json:"unschedulable"`
	} `json:"spec"`
	Status struct {
		NodeInfo struct {
			KubeletVersion string `json:"kubeletVersion"`
			KernelVersion  string `json:"kernelVersion"`
		} `json:"nodeInfo"`
		Conditions leanConditions `json:"conditions"`
		Images     []struct {
			Names []string `json:"names"`
		} `json:"images"`
	} `json:"status"`
}

func (n *leanImagedNode) into(out *corev1.Node) {
	out.Name = n.Metadata.Name
	out.Labels = n.Metadata.Labels.labels()
	out.Spec.ProviderID = n.Spec.ProviderID
	out.Spec.Unschedulable = n.Spec.Unschedulable
	out.Status.NodeInfo.KubeletVersion = n.Status.NodeInfo.KubeletVersion
	out.Status.NodeInfo.KernelVersion = n.Status.NodeInfo.KernelVersion
	out.Status.Conditions = n.Status.Conditions.conditions()
	for _, im := range n.Status.Images {
		out.Status.Images = append(out.Status.Images, corev1.ContainerImage{Names: im.Names})
	}
}
