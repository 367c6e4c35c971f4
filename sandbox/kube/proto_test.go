package kube_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const (
	acceptJSON     = "application/json"
	acceptProtobuf = "application/vnd.kubernetes.protobuf"
)

// rawClient sends plain requests to a sandbox cluster's API, as the
// tests' clientsets would but with the headers the test chooses.
type rawClient struct {
	rc     *rest.Config
	client *http.Client
}

func newRawClient(t *testing.T, rc *rest.Config) *rawClient {
	t.Helper()
	c, err := rest.HTTPClientFor(rc)
	if err != nil {
		t.Fatal(err)
	}
	return &rawClient{rc: rc, client: c}
}

type rawReply struct {
	status      int
	contentType string
	body        []byte
}

func (c *rawClient) get(t *testing.T, path, accept string) rawReply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.rc.Host+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawReply{resp.StatusCode, resp.Header.Get("Content-Type"), body}
}

// decodeProto decodes a protobuf reply with apimachinery's serializer, as
// client-go does, and checks the type it names.
func decodeProto(t *testing.T, r rawReply, into runtime.Object, kind string) {
	t.Helper()
	if r.contentType != acceptProtobuf {
		t.Fatalf("Content-Type %q, want %s (%d %.200s)", r.contentType, acceptProtobuf, r.status, r.body)
	}
	s := protobuf.NewSerializer(scheme.Scheme, scheme.Scheme)
	_, gvk, err := s.Decode(r.body, nil, into)
	if err != nil {
		t.Fatalf("decoding protobuf: %v", err)
	}
	if want := (schema.GroupVersionKind{Version: "v1", Kind: kind}); *gvk != want {
		t.Fatalf("protobuf names %v, want %v", gvk, want)
	}
}

func decodeJSON(t *testing.T, r rawReply, into any) {
	t.Helper()
	if r.status != http.StatusOK || r.contentType != acceptJSON {
		t.Fatalf("%d %q: %.200s", r.status, r.contentType, r.body)
	}
	if err := json.Unmarshal(r.body, into); err != nil {
		t.Fatal(err)
	}
}

// sameNodesBothWays pages through the nodes, each page fetched as JSON and
// as protobuf, and checks that the two decode to the same list (continue
// token and resourceVersion included), and each node got alone too.
func sameNodesBothWays(t *testing.T, c *rawClient, query url.Values, wantNodes int) {
	t.Helper()
	seen := 0
	for pages := 0; ; pages++ {
		if pages > wantNodes+1 {
			t.Fatal("paging does not end")
		}
		path := "/api/v1/nodes?" + query.Encode()
		var fromJSON, fromProto corev1.NodeList
		decodeJSON(t, c.get(t, path, acceptJSON), &fromJSON)
		decodeProto(t, c.get(t, path, acceptProtobuf), &fromProto, "NodeList")
		fromJSON.TypeMeta, fromProto.TypeMeta = metav1.TypeMeta{}, metav1.TypeMeta{}
		if fromProto.Continue != fromJSON.Continue || fromProto.ResourceVersion != fromJSON.ResourceVersion {
			t.Fatalf("%s: protobuf continue %q rv %q, JSON continue %q rv %q", path,
				fromProto.Continue, fromProto.ResourceVersion, fromJSON.Continue, fromJSON.ResourceVersion)
		}
		if !apiequality.Semantic.DeepEqual(fromProto, fromJSON) {
			t.Fatalf("%s: protobuf and JSON differ:\nprotobuf %v\nJSON     %v", path, fromProto, fromJSON)
		}
		for _, n := range fromJSON.Items[:min(3, len(fromJSON.Items))] {
			var one, oneProto corev1.Node
			decodeJSON(t, c.get(t, "/api/v1/nodes/"+n.Name, acceptJSON), &one)
			decodeProto(t, c.get(t, "/api/v1/nodes/"+n.Name, acceptProtobuf), &oneProto, "Node")
			one.TypeMeta, oneProto.TypeMeta = metav1.TypeMeta{}, metav1.TypeMeta{}
			if !apiequality.Semantic.DeepEqual(oneProto, one) || !apiequality.Semantic.DeepEqual(one, n) {
				t.Fatalf("node %s: protobuf %v\nJSON %v\nin the list %v", n.Name, oneProto, one, n)
			}
		}
		seen += len(fromJSON.Items)
		if fromJSON.Continue == "" {
			break
		}
		query.Set("continue", fromProto.Continue)
	}
	if seen != wantNodes {
		t.Errorf("%d nodes in all pages, want %d", seen, wantNodes)
	}
}

