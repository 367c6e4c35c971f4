package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// read here uses; groups (which no Kubernetes encoder writes) only where
// the message is walked in memory, inside a node.
func unknownFields(group bool) []byte {
	b := varintField(900, 7)
	b = protowire.AppendFixed32(protowire.AppendTag(b, 901, protowire.Fixed32Type), 1)
	b = protowire.AppendFixed64(protowire.AppendTag(b, 902, protowire.Fixed64Type), 2)
	b = append(b, bytesField(903, []byte("x"))...)
	if group {
		b = protowire.AppendGroup(protowire.AppendTag(b, 904, protowire.StartGroupType), 904, varintField(1, 1))
	}
	return b
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
		case 5: // larger than the protobuf walker's read buffer
			for j := range 2000 {
				node.Status.Images = append(node.Status.Images, corev1.ContainerImage{
					Names: []string{fmt.Sprintf("%d.dkr.ecr.us-east-1.amazonaws.com/app-%d:v1", i, j)}, SizeBytes: int64(j)})
			}
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
	raw := append(bytesField(1, meta), unknownFields(false)...)
	for i := range list.Items {
		node, err := list.Items[i].Marshal()
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, bytesField(2, append(node, unknownFields(true)...))...)
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
			got, err := decodeNodePageProto(bytes.NewReader(page.proto), images, 0)
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

// TestDecodeNodePageProtoRefuses a body that is not a whole node list in
// protobuf: an error, never a short or empty list.
func TestDecodeNodePageProtoRefuses(t *testing.T) {
	small := protoPage(t, variedPage(2))
	bad := map[string][]byte{
		"bad magic":        append([]byte("k8s\x01"), small[4:]...),
		"JSON":             nodePageJSON(t, 1),
		"a Status":         protoPage(t, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: "Failure", Code: 403}),
		"kind PodList":     envelope(typeMetaField("PodList"), bytesField(2, nil)),
		"no kind":          envelope(bytesField(2, nil)),
		"gzip":             envelope(typeMetaField("NodeList"), bytesField(2, nil), bytesField(3, []byte("gzip"))),
		"raw in JSON":      envelope(typeMetaField("NodeList"), bytesField(2, nil), bytesField(4, []byte("application/json"))),
		"no raw":           envelope(typeMetaField("NodeList")),
		"raw a varint":     envelope(typeMetaField("NodeList"), varintField(2, 0)),
		"typeMeta varint":  envelope(varintField(1, 0), bytesField(2, nil)),
		"field number 0":   envelope(typeMetaField("NodeList"), []byte{0x02, 0x00}),
		"a group":          envelope(typeMetaField("NodeList"), bytesField(2, unknownFields(true))),
		"end group":        envelope(typeMetaField("NodeList"), bytesField(2, nil), protowire.AppendTag(nil, 9, protowire.EndGroupType)),
		"raw past the end": envelope(typeMetaField("NodeList"), protowire.AppendVarint([]byte{0x12}, 1<<40)),
		"node past list":   envelope(typeMetaField("NodeList"), bytesField(2, protowire.AppendVarint([]byte{0x12}, 3)), bytesField(3, nil)),
		"big node cut":     envelope(typeMetaField("NodeList"), protowire.AppendVarint([]byte{0x12}, 200<<10), protowire.AppendVarint([]byte{0x12}, 200<<10-4)),
	}
	// Why some are refused: a Status is known by its kind before its
	// bytes are read as a list; a field longer than its list is caught at
	// the list's end, not after reading on into the envelope.
	why := map[string]string{
		"a Status":       `the reply is a "Status", not a NodeList`,
		"node past list": "a field of 3 bytes where 0 are left",
		"raw in JSON":    `the list is in "application/json"`,
	}
	for name, body := range bad {
		got, err := decodeNodePageProto(bytes.NewReader(body), true, 0)
		if err == nil {
			t.Errorf("%s: no error, %d nodes", name, len(got.Items))
		} else if !strings.Contains(err.Error(), why[name]) {
			t.Errorf("%s: %v; want %q", name, err, why[name])
		}
	}

	// Cut at every byte: an error while any of the list is missing; past
	// the list, only the envelope's two empty strings (kube writes them
	// last) are missing: an error in the middle of one, else the whole
	// list (protobuf has no end mark; the HTTP body's own framing tells a
	// cut there).
	tail := append(bytesField(3, nil), bytesField(4, nil)...)
	if !bytes.HasSuffix(small, tail) {
		t.Fatalf("kube's envelope does not end with empty contentEncoding and contentType: % x", small[len(small)-8:])
	}
	whole, err := decodeNodePageProto(bytes.NewReader(small), true, 0)
	if err != nil {
		t.Fatal(err)
	}
	for cut := range len(small) {
		got, err := decodeNodePageProto(bytes.NewReader(small[:cut]), true, 0)
		switch {
		case cut < len(small)-len(tail) && err == nil:
			t.Fatalf("cut at %d of %d: no error, %d nodes", cut, len(small), len(got.Items))
		case err == nil && !reflect.DeepEqual(got, whole):
			t.Fatalf("cut at %d of %d, past the list: not the whole list", cut, len(small))
		}
	}
}

