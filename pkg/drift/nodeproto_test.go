package drift

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
)

// protoPage is obj as an API server sends it in protobuf: kube's own
// serializer (the magic, then a runtime.Unknown around the generated
// Marshal of obj).
func protoPage(t testing.TB, obj runtime.Object) []byte {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	metav1.AddToGroupVersion(scheme, metav1.SchemeGroupVersion)
	var buf bytes.Buffer
	if err := protobuf.NewSerializer(scheme, scheme).Encode(obj, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// envelope wraps a NodeList's bytes as kube's serializer does, with the
// fields given after the magic in this order, so a test can vary them.
func envelope(fields ...[]byte) []byte {
	return append([]byte(protoMagic), bytes.Join(fields, nil)...)
}

func typeMetaField(kind string) []byte {
	tm := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "v1")
	tm = protowire.AppendString(protowire.AppendTag(tm, 2, protowire.BytesType), kind)
	return bytesField(1, tm)
}

func bytesField(num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
}

func varintField(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

// unknownFields are fields of every wire type under numbers no message
// read here uses.
func unknownFields() []byte {
	b := varintField(900, 7)
	b = protowire.AppendFixed32(protowire.AppendTag(b, 901, protowire.Fixed32Type), 1)
	b = protowire.AppendFixed64(protowire.AppendTag(b, 902, protowire.Fixed64Type), 2)
	b = append(b, bytesField(903, []byte("x"))...)
	return protowire.AppendGroup(protowire.AppendTag(b, 904, protowire.StartGroupType), 904, varintField(1, 1))
}

// variedPage is nodePage with the variations a fleet has: cordoned nodes,
// Karpenter's label, an empty label, nodes without conditions or images,
// no creation time, names with non-ASCII letters, other condition types.
func variedPage(n int) *corev1.NodeList {
	list := nodePage(n)
	for i := range list.Items {
		node := &list.Items[i]
		switch i % 6 {
		case 1:
			node.Spec.Unschedulable = true
		case 2:
			delete(node.Labels, labelNodegroup)
			node.Labels[labelNodepool] = "default"
			node.Name = "nœud-é"
		case 3:
			node.Status.Conditions, node.Status.Images, node.Labels = nil, nil, nil
			node.CreationTimestamp = metav1.Time{}
		case 4:
			node.Labels[labelWindowsBuild] = ""
			node.Status.Conditions = append(node.Status.Conditions, corev1.NodeCondition{Type: "NetworkUnavailable", Status: "Maybe",
				LastHeartbeatTime: metav1.NewTime(time.Date(2026, 11, 15, 1, 2, 3, 0, time.UTC))})
			node.Status.Images = append(node.Status.Images, corev1.ContainerImage{SizeBytes: 1})
			node.CreationTimestamp = metav1.NewTime(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))
		}
	}
	return list
}

// withUnknownFields is list's protobuf built field by field, with unknown
// fields in the envelope, the list and every node, and the envelope's
// fields in reverse order.
func withUnknownFields(t *testing.T, list *corev1.NodeList) []byte {
	meta, err := list.ListMeta.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	raw := append(bytesField(1, meta), unknownFields()...)
	for i := range list.Items {
		node, err := list.Items[i].Marshal()
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, bytesField(2, append(node, unknownFields()...))...)
	}
	return envelope(bytesField(4, nil), bytesField(3, nil), varintField(9, 1), bytesField(2, raw), typeMetaField("NodeList"), bytesField(10, []byte("?")))
}

// TestDecodeNodePageProtoAsJSON: the same pages, sent in protobuf and in
// JSON, are read into the same lists by the two walkers, with and without
// images, and as the JSON decoded whole and cut to what is kept.
func TestDecodeNodePageProtoAsJSON(t *testing.T) {
	varied := variedPage(24)
	empty := &corev1.NodeList{TypeMeta: metav1.TypeMeta{Kind: "NodeList", APIVersion: "v1"}}
	pages := map[string]struct {
		list  *corev1.NodeList
		proto []byte
	}{
		"generated":      {varied, protoPage(t, varied)},
		"empty":          {empty, protoPage(t, empty)},
		"unknown fields": {varied, withUnknownFields(t, varied)},
	}
	for name, page := range pages {
		raw, err := json.Marshal(page.list)
		if err != nil {
			t.Fatal(err)
		}
		var whole corev1.NodeList
		if err := json.Unmarshal(raw, &whole); err != nil {
			t.Fatal(err)
		}
		for _, images := range []bool{false, true} {
			fromJSON, err := decodeNodePage(bytes.NewReader(raw), images, 500)
			if err != nil {
				t.Fatalf("%s: JSON: %v", name, err)
			}
			got, err := decodeNodePageProto(bytes.NewReader(page.proto), images)
			if err != nil {
				t.Fatalf("%s: protobuf: %v", name, err)
			}
			if got.ListMeta != fromJSON.ListMeta || len(got.Items) != len(fromJSON.Items) {
				t.Fatalf("%s: list meta %+v, %d items; JSON's %+v, %d", name, got.ListMeta, len(got.Items), fromJSON.ListMeta, len(fromJSON.Items))
			}
			for i := range got.Items {
				want := keptOfNode(whole.Items[i], images)
				if !reflect.DeepEqual(got.Items[i], fromJSON.Items[i]) || !reflect.DeepEqual(got.Items[i], want) {
					g, _ := json.Marshal(got.Items[i])
					w, _ := json.Marshal(fromJSON.Items[i])
					t.Errorf("%s (images %v) item %d:\n protobuf %s\n     JSON %s", name, images, i, g, w)
				}
			}
		}
	}
}

// TestDecodeNodesSniffs: decodeNodes reads either encoding by its first
// bytes.
func TestDecodeNodesSniffs(t *testing.T) {
	list := variedPage(3)
	raw, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, errJSON := decodeNodes(bytes.NewReader(raw), true, 3)
	fromProto, errProto := decodeNodes(bytes.NewReader(protoPage(t, list)), true, 3)
	if errJSON != nil || errProto != nil || len(fromJSON.Items) != 3 || !reflect.DeepEqual(fromJSON.Items, fromProto.Items) {
		t.Fatalf("JSON: %v, %v; protobuf: %v, %v", fromJSON, errJSON, fromProto, errProto)
	}
	if _, err := decodeNodes(strings.NewReader("k8"), true, 3); err == nil {
		t.Error("a two-byte body: no error")
	}
}
