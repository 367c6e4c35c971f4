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
	return listLean(ctx, l.Client, opts, true)
}
