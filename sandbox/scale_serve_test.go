package sandbox_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// fleetClusterNodes is a fleet cluster's size in issue 15's fleet
// (`winami sandbox --clusters 20 --nodes 500`).
const fleetClusterNodes = 500

// BenchmarkServeFleetCluster times what the sandbox serves for one fleet
// cluster of a drift run, over loopback through plain net/http: the Windows
// node list in one page of 500 over TLS (as JSON and as protobuf), and DescribeInstances of those 500
// instances. ns/op and allocs/op count the client's side too (reading the
// bytes, not decoding them), which is small beside the sandbox's.
func BenchmarkServeFleetCluster(b *testing.B) {
	srv, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, FleetClusters: 1, ScaleNodes: fleetClusterNodes})
	cluster := world.FleetClusterName(0)
	rc := sandboxtest.RESTConfig(b, cfg, cluster)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(rc.CAData)
	kube := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	plain := &http.Client{Transport: &http.Transport{}}
	nodesURL := rc.Host + "/api/v1/nodes?labelSelector=" + url.QueryEscape("kubernetes.io/os=windows") + "&limit=500"

	listNodesAs := func(accept string) []byte {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, nodesURL, nil)
		req.Header.Set("Authorization", "Bearer "+rc.BearerToken)
		req.Header.Set("Accept", accept)
		return serveRead(b, kube, req)
	}
	listNodes := func() []byte { return listNodesAs("application/json") }
	const protobuf = "application/vnd.kubernetes.protobuf"
	if body := listNodesAs(protobuf + ",application/json"); !bytes.HasPrefix(body, []byte("k8s\x00")) {
		b.Fatalf("the protobuf node list starts %q", body[:min(len(body), 16)])
	}
	idPattern := regexp.MustCompile(`"providerID":"aws:///[^/]+/(i-[0-9a-f]+)"`)
	var form url.Values
	for j, m := range idPattern.FindAllSubmatch(listNodes(), -1) {
		if j == 0 {
			form = url.Values{"Action": {"DescribeInstances"}, "Version": {"2016-11-15"}}
		}
		form.Set(fmt.Sprintf("InstanceId.%d", j+1), string(m[1]))
	}
	if len(form)-2 != fleetClusterNodes {
		b.Fatalf("%d instance IDs in the node list, want %d", len(form)-2, fleetClusterNodes)
	}
	body := form.Encode()
	describe := func() []byte {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL()+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
		return serveRead(b, plain, req)
	}
	if n := strings.Count(string(describe()), "<instanceId>"); n != fleetClusterNodes {
		b.Fatalf("DescribeInstances: %d instances, want %d", n, fleetClusterNodes)
	}

	b.Run("nodes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			listNodes()
		}
	})
	// As winami asks for it (pkg/drift's node lister).
	b.Run("nodes-protobuf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			listNodesAs(protobuf + ",application/json")
		}
	})
	b.Run("instances", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			describe()
		}
	})
}

func serveRead(b *testing.B, c *http.Client, req *http.Request) []byte {
	b.Helper()
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %d %v", req.Method, req.URL, resp.StatusCode, err)
	}
	return body
}
