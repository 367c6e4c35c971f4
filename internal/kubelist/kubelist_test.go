package kubelist_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/kubelist"
)

// TestAccept: Stream asks for the encodings its caller reads; List, whose
// decoder reads JSON only, asks for JSON.
func TestAccept(t *testing.T) {
	var mu sync.Mutex
	var accepts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		accepts = append(accepts, r.Header.Get("Accept"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"3"},"items":[]}`))
	}))
	defer srv.Close()
	client, err := rest.RESTClientFor(&rest.Config{Host: srv.URL, APIPath: "/api", ContentConfig: rest.ContentConfig{
		GroupVersion:         &schema.GroupVersion{Version: "v1"},
		AcceptContentTypes:   "application/vnd.kubernetes.protobuf,application/json",
		NegotiatedSerializer: serializer.NewCodecFactory(runtime.NewScheme()).WithoutConversion()}})
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := kubelist.List(t.Context(), client, "pods", metav1.ListOptions{}, &page); err != nil || page.Metadata.ResourceVersion != "3" {
		t.Fatalf("List: %v, %+v", err, page)
	}
	body, err := kubelist.Stream(t.Context(), client, "nodes", "application/vnd.kubernetes.protobuf, application/json", metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kubelist.Close(body)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"application/json", "application/vnd.kubernetes.protobuf, application/json"}
	if len(accepts) != 2 || accepts[0] != want[0] || accepts[1] != want[1] {
		t.Errorf("Accept headers %q; want %q", accepts, want)
	}
}
