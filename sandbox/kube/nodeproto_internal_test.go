package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/winami/winami/sandbox/world"
)

// TestNodeProtoMatchesGeneratedMarshal: the hand-written protobuf of a node
// and of a list is, byte for byte, what k8s.io/api's generated Marshal
// makes of the same object decoded from its JSON, wrapped as
// apimachinery's protobuf serializer wraps it.
func TestNodeProtoMatchesGeneratedMarshal(t *testing.T) {
	w := world.Seed(1)
	nodes := w.Region("us-east-1").Clusters[world.DemoCluster].Nodes
	now := time.Date(2026, time.November, 28, 9, 0, 0, 0, time.UTC)
	ni := newNodeImages(w, "us-east-1")
	for _, n := range append(oddNodes(nodes), nodes...) {
		var want corev1.Node
		if err := json.Unmarshal(appendNode(nil, n, now, true, ni.of(n)), &want); err != nil {
			t.Fatal(err)
		}
		got := appendNodeProto(nil, n, now, ni.of(n))
		if wantBytes := wrapUnknown(t, "Node", &want); !bytes.Equal(got, wantBytes) {
			t.Errorf("%s:\n got %x\nwant %x", n.Name, got, wantBytes)
		}
	}
	remaining := int64(300)
	for _, meta := range []listMetaJSON{{ResourceVersion: "7"}, {ResourceVersion: "7", Continue: "c", RemainingItemCount: &remaining}} {
		for _, page := range [][]*world.Node{nil, nodes[:1], nodes, append(oddNodes(nodes), nodes...)} {
			var want corev1.NodeList
			if err := json.Unmarshal(appendNodeList(nil, meta, page, now, ni), &want); err != nil {
				t.Fatal(err)
			}
			want.Items = append([]corev1.Node(nil), want.Items...)
			got := appendNodeListProto(nil, meta, page, now, ni)
			if wantBytes := wrapUnknown(t, "NodeList", &want); !bytes.Equal(got, wantBytes) {
				t.Errorf("list of %d, %+v:\n got %x\nwant %x", len(page), meta, got, wantBytes)
			}
		}
	}
}

// oddNodes are nodes with what the seed's demo nodes may lack: escapes,
// no labels, taints with and without values, a cordon, no provider ID, a
// zero ready time, many images (lengths past 127 bytes).
func oddNodes(nodes []*world.Node) []*world.Node {
	odd := *nodes[0]
	odd.Labels = map[string]string{"a<&>": "\"q\"\\\n\t\r\x01\u2028\u2029é", strings.Repeat("k", 200): strings.Repeat("v", 300)}
	odd.Annotations = map[string]string{"x": "y"}
	odd.Ready = false
	odd.ReadySince = time.Time{}
	cordoned := *nodes[1]
	cordoned.ProviderID = ""
	cordoned.Labels = nil
	cordoned.Unschedulable = true
	cordoned.Taints = []world.Taint{{Key: world.UnschedulableTaint, Effect: "NoSchedule"}, {Key: "k", Value: "v<", Effect: "NoExecute"}}
	return []*world.Node{&odd, &cordoned}
}

// wrapUnknown is obj as apimachinery's protobuf serializer frames it.
func wrapUnknown(t *testing.T, kind string, obj interface {
	runtime.ProtobufMarshaller
	Size() int
}) []byte {
	t.Helper()
	unk := runtime.Unknown{TypeMeta: runtime.TypeMeta{APIVersion: "v1", Kind: kind}}
	size := uint64(obj.Size())
	data := make([]byte, unk.Size()+int(size)+16)
	n, err := unk.NestedMarshalTo(data, obj, size)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(protoMagic), data[:n]...)
}

// BenchmarkNodeList500 encodes a page of 500 nodes (copies of the demo
// cluster's, images included) as JSON and as protobuf, in a recycled
// buffer as the API serves them.
func BenchmarkNodeList500(b *testing.B) {
	w := world.Seed(1)
	demo := w.Region("us-east-1").Clusters[world.DemoCluster].Nodes
	nodes := make([]*world.Node, 500)
	for i := range nodes {
		n := *demo[i%len(demo)]
		n.Name = fmt.Sprintf("%s-%03d", n.Name, i)
		nodes[i] = &n
	}
	ni := newNodeImages(w, "us-east-1")
	meta := listMetaJSON{ResourceVersion: "7"}
	now := time.Now()
	for _, enc := range []struct {
		name   string
		append func([]byte, listMetaJSON, []*world.Node, time.Time, *nodeImages) []byte
	}{{"json", appendNodeList}, {"protobuf", appendNodeListProto}} {
		b.Run(enc.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = enc.append(buf[:0], meta, nodes, now, ni)
			}
			b.ReportMetric(float64(len(buf)), "bytes")
		})
	}
}
