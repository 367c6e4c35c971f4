package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// nodePageJSON is a page of n Windows nodes (nodePage) as an API server
// writes it in JSON (encoding/json of client-go's types).
func nodePageJSON(t testing.TB, n int) []byte {
	t.Helper()
	raw, err := json.Marshal(nodePage(n))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// nodePage is a page of n Windows nodes with what a node carries besides
// what drift reads: managed fields, annotations, taints, addresses,
// capacity, images with sizes, daemon endpoints.
func nodePage(n int) *corev1.NodeList {
	created := metav1.NewTime(time.Date(2026, 11, 14, 0, 5, 24, 0, time.UTC))
	list := corev1.NodeList{TypeMeta: metav1.TypeMeta{Kind: "NodeList", APIVersion: "v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: "200000", Continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"}}
	for i := range n {
		name := fmt.Sprintf("ip-10-100-%d-%d.ec2.internal", i/250, i%250)
		node := corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: "cd57791a-1877-4d60-aa57-80742c3d9caa", ResourceVersion: "200000", CreationTimestamp: created,
				Labels: map[string]string{
					"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "windows", labelNodegroup: fmt.Sprintf("windows-%d", i%4),
					"eks.amazonaws.com/nodegroup-image": "ami-08b2265c48fb593ca", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
					labelOS: "windows", "node.kubernetes.io/instance-type": "m6i.xlarge", labelWindowsBuild: "10.0.20348",
					"topology.kubernetes.io/region": "us-east-1", "topology.kubernetes.io/zone": "us-east-1a",
				},
				Annotations: map[string]string{"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet.exe", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1",
					Time: &created, FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:metadata":{"f:labels":{".":{},"f:kubernetes.io/os":{}}}}`)}},
			},
			Spec: corev1.NodeSpec{ProviderID: fmt.Sprintf("aws:///us-east-1a/i-%017x", i),
				Taints: []corev1.Taint{{Key: "os", Value: "windows", Effect: corev1.TaintEffectNoSchedule}}},
			Status: corev1.NodeStatus{
				Capacity:        corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("16106488Ki")},
				Allocatable:     corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")},
				Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.100.0.1"}, {Type: corev1.NodeHostName, Address: name}},
				DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
				NodeInfo: corev1.NodeSystemInfo{MachineID: "m", SystemUUID: "EC2A", BootID: "b", KernelVersion: "10.0.20348.4391",
					OSImage: "Windows Server 2022 Datacenter", ContainerRuntimeVersion: "containerd://1.7.27", KubeletVersion: "v1.35.2-eks-3f1c2e7",
					OperatingSystem: "windows", Architecture: "amd64"},
			},
		}
		for _, c := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeReady} {
			status := corev1.ConditionFalse
			if c == corev1.NodeReady && i%7 != 0 {
				status = corev1.ConditionTrue
			}
			node.Status.Conditions = append(node.Status.Conditions, corev1.NodeCondition{Type: c, Status: status,
				LastHeartbeatTime: created, LastTransitionTime: created, Reason: "KubeletReady", Message: "kubelet is posting ready status"})
		}
		for j := range 12 {
			node.Status.Images = append(node.Status.Images, corev1.ContainerImage{
				Names:     []string{fmt.Sprintf("mcr.microsoft.com/windows/servercore@sha256:%064x", j), fmt.Sprintf("mcr.microsoft.com/windows/servercore:ltsc2022-%d", j)},
				SizeBytes: 2246056901})
		}
		list.Items = append(list.Items, node)
	}
	return &list
}

// keptOfNode is what decodeNodePage promises of a node, taken from a node
// decoded whole.
func keptOfNode(n corev1.Node, images bool) corev1.Node {
	out := corev1.Node{}
	out.Name, out.CreationTimestamp = n.Name, n.CreationTimestamp
	for _, k := range []string{labelOS, labelWindowsBuild, labelNodegroup, labelNodepool} {
		if v := n.Labels[k]; v != "" {
			if out.Labels == nil {
				out.Labels = map[string]string{}
			}
			out.Labels[k] = v
		}
	}
	out.Spec.ProviderID = n.Spec.ProviderID
	info := n.Status.NodeInfo
	out.Status.NodeInfo = corev1.NodeSystemInfo{KubeletVersion: info.KubeletVersion, KernelVersion: info.KernelVersion,
		OSImage: info.OSImage, ContainerRuntimeVersion: info.ContainerRuntimeVersion}
	for _, c := range n.Status.Conditions {
		out.Status.Conditions = append(out.Status.Conditions, corev1.NodeCondition{Type: c.Type, Status: c.Status})
	}
	if images {
		out.Spec.Unschedulable = n.Spec.Unschedulable
		for _, im := range n.Status.Images {
			out.Status.Images = append(out.Status.Images, corev1.ContainerImage{Names: im.Names})
		}
	}
	return out
}

