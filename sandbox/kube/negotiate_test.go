package kube_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// kubectlAccept is what kubectl get sends for server-side printing.
const kubectlAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

// The reply's encoding follows the Accept header as kube-apiserver
// negotiates it; what an endpoint cannot serve is refused with 406.
func TestAcceptNegotiation(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	c := newRawClient(t, sandboxtest.RESTConfig(t, cfg, world.DemoCluster))
	const (
		nodes     = "/api/v1/nodes"
		nodePools = "/apis/karpenter.sh/v1/nodepools"
		pods      = "/api/v1/namespaces/kube-system/pods"
		// want: the reply's kind in JSON, "protobuf", or "406".
		protobufReply = "protobuf"
		refused       = "406"
	)
	for _, tc := range []struct{ path, accept, want string }{
		{nodes, "", "NodeList"},
		{nodes, "application/json", "NodeList"},
		{nodes, "application/vnd.kubernetes.protobuf", protobufReply},
		{nodes, "application/vnd.kubernetes.protobuf, */*", protobufReply},
		{nodes, "application/vnd.kubernetes.protobuf,application/json", protobufReply},
		{nodes, "application/json,application/vnd.kubernetes.protobuf", "NodeList"},
		{nodes, "application/json;q=0.5, application/vnd.kubernetes.protobuf", protobufReply},
		{nodes, "application/vnd.kubernetes.protobuf;q=0.1, application/json;q=0.9", "NodeList"},
		// q=0 sorts last but is not refused: kube-apiserver serves it.
		{nodes, "application/json;q=0", "NodeList"},
		{nodes, "application/json;q=0, application/vnd.kubernetes.protobuf;q=0.5", protobufReply},
		{nodes, "*/*", "NodeList"},
		{nodes, "application/*", "NodeList"},
		{nodes, "*/*;q=0.5, application/vnd.kubernetes.protobuf", protobufReply},
		{nodes, "application/vnd.kubernetes.protobuf;stream=watch", protobufReply},
		{nodes, "application/vnd.kubernetes.protobuf;stream=other", refused},
		{nodes, "text/html", refused},
		{nodes, "application/yaml", refused},
		{nodes, "text/html, application/yaml;q=0.9", refused},
		{nodes, kubectlAccept, "Table"},
		{nodes, "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io", refused},
		{nodes, "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json", "NodeList"},
		{nodes, "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io, application/vnd.kubernetes.protobuf", protobufReply},
		{nodes + "/ip-172-31-0-6.ec2.internal", "application/vnd.kubernetes.protobuf", protobufReply},
		{nodes + "/ip-172-31-0-6.ec2.internal", "application/json, application/vnd.kubernetes.protobuf", "Node"},
		{nodes + "/ip-172-31-0-6.ec2.internal", "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, text/plain", refused},
		{nodePools, "application/vnd.kubernetes.protobuf", refused},
		{nodePools, "application/vnd.kubernetes.protobuf, application/json", "NodePoolList"},
		{nodePools, "application/vnd.kubernetes.protobuf, */*", "NodePoolList"},
		{nodePools, kubectlAccept, "Table"},
		{pods, "application/vnd.kubernetes.protobuf", refused},
		{pods, "application/vnd.kubernetes.protobuf, application/json", "PodList"},
		{pods, kubectlAccept, "PodList"},
	} {
		r := c.get(t, tc.path, tc.accept)
		switch tc.want {
		case protobufReply:
			if r.status != http.StatusOK || r.contentType != acceptProtobuf {
				t.Errorf("%s, Accept %q: %d %q, want protobuf", tc.path, tc.accept, r.status, r.contentType)
			}
		case refused:
			st := jsonStatus(t, r)
			if r.status != http.StatusNotAcceptable || st.Reason != metav1.StatusReasonNotAcceptable || st.Code != http.StatusNotAcceptable {
				t.Errorf("%s, Accept %q: %d %+v, want a 406 NotAcceptable Status", tc.path, tc.accept, r.status, st)
			}
		default:
			var obj metav1.TypeMeta
			if r.status != http.StatusOK || r.contentType != acceptJSON || json.Unmarshal(r.body, &obj) != nil || obj.Kind != tc.want {
				t.Errorf("%s, Accept %q: %d %q kind %q, want JSON %s", tc.path, tc.accept, r.status, r.contentType, obj.Kind, tc.want)
			}
		}
	}
	// The 406 names what the endpoint serves.
	if st := jsonStatus(t, c.get(t, nodePools, acceptProtobuf)); st.Message != "only the following media types are accepted: application/json" {
		t.Errorf("custom resources: %q", st.Message)
	}
	if st := jsonStatus(t, c.get(t, nodes, "text/html")); st.Message != "only the following media types are accepted: application/json, application/vnd.kubernetes.protobuf" {
		t.Errorf("nodes: %q", st.Message)
	}
}

