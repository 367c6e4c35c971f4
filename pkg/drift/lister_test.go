package drift

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// TestLeanNodesEncodings: LeanNodes reads the node list an API server
// sends in protobuf when asked for it, and in JSON from one that speaks
// only JSON; a refusal in either is the server's Status, message and all.
func TestLeanNodesEncodings(t *testing.T) {
	list := variedPage(5)
	list.Continue = "next"
	pageJSON, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	pageProto := protoPage(t, list)
	forbidden := &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Message: `nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope`,
		Reason:  metav1.StatusReasonForbidden, Details: &metav1.StatusDetails{Kind: "nodes"}, Code: http.StatusForbidden}
	statusJSON, err := json.Marshal(forbidden)
	if err != nil {
		t.Fatal(err)
	}
	statusProto := protoPage(t, forbidden)
	want, err := decodeNodePage(strings.NewReader(string(pageJSON)), true, 500)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name          string
		protobuf      bool // the server speaks protobuf
		code          int
		wantSent      string // the Content-Type the server chose
		wantForbidden bool
	}{
		{name: "protobuf", protobuf: true, code: 200, wantSent: contentTypeProtobuf},
		{name: "JSON only", code: 200, wantSent: "application/json"},
		{name: "403 in protobuf", protobuf: true, code: 403, wantSent: contentTypeProtobuf, wantForbidden: true},
		{name: "403 in JSON", code: 403, wantSent: "application/json", wantForbidden: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/v1/nodes" || r.URL.Query().Get("limit") != "500" {
					http.NotFound(w, r)
					return
				}
				ct, body := "application/json", pageJSON
				if tc.protobuf && strings.HasPrefix(r.Header.Get("Accept"), contentTypeProtobuf) {
					ct, body = contentTypeProtobuf, pageProto
				}
				if tc.code != 200 {
					body = statusJSON
					if ct == contentTypeProtobuf {
						body = statusProto
					}
				}
				mu.Lock()
				sent = ct
				mu.Unlock()
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tc.code)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			kube, err := KubeClient(&rest.Config{Host: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			got, err := LeanNodes{Client: kube, Images: true}.List(t.Context(), metav1.ListOptions{Limit: 500})
			mu.Lock()
			defer mu.Unlock()
			if sent != tc.wantSent {
				t.Errorf("the server sent %q; want %q", sent, tc.wantSent)
			}
			if tc.wantForbidden {
				if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), forbidden.Message) {
					t.Fatalf("List = %v; want the server's 403 %q", err, forbidden.Message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ListMeta != want.ListMeta || !reflect.DeepEqual(got.Items, want.Items) {
				t.Errorf("List = %+v; want %+v", got, want)
			}
		})
	}
}
