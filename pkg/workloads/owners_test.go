package workloads_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/workloads"
)

type oneNode string

func (n oneNode) List(context.Context, metav1.ListOptions) (*corev1.NodeList, error) {
	return &corev1.NodeList{Items: []corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: string(n)}}}}, nil
}

// TestOwners: a ReplicaSet is a Deployment's only when its name is the
// Deployment's and the pod's template hash; an owner that is not the
// controller does not count; a pending Windows pod counts, a pod of
// another node does not.
func TestOwners(t *testing.T) {
	const pods = `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[
 {"metadata":{"name":"a-1","namespace":"n","labels":{"pod-template-hash":"abc"},"ownerReferences":[{"kind":"ReplicaSet","name":"bare-rs","controller":true}]},"spec":{"nodeName":"win","containers":[{"image":"i1"}]}},
 {"metadata":{"name":"b-1","namespace":"n","ownerReferences":[{"kind":"ConfigMap","name":"x"}]},"spec":{"nodeName":"win","containers":[{"image":"i2"}]}},
 {"metadata":{"name":"c-1","namespace":"n","ownerReferences":[{"kind":"ReplicaSet","name":"web-5d8f","controller":true}],"labels":{"pod-template-hash":"5d8f"}},"spec":{"nodeSelector":{"kubernetes.io/os":"windows"},"containers":[{"image":"i3"}]}},
 {"metadata":{"name":"d-1","namespace":"n"},"spec":{"nodeName":"linux","containers":[{"image":"i4"}]}}
]}`
	var query string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(pods))
	}))
	defer srv.Close()
	kube, err := drift.KubeClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := workloads.Reader{Nodes: oneNode("win"), Pods: kube}.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, u := range inv.Images {
		got[u.Image] = u.Workloads[0].String()
	}
	want := map[string]string{"i1": "ReplicaSet n/bare-rs", "i2": "Pod n/b-1", "i3": "Deployment n/web"}
	if len(got) != len(want) {
		t.Errorf("images %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if inv.Pods != 3 {
		t.Errorf("%d pods, want 3", inv.Pods)
	}
	if want := "fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500"; query != want {
		t.Errorf("pod list query %q, want %q", query, want)
	}
}

// TestForbidden: a refusal to list pods says which permission is missing.
func TestForbidden(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"pods is forbidden: User \"u\" cannot list resource \"pods\""}`))
	}))
	defer srv.Close()
	kube, err := drift.KubeClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = workloads.Reader{Nodes: oneNode("win"), Pods: kube}.Read(t.Context())
	if err == nil || err.Error() != "the credentials may not list nodes and pods (403 Forbidden): grant list on nodes and pods, cluster-wide, to your identity" {
		t.Errorf("forbidden: %v", err)
	}
}