func jsonStatus(t *testing.T, r rawReply) metav1.Status {
	t.Helper()
	var st metav1.Status
	if r.contentType != acceptJSON || json.Unmarshal(r.body, &st) != nil || st.Kind != "Status" {
		t.Errorf("not a JSON Status: %q %.200s", r.contentType, r.body)
	}
	return st
}

// Errors are protobuf Statuses when protobuf is preferred (with no
// conversion: a Table request's errors are JSON), JSON otherwise.
func TestErrorsInProtobuf(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	c := newRawClient(t, rc)
	protoStatus := func(r rawReply) metav1.Status {
		t.Helper()
		var st metav1.Status
		decodeProto(t, r, &st, "Status")
		return st
	}
	if st := protoStatus(c.get(t, "/api/v1/nodes/nope", acceptProtobuf+", application/json")); st.Code != http.StatusNotFound ||
		st.Reason != metav1.StatusReasonNotFound || st.Details == nil || st.Details.Name != "nope" || st.Message != `nodes "nope" not found` {
		t.Errorf("missing node: %+v", st)
	}
	if st := protoStatus(c.get(t, "/api/v1/nodes?limit=x", acceptProtobuf)); st.Code != http.StatusBadRequest || st.Reason != metav1.StatusReasonBadRequest {
		t.Errorf("bad limit: %+v", st)
	}
	if st := jsonStatus(t, c.get(t, "/api/v1/nodes/nope", "application/json, "+acceptProtobuf)); st.Code != http.StatusNotFound {
		t.Errorf("missing node, JSON preferred: %+v", st)
	}
	if st := jsonStatus(t, c.get(t, "/api/v1/nodes/nope", "application/json;as=Table;v=v1;g=meta.k8s.io")); st.Code != http.StatusNotFound {
		t.Errorf("missing node, Table: %+v", st)
	}
	bad := rest.CopyConfig(rc)
	bad.BearerToken = "k8s-aws-v1.bm9wZQ"
	if st := protoStatus(newRawClient(t, bad).get(t, "/api/v1/nodes", acceptProtobuf)); st.Code != http.StatusUnauthorized || st.Reason != metav1.StatusReasonUnauthorized {
		t.Errorf("bad token: %+v", st)
	}
	if r := c.get(t, "/api/v1/nodes?watch=true&timeoutSeconds=1", acceptProtobuf); r.status != http.StatusNotAcceptable || jsonStatus(t, r).Reason != metav1.StatusReasonNotAcceptable {
		t.Errorf("a protobuf-only watch: %d %s", r.status, r.body)
	}
	// A watch with JSON acceptable too streams JSON.
	r := c.get(t, "/api/v1/nodes?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dip-172-31-0-6.ec2.internal", acceptProtobuf+", application/json")
	var ev struct {
		Type   string      `json:"type"`
		Object corev1.Node `json:"object"`
	}
	if r.status != http.StatusOK || r.contentType != acceptJSON || json.NewDecoder(bytes.NewReader(r.body)).Decode(&ev) != nil || ev.Object.Name != "ip-172-31-0-6.ec2.internal" {
		t.Errorf("watch: %d %q %.200s", r.status, r.contentType, r.body)
	}
}
