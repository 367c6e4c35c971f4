package kube

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// TestAppendNodeMatchesEncodingJSON: the hand-written JSON of nodes and
// lists is what encoding/json makes of the documented wire structs.
func TestAppendNodeMatchesEncodingJSON(t *testing.T) {
	w := world.Seed(1)
	nodes := w.Region("us-east-1").Clusters[world.DemoCluster].Nodes
	odd := *nodes[0]
	odd.Labels = map[string]string{"a<&>": "\"q\"\\\n\t\r\x01\u2028\u2029é\xff"}
	odd.Annotations = map[string]string{"x": "y"}
	odd.Ready = false
	cordoned := *nodes[1]
	cordoned.ProviderID = ""
	cordoned.Unschedulable = true
	cordoned.Taints = []world.Taint{{Key: world.UnschedulableTaint, Effect: "NoSchedule"}, {Key: "k", Value: "v<", Effect: "NoExecute"}}
	now := time.Date(2026, time.November, 28, 9, 0, 0, 0, time.UTC)
	ni := newNodeImages(w, "us-east-1")
	for _, n := range append([]*world.Node{&odd, &cordoned}, nodes...) {
		imgs := ni.of(n)
		want := toNode(n, now, imgs)
		want.Kind, want.APIVersion = "Node", "v1"
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendNode(nil, n, now, true, imgs); !bytes.Equal(got, wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", n.Name, got, wantJSON)
		}
	}
	remaining := int64(3)
	meta := listMetaJSON{ResourceVersion: "7", Continue: "c", RemainingItemCount: &remaining}
	list := nodeListJSON{Kind: "NodeList", APIVersion: "v1", Metadata: meta}
	for _, n := range nodes[:3] {
		list.Items = append(list.Items, toNode(n, now, ni.of(n)))
	}
	wantJSON, _ := json.Marshal(list)
	if got := appendNodeList(nil, meta, nodes[:3], now, ni); !bytes.Equal(got, wantJSON) {
		t.Errorf("list:\n got %s\nwant %s", got, wantJSON)
	}
	empty, _ := json.Marshal(nodeListJSON{Kind: "NodeList", APIVersion: "v1", Metadata: listMetaJSON{ResourceVersion: "7"}, Items: []nodeJSON{}})
	if got := appendNodeList(nil, listMetaJSON{ResourceVersion: "7"}, nil, now, ni); !bytes.Equal(got, empty) {
		t.Errorf("empty list: got %s, want %s", got, empty)
	}
}

func BenchmarkAppendNode(b *testing.B) {
	n := world.Seed(1).Region("us-east-1").Clusters[world.DemoCluster].Nodes[3]
	now := time.Now()
	buf := make([]byte, 0, 4096)
	for b.Loop() {
		buf = appendNode(buf[:0], n, now, false, nil)
	}
}

// TestNodeEncoderKeysFromNodeToNode: one encoder writes a run of nodes
// whose label keys repeat, change to others as many, shrink and grow, each
// as encoding/json writes it alone (the key order it keeps from the last
// node must never be used for a map of other keys).
func TestNodeEncoderKeysFromNodeToNode(t *testing.T) {
	base := *world.Seed(1).Region("us-east-1").Clusters[world.DemoCluster].Nodes[0]
	now := time.Date(2026, time.November, 28, 9, 0, 0, 0, time.UTC)
	runs := []struct{ labels, annotations map[string]string }{
		{map[string]string{"b": "1", "a": "2", "c": "3"}, map[string]string{"x": "1"}},
		{map[string]string{"c": "4", "b": "5", "a": "6"}, map[string]string{"x": "2"}}, // same keys
		{map[string]string{"a": "7", "b": "8", "d": "9"}, map[string]string{"y": "3"}}, // as many, one other
		{map[string]string{"d": "1", "a": "2"}, nil},                                   // fewer
		{map[string]string{"z": "1", "d": "2", "a": "3", "m": "4"}, map[string]string{"y": "4", "w": "5"}},
		{map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"x": "6"}},
	}
	e := newNodeEncoder(now)
	for i, run := range runs {
		n := base
		n.Labels, n.Annotations = run.labels, run.annotations
		wantJSON, err := json.Marshal(toNode(&n, now, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.appendNode(nil, &n, false, nil); !bytes.Equal(got, wantJSON) {
			t.Errorf("node %d:\n got %s\nwant %s", i, got, wantJSON)
		}
	}
}