// TestDecodeNodePageAsClientGo: each page decoded by the walk equals the
// same page decoded whole into client-go's types, cut to what the walk
// keeps, with and without images.
func TestDecodeNodePageAsClientGo(t *testing.T) {
	generated := nodePageJSON(t, 20)
	// What an API server may also send: escaped names and values, nulls,
	// members in another order, unknown members of every kind.
	handWritten := []byte(`{"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[
	 {"status":{"images":[{"names":["a\u00e9","b"],"sizeBytes":1},{"names":null}],"conditions":null,"nodeInfo":{"kubeletVersion":"v1.35.2","osImage":"Windows \"Server\" 2025"},"extra":[1,2.5e3,{"x":[true,false,null]}]},
	  "spec":{"unschedulable":true,"providerID":"aws:///eu-west-1b/i-0abc"},
	  "metadata":{"labels":{"kubernetes.io\/os":"windows","karpenter.sh\u002fnodepool":"default","node.kubernetes.io/windows-build":"","other":"x"},"name":"n\u00e9","creationTimestamp":"2026-01-02T03:04:05Z"}},
	 {"metadata":{"name":"bare","labels":null,"creationTimestamp":null},"spec":null,"status":{"conditions":[{"type":"Ready","status":"Unknown","reason":null}]}}
	]}`)
	for name, raw := range map[string][]byte{"generated": generated, "hand-written": handWritten} {
		var whole corev1.NodeList
		if err := json.Unmarshal(raw, &whole); err != nil {
			t.Fatal(name, err)
		}
		for _, images := range []bool{false, true} {
			got, err := decodeNodePage(bytes.NewReader(raw), images, 0)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Continue != whole.Continue || got.ResourceVersion != whole.ResourceVersion || len(got.Items) != len(whole.Items) {
				t.Fatalf("%s: list meta %+v, %d items; want %+v, %d", name, got.ListMeta, len(got.Items), whole.ListMeta, len(whole.Items))
			}
			for i := range whole.Items {
				if want := keptOfNode(whole.Items[i], images); !reflect.DeepEqual(got.Items[i], want) {
					g, _ := json.Marshal(got.Items[i])
					w, _ := json.Marshal(want)
					t.Errorf("%s (images %v) item %d:\n got %s\nwant %s", name, images, i, g, w)
				}
			}
		}
	}
}

// TestDecodeNodePageRefuses a page that is not a node list: an error, not
// a short or empty list.
func TestDecodeNodePageRefuses(t *testing.T) {
	page := string(nodePageJSON(t, 2))
	for name, raw := range map[string]string{
		"cut short":        page[:len(page)/2],
		"more after it":    page + `{}`,
		"labels an array":  strings.Replace(page, `"labels":{`, `"labels":["x",{`, 1),
		"name a number":    strings.Replace(page, `"name":"ip-10-100-0-0.ec2.internal"`, `"name":12`, 1),
		"items an object":  `{"items":{"a":1}}`,
		"bad escape":       strings.Replace(page, `"windows-0"`, `"windows\x-0"`, 1),
		"not JSON":         `<html>proxy error</html>`,
		"unschedulable 1":  strings.Replace(page, `"providerID"`, `"unschedulable":1,"providerID"`, 1),
		"condition a list": strings.Replace(page, `"conditions":[{`, `"conditions":[[{`, 1),
	} {
		if _, err := decodeNodePage(strings.NewReader(raw), true, 0); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkDecodeNodePage: a 500-node page.
func BenchmarkDecodeNodePage(b *testing.B) {
	raw := nodePageJSON(b, 500)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := decodeNodePage(bytes.NewReader(raw), false, 500); err != nil {
			b.Fatal(err)
		}
	}
}
