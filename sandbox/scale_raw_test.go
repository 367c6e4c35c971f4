package sandbox_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// The raw benchmarks time the sandbox's side of a drift report over ten
// thousand nodes: the same requests as the SDK and client-go make, with the
// replies read but not decoded into SDK or API types (which is where those
// clients spend most of their time).

// rawGet reads a URL with a bearer token and returns the body.
func rawGet(b *testing.B, c *http.Client, u, token string) []byte {
	b.Helper()
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return serveRead(b, c, req)
}

func BenchmarkScaleRaw(b *testing.B) {
	srv, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, ScaleNodes: scaleNodes})
	rc := sandboxtest.RESTConfig(b, cfg, world.ScaleCluster)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(rc.CAData)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	var ids []string
	listAll := func() {
		ids = ids[:0]
		cont := ""
		for {
			var page struct {
				Metadata struct{ Continue string }
				Items    []struct{ Spec struct{ ProviderID string } }
			}
			body := rawGet(b, client, rc.Host+"/api/v1/nodes?limit=500&continue="+url.QueryEscape(cont), rc.BearerToken)
			if err := json.Unmarshal(body, &page); err != nil {
				b.Fatal(err)
			}
			for _, it := range page.Items {
				ids = append(ids, it.Spec.ProviderID[strings.LastIndexByte(it.Spec.ProviderID, '/')+1:])
			}
			if cont = page.Metadata.Continue; cont == "" {
				return
			}
		}
	}
	b.Run("list-500", func(b *testing.B) {
		for b.Loop() {
			listAll()
		}
		if len(ids) != scaleNodes {
			b.Fatalf("%d nodes", len(ids))
		}
	})
	b.Run("describe-1000", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for i := 0; i < len(ids); i += 1000 {
				form := url.Values{"Action": {"DescribeInstances"}, "Version": {"2016-11-15"}}
				for j, id := range ids[i:min(i+1000, len(ids))] {
					form.Set(fmt.Sprintf("InstanceId.%d", j+1), id)
				}
				req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL()+"/", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				n += strings.Count(string(body), "<reservationId>")
			}
			if n != scaleNodes {
				b.Fatalf("%d instances", n)
			}
		}
	})
}
