package drift_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/drift"
)

// TestKubeClientRefusals: the API server's Status replies reach the user
// as the explained 401 and 403, with the server's own message, and the
// version is read from /version, all without the typed clientset.
func TestKubeClientRefusals(t *testing.T) {
	for _, tc := range []struct {
		code         int
		reason, want string
	}{
		{401, "Unauthorized", "refused the credentials (401 Unauthorized)"},
		{403, "Forbidden", "may not read nodes (403 Forbidden)"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/version" {
				fmt.Fprint(w, `{"major":"1","minor":"35","gitVersion":"v1.35.2-eks-1"}`)
				return
			}
			w.WriteHeader(tc.code)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nodes is forbidden: User \"bob\" cannot list","reason":%q,"code":%d}`, tc.reason, tc.code)
		}))
		kube, err := drift.KubeClient(&rest.Config{Host: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := drift.ServerVersion(t.Context(), kube); err != nil || v != "v1.35.2-eks-1" {
			t.Errorf("ServerVersion = %q, %v", v, err)
		}
		_, err = drift.Run(t.Context(), drift.Sources{Nodes: drift.LeanNodes{Client: kube}}, drift.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `User "bob" cannot list`) {
			t.Errorf("%d: %v; want %q and the server's message", tc.code, err, tc.want)
		}
		srv.Close()
	}
}
