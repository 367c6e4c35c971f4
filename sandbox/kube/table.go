package kube

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/winami/winami/sandbox/world"
)

// nodeColumns are the API server's columns for nodes: kubectl get nodes
// shows those of priority 0, -o wide all.
func nodeColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."},
		{Name: "Status", Type: "string", Description: "The status of the node"},
		{Name: "Roles", Type: "string", Description: "The roles of the node"},
		{Name: "Age", Type: "string", Description: "CreationTimestamp is a timestamp representing the server time when this object was created."},
		{Name: "Version", Type: "string", Description: "Kubelet Version reported by the node."},
		{Name: "Internal-IP", Type: "string", Priority: 1, Description: "List of addresses reachable to the node."},
		{Name: "External-IP", Type: "string", Priority: 1, Description: "List of addresses reachable to the node."},
		{Name: "OS-Image", Type: "string", Priority: 1, Description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."},
		{Name: "Kernel-Version", Type: "string", Priority: 1, Description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."},
		{Name: "Container-Runtime", Type: "string", Priority: 1, Description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."},
	}
}

// writeNodeTable answers with a meta.k8s.io/v1 Table of the nodes, each row
// carrying the node's metadata (kubectl's -L columns read its labels).
func writeNodeTable(w http.ResponseWriter, meta listMetaJSON, nodes []*world.Node, now time.Time) {
	writeJSON(w, http.StatusOK, nodeTable(meta, nodes, now))
}

// nodeTable is the Table of the nodes.
func nodeTable(meta listMetaJSON, nodes []*world.Node, now time.Time) metav1.Table {
	t := metav1.Table{
		TypeMeta:          metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
		ListMeta:          metav1.ListMeta{ResourceVersion: meta.ResourceVersion, Continue: meta.Continue, RemainingItemCount: meta.RemainingItemCount},
		ColumnDefinitions: nodeColumns(),
		Rows:              make([]metav1.TableRow, 0, len(nodes)),
	}
	for _, n := range nodes {
		status := "Ready"
		if !n.Ready {
			status = "NotReady"
		}
		object, _ := json.Marshal(struct {
			Kind       string         `json:"kind"`
			APIVersion string         `json:"apiVersion"`
			Metadata   objectMetaJSON `json:"metadata"`
		}{"PartialObjectMetadata", "meta.k8s.io/v1", toNode(n, now, nil).Metadata})
		t.Rows = append(t.Rows, metav1.TableRow{
			Cells: []any{n.Name, status, roles(n), duration.HumanDuration(now.Sub(n.CreationTimestamp)), n.KubeletVersion,
				n.InternalIP, "<none>", n.OSImage, n.KernelVersion, n.ContainerRuntimeVersion},
			Object: runtime.RawExtension{Raw: object},
		})
	}
	return t
}

// roles are the node-role.kubernetes.io/<role> labels; EKS nodes have none.
func roles(n *world.Node) string {
	var out []string
	for k := range n.Labels {
		if role, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok && role != "" {
			out = append(out, role)
		}
	}
	if len(out) == 0 {
		return "<none>"
	}
	return strings.Join(out, ",")
}