// TestDecodeNodePageProtoWireTypes: a field read with the wrong wire type
// is an error; the same field with the right one is read.
func TestDecodeNodePageProtoWireTypes(t *testing.T) {
	// page is a list of one node with field in the message at path.
	page := func(field []byte, path ...protowire.Number) []byte {
		for i := len(path) - 1; i >= 0; i-- {
			field = bytesField(path[i], field)
		}
		return envelope(typeMetaField("NodeList"), bytesField(2, field))
	}
	str := func(num protowire.Number) []byte { return bytesField(num, []byte("v")) }
	for _, tc := range []struct {
		name      string
		good, bad []byte
		path      []protowire.Number
	}{
		{"list metadata", bytesField(1, nil), varintField(1, 0), nil},
		{"continue", str(3), varintField(3, 0), []protowire.Number{1}},
		{"items", bytesField(2, nil), varintField(2, 0), nil},
		{"node metadata", bytesField(1, nil), varintField(1, 0), []protowire.Number{2}},
		{"name", str(1), varintField(1, 0), []protowire.Number{2, 1}},
		{"creationTimestamp", bytesField(8, varintField(1, 5)), varintField(8, 0), []protowire.Number{2, 1}},
		{"creation seconds", bytesField(8, varintField(1, 5)), bytesField(8, str(1)), []protowire.Number{2, 1}},
		{"label entry", bytesField(11, append(bytesField(1, []byte(labelOS)), str(2)...)), varintField(11, 0), []protowire.Number{2, 1}},
		{"label key", bytesField(11, append(bytesField(1, []byte(labelOS)), str(2)...)), bytesField(11, varintField(1, 0)), []protowire.Number{2, 1}},
		{"providerID", str(3), varintField(3, 0), []protowire.Number{2, 2}},
		{"unschedulable", varintField(4, 1), str(4), []protowire.Number{2, 2}},
		{"condition", bytesField(4, str(1)), varintField(4, 0), []protowire.Number{2, 3}},
		{"condition type", bytesField(4, str(1)), bytesField(4, varintField(1, 0)), []protowire.Number{2, 3}},
		{"nodeInfo", bytesField(7, str(7)), varintField(7, 0), []protowire.Number{2, 3}},
		{"kubeletVersion", bytesField(7, str(7)), bytesField(7, varintField(7, 0)), []protowire.Number{2, 3}},
		{"image names", bytesField(8, str(1)), bytesField(8, varintField(1, 0)), []protowire.Number{2, 3}},
	} {
		if _, err := decodeNodePageProto(bytes.NewReader(page(tc.good, tc.path...)), true, 0); err != nil {
			t.Errorf("%s, right wire type: %v", tc.name, err)
		}
		if got, err := decodeNodePageProto(bytes.NewReader(page(tc.bad, tc.path...)), true, 0); err == nil {
			t.Errorf("%s, wrong wire type: no error, %+v", tc.name, got)
		}
	}
}

// BenchmarkDecodeNodePageProto: the page of BenchmarkDecodeNodePage in
// protobuf.
func BenchmarkDecodeNodePageProto(b *testing.B) {
	raw := protoPage(b, nodePage(500))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := decodeNodePageProto(bytes.NewReader(raw), false, 500); err != nil {
			b.Fatal(err)
		}
	}
}
