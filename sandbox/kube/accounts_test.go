package kube_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// A cluster maps only its own account's identities: a token presigned with
// another account's credentials is 401 Unauthorized, as EKS answers an IAM
// identity it does not map, on every path but the public ones, watches and
// patches included.
func TestTokenOfAnotherAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 3, ScaleNodes: 2})
	partner := sandboxtest.AsAccount(cfg, world.PartnerAccountID)
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	client := httpsClient(t, rc.CAData)
	theirs, err := sandboxtest.EKSToken(t.Context(), partner, world.DemoCluster)
	if err != nil {
		t.Fatal(err)
	}
	const status = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/nodes"},
		{http.MethodGet, "/api/v1/nodes?watch=true"},
		{http.MethodGet, "/api/v1/namespaces/kube-system/pods"},
		{http.MethodGet, "/apis/karpenter.sh/v1/nodepools"},
		{http.MethodPatch, "/apis/karpenter.sh/v1/nodepools/windows"},
	} {
		// A watch that is wrongly accepted streams: cut it short.
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, c.method, rc.Host+c.path, strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+theirs)
		req.Header.Set("Content-Type", "application/merge-patch+json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || strings.TrimSpace(string(body)) != status {
			t.Errorf("%s %s with the partner's token: %d %.200s", c.method, c.path, resp.StatusCode, body)
		}
	}
	// Through client-go, as kubectl would see it.
	rc.BearerToken = theirs
	cs := sandboxtest.Clientset(t, rc)
	if _, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("client-go with the partner's token: %v, want Unauthorized", err)
	}
	// The partner's own cluster takes its token, and refuses the default
	// account's.
	cfg.Region, partner.Region = "eu-west-1", "eu-west-1"
	if _, err := sandboxtest.Kubernetes(t, partner, "fleet-03").CoreV1().Nodes().List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Errorf("the partner's fleet-03 with its token: %v", err)
	}
	prc := sandboxtest.RESTConfig(t, partner, "fleet-03")
	prc.BearerToken, err = sandboxtest.EKSToken(t.Context(), cfg, "fleet-03")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sandboxtest.Clientset(t, prc).CoreV1().Nodes().List(t.Context(), metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("the partner's fleet-03 with the default account's token: %v, want Unauthorized", err)
	}
}
