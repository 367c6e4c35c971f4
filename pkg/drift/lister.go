package drift

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/kubelist"
)

// LeanNodes lists nodes through a REST client and decodes only what a
// report reads of each (decodeNodePageProto, or decodeNodePage for a
// server that answers in JSON). A node object carries far more
// (every image on the node, addresses, capacity); client-go's typed
// decoding reads the whole body twice (once to find its kind), and for
// 10,000 nodes that was most of a run's time. It satisfies NodeLister.
type LeanNodes struct {
	// Client is a REST client of the core v1 API, e.g. KubeClient's. Its
	// serializers must read a Status in protobuf as well as in JSON (a
	// CodecFactory's do): a refusal comes in the encoding asked for.
	Client rest.Interface
	// Images keeps, for a rollout's verification, spec.unschedulable (a
	// cordoned node is on its way out) and the names of status.images (the
	// cached images a new node must hold), not the images' sizes.
	Images bool
}

// nodesAccept asks for protobuf first: an API server sends it where it
// can (kube-apiserver always), and a node there is read by stepping over
// what a report leaves out, not by scanning it (decodeNodePageProto).
// JSON is for a server or proxy that speaks nothing else.
const nodesAccept = contentTypeProtobuf + ", application/json"

// List is GET /api/v1/nodes with opts, decoded as the reply arrives by
// decodeNodePageProto or decodeNodePage, as the server chose.
func (l LeanNodes) List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error) {
	body, err := kubelist.Stream(ctx, l.Client, "nodes", nodesAccept, opts)
	if err != nil {
		return nil, err
	}
	defer kubelist.Close(body)
	return decodeNodes(body, l.Images, int(opts.Limit))
}
