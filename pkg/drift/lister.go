package drift

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/kubelist"
)

// LeanNodes lists nodes through a REST client and decodes only what a
// report reads of each: name, creation time, three labels, the provider
// ID, the node info and the Ready condition. A node object carries far
// more (every image on the node, addresses, capacity); client-go's typed
// decoding reads the whole body twice (once to find its kind), and for
// 10,000 nodes that was most of a run's time. It satisfies NodeLister.
type LeanNodes struct {
	// Client is a REST client of the core v1 API, e.g.
	// clientset.CoreV1().RESTClient().
	Client rest.Interface
}

// List is GET /api/v1/nodes with opts, decoded lean.
func (l LeanNodes) List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	return listLean[leanNode](ctx, l.Client, opts)
}

// listLean is GET /api/v1/nodes with opts, each item decoded into T, which
// keeps what its reader needs and fills a corev1.Node with it.
func listLean[T any, PT interface {
	*T
	into(*corev1.Node)
}](ctx context.Context, client rest.Interface, opts metav1.ListOptions) (*corev1.NodeList, error) {
	var page struct {
		Metadata struct {
			Continue        string `json:"continue"`
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
		Items []T `json:"items"`
	}
	if err := kubelist.List(ctx, client, "nodes", opts, &page); err != nil {
		return nil, err
	}
	out := &corev1.NodeList{ListMeta: metav1.ListMeta{Continue: page.Metadata.Continue, ResourceVersion: page.Metadata.ResourceVersion}}
	out.Items = make([]corev1.Node, len(page.Items))
	for i := range page.Items {
		PT(&page.Items[i]).into(&out.Items[i])
	}
	return out, nil
}

type leanNode struct {
	Metadata struct {
		Name              string     `json:"name"`
		CreationTimestamp string     `json:"creationTimestamp"`
		Labels            leanLabels `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		ProviderID string `json:"providerID"`
	} `json:"spec"`
	Status struct {
		NodeInfo   corev1.NodeSystemInfo `json:"nodeInfo"`
		Conditions leanConditions        `json:"conditions"`
	} `json:"status"`
}

// into fills a corev1.Node with what was decoded.
func (n *leanNode) into(out *corev1.Node) {
	out.Name = n.Metadata.Name
	if t, err := time.Parse(time.RFC3339, n.Metadata.CreationTimestamp); err == nil {
		out.CreationTimestamp = metav1.NewTime(t)
	}
	out.Labels = n.Metadata.Labels.labels()
	out.Spec.ProviderID = n.Spec.ProviderID
	out.Status.NodeInfo = n.Status.NodeInfo
	out.Status.Conditions = n.Status.Conditions.conditions()
}

// leanLabels are the labels a report reads of a node.
type leanLabels struct {
	OS           string `json:"kubernetes.io/os"`
	WindowsBuild string `json:"node.kubernetes.io/windows-build"`
	Nodegroup    string `json:"eks.amazonaws.com/nodegroup"`
	Nodepool     string `json:"karpenter.sh/nodepool"`
}

// labels are the ones the node has.
func (l leanLabels) labels() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		labelOS: l.OS, labelWindowsBuild: l.WindowsBuild, labelNodegroup: l.Nodegroup, labelNodepool: l.Nodepool,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// leanConditions are a node's conditions, their type and status only.
type leanConditions []struct {
	Type   corev1.NodeConditionType `json:"type"`
	Status corev1.ConditionStatus   `json:"status"`
}

func (cs leanConditions) conditions() []corev1.NodeCondition {
	var out []corev1.NodeCondition
	for _, c := range cs {
		out = append(out, corev1.NodeCondition{Type: c.Type, Status: c.Status})
	}
	return out
}
