package kube

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/winami/winami/sandbox/world"
)

// printerColumn is one of a CRD's additionalPrinterColumns: kubectl get
// shows those of priority 0, -o wide all. Paths are read by hand: each is
// a field path, or a condition's status (`.status.conditions[?(@.type==
// "Ready")].status`, written "condition:Ready").
type printerColumn struct {
	name, typ string
	priority  int32
	path      string
}

// printerColumns are Karpenter v1's columns, as its CRDs declare them.
var printerColumns = map[string][]printerColumn{
	world.ResourceEC2NodeClasses: {
		{name: "Ready", typ: "string", path: "condition:Ready"},
		{name: "Age", typ: "date", path: "metadata.creationTimestamp"},
		{name: "Role", typ: "string", priority: 1, path: "spec.role"},
	},
	world.ResourceNodePools: {
		{name: "NodeClass", typ: "string", path: "spec.template.spec.nodeClassRef.name"},
		{name: "Nodes", typ: "string", path: "status.nodes"},
		{name: "Ready", typ: "string", path: "condition:Ready"},
		{name: "Age", typ: "date", path: "metadata.creationTimestamp"},
		{name: "Weight", typ: "integer", priority: 1, path: "spec.weight"},
		{name: "CPU", typ: "string", priority: 1, path: "status.resources.cpu"},
		{name: "Memory", typ: "string", priority: 1, path: "status.resources.memory"},
	},
	world.ResourceNodeClaims: {
		{name: "Type", typ: "string", path: "label:node.kubernetes.io/instance-type"},
		{name: "Capacity", typ: "string", path: "label:karpenter.sh/capacity-type"},
		{name: "Zone", typ: "string", path: "label:topology.kubernetes.io/zone"},
		{name: "Node", typ: "string", path: "status.nodeName"},
		{name: "Ready", typ: "string", path: "condition:Ready"},
		{name: "Age", typ: "date", path: "metadata.creationTimestamp"},
		{name: "ImageID", typ: "string", priority: 1, path: "status.imageID"},
		{name: "ID", typ: "string", priority: 1, path: "status.providerID"},
		{name: "NodePool", typ: "string", priority: 1, path: "label:karpenter.sh/nodepool"},
		{name: "NodeClass", typ: "string", priority: 1, path: "spec.nodeClassRef.name"},
		{name: "Drifted", typ: "string", priority: 1, path: "condition:Drifted"},
	},
}

// crdTable is the Table of a CRD's objects, as the API server prints
// custom resources: Name, then the printer columns; a missing value is
// null (kubectl leaves the cell empty), a date its age.
func crdTable(d crd, rv string, objects []json.RawMessage, now time.Time) metav1.Table {
	cols := printerColumns[d.plural]
	t := metav1.Table{
		TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: rv},
		ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name", Type: "string", Format: "name",
			Description: "Name must be unique within a namespace."}},
		Rows: make([]metav1.TableRow, 0, len(objects)),
	}
	for _, c := range cols {
		t.ColumnDefinitions = append(t.ColumnDefinitions, metav1.TableColumnDefinition{Name: c.name, Type: c.typ, Priority: c.priority})
	}
	for _, raw := range objects {
		var obj map[string]any
		if json.Unmarshal(raw, &obj) != nil {
			continue
		}
		meta, _ := obj["metadata"].(map[string]any)
		cells := []any{meta["name"]}
		for _, c := range cols {
			v := cellValue(obj, c.path)
			if s, ok := v.(string); ok && c.typ == "date" {
				if ts, err := time.Parse(time.RFC3339, s); err == nil {
					v = duration.HumanDuration(now.Sub(ts))
				}
			}
			if f, ok := v.(float64); ok && c.typ == "string" {
				v = fmt.Sprint(f)
			}
			cells = append(cells, v)
		}
		partial, _ := json.Marshal(map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta})
		t.Rows = append(t.Rows, metav1.TableRow{Cells: cells, Object: runtime.RawExtension{Raw: partial}})
	}
	return t
}

// cellValue reads a column's path from a decoded object; nil when absent.
func cellValue(obj map[string]any, path string) any {
	if typ, ok := strings.CutPrefix(path, "condition:"); ok {
		status, _ := obj["status"].(map[string]any)
		conds, _ := status["conditions"].([]any)
		for _, c := range conds {
			if m, ok := c.(map[string]any); ok && m["type"] == typ {
				return m["status"]
			}
		}
		return nil
	}
	if key, ok := strings.CutPrefix(path, "label:"); ok {
		meta, _ := obj["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		return labels[key]
	}
	var v any = obj
	for part := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

func writeCRDTable(w http.ResponseWriter, d crd, rv string, objects []json.RawMessage, now time.Time) {
	writeJSON(w, http.StatusOK, crdTable(d, rv, objects, now))
}