// The nodes of a fleet cluster, in pages of 200 of the 500, are the same
// in protobuf as in JSON.
func TestFleetNodesProtobufEqualsJSON(t *testing.T) {
	// A fixed clock: a node's heartbeat is the sandbox's now, which must not
	// move to the next second between two fetches of the same node.
	clk := sandboxtest.NewClock(time.Now().UTC().Truncate(time.Second))
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 1, ScaleNodes: 500, Now: clk.Now})
	c := newRawClient(t, sandboxtest.RESTConfig(t, cfg, world.FleetClusterName(0)))
	sameNodesBothWays(t, c, url.Values{"labelSelector": {"kubernetes.io/os=windows"}, "limit": {"200"}}, 500)
}

// The demo cluster's nodes (images, taints, labels), some of them cordoned
// by a node group update under way, are the same in protobuf as in JSON.
func TestDemoNodesProtobufEqualsJSON(t *testing.T) {
	clk := sandboxtest.NewClock(time.Now().UTC().Truncate(time.Second))
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now, RolloutPace: 10 * time.Second})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	c := newRawClient(t, rc)
	_, err := eks.NewFromConfig(cfg).UpdateNodegroupVersion(t.Context(), &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(world.DemoCluster), NodegroupName: aws.String("windows-core-b"),
		ReleaseVersion: aws.String("1.35-2026.11.11")})
	if err != nil {
		t.Fatal(err)
	}
	cordoned := func() bool {
		var list corev1.NodeList
		decodeJSON(t, c.get(t, "/api/v1/nodes", acceptJSON), &list)
		return slices.ContainsFunc(list.Items, func(n corev1.Node) bool { return n.Spec.Unschedulable && len(n.Spec.Taints) > 0 })
	}
	for range 30 {
		if cordoned() {
			break
		}
		clk.Advance(3 * time.Second)
	}
	if !cordoned() {
		t.Fatal("no node was cordoned by the update")
	}
	var all corev1.NodeList
	decodeJSON(t, c.get(t, "/api/v1/nodes", acceptJSON), &all)
	if !slices.ContainsFunc(all.Items, func(n corev1.Node) bool { return len(n.Status.Images) > 0 }) {
		t.Fatal("no node lists images")
	}
	sameNodesBothWays(t, c, url.Values{"limit": {"5"}}, len(all.Items))
}

// A clientset configured for protobuf, as winami's node lister is, lists
// and gets nodes, receiving protobuf, and sees what a JSON one sees.
func TestProtobufClientset(t *testing.T) {
	clk := sandboxtest.NewClock(time.Now().UTC().Truncate(time.Second)) // as in TestFleetNodesProtobufEqualsJSON
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	var contentTypes []string
	rc.ContentType = acceptProtobuf
	rc.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := rt.RoundTrip(r)
			if err == nil {
				contentTypes = append(contentTypes, resp.Header.Get("Content-Type"))
			}
			return resp, err
		})
	}
	pb := sandboxtest.Clientset(t, rc)
	jsonRC := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	jsonRC.ContentType, jsonRC.AcceptContentTypes = acceptJSON, acceptJSON
	js := sandboxtest.Clientset(t, jsonRC)

	opts := metav1.ListOptions{LabelSelector: "kubernetes.io/os=windows", Limit: 4}
	got, err := pb.CoreV1().Nodes().List(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := js.CoreV1().Nodes().List(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 4 || got.Continue == "" || !apiequality.Semantic.DeepEqual(got, want) {
		t.Fatalf("protobuf clientset's list:\n%v\nJSON clientset's:\n%v", got, want)
	}
	node, err := pb.CoreV1().Nodes().Get(t.Context(), got.Items[1].Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(*node, got.Items[1]) {
		t.Errorf("got %v\nlisted %v", node, got.Items[1])
	}
	if _, err := pb.CoreV1().Nodes().Get(t.Context(), "nope", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("missing node: %v", err)
	}
	if want := []string{acceptProtobuf, acceptProtobuf, acceptProtobuf}; !slices.Equal(contentTypes, want) {
		t.Errorf("replies' Content-Types %q, want %q", contentTypes, want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
