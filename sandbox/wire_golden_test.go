package sandbox_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// wireClock is the fixed time of the wire test's sandbox: every timestamp
// that follows the clock (kubelet heartbeats) is then the same on every run.
var wireClock = time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)

// wireRecorder sends raw requests to a sandbox and records what comes back,
// byte for byte, as one transcript.
type wireRecorder struct {
	t      *testing.T
	base   string // http://127.0.0.1:port, masked as SANDBOX in the transcript
	tls    *http.Client
	plain  *http.Client
	out    bytes.Buffer
	access string // the access key of the next AWS request
}

func (r *wireRecorder) record(name string, resp *http.Response) []byte {
	r.t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	host := strings.TrimPrefix(r.base, "http://")
	masked := strings.ReplaceAll(string(body), host, "SANDBOX")
	fmt.Fprintf(&r.out, "### %s\n%d %s\n%s\n\n", name, resp.StatusCode, resp.Header.Get("Content-Type"), masked)
	return body
}

// kube GETs a path of a cluster's Kubernetes API over TLS with an EKS token.
func (r *wireRecorder) kube(region, cluster, path, accept string) []byte {
	r.t.Helper()
	// Another account's cluster is reached at its endpoint, which names
	// the account (names are unique per account and region only).
	account := ""
	if a, ok := strings.CutPrefix(r.access, sandbox.DummyAccessKeyID+"-"); ok {
		account = a + "/"
	}
	u := "https://" + strings.TrimPrefix(r.base, "http://") + "/k8s/" + account + region + "/" + cluster + path
	req, _ := http.NewRequestWithContext(r.t.Context(), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+wireToken(r.access, cluster))
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := r.tls.Do(req)
	if err != nil {
		r.t.Fatalf("GET %s: %v", u, err)
	}
	return r.record(fmt.Sprintf("kube %s %s %s %s", region, cluster, path, accept), resp)
}

// query POSTs an EC2 query request signed (in scope only: the sandbox
// reads the scope, not the signature) for region.
func (r *wireRecorder) query(region string, form url.Values) []byte {
	r.t.Helper()
	form.Set("Version", "2016-11-15")
	req, _ := http.NewRequestWithContext(r.t.Context(), http.MethodPost, r.base+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", r.auth(region, "ec2"))
	resp, err := r.plain.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.record(fmt.Sprintf("ec2 %s %s", region, form.Encode()), resp)
}

// eks GETs an EKS REST path in region.
func (r *wireRecorder) eks(region, path string) []byte {
	r.t.Helper()
	req, _ := http.NewRequestWithContext(r.t.Context(), http.MethodGet, r.base+path, nil)
	req.Header.Set("Authorization", r.auth(region, "eks"))
	resp, err := r.plain.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.record(fmt.Sprintf("eks %s %s", region, path), resp)
}

func (r *wireRecorder) auth(region, service string) string {
	return "AWS4-HMAC-SHA256 Credential=" + r.access + "/20261201/" + region + "/" + service +
		"/aws4_request, SignedHeaders=host, Signature=0"
}

// wireToken is an EKS token dated by wireClock, the shape `aws eks
// get-token` makes (the sandbox checks its shape and date, not its signature).
func wireToken(access, cluster string) string {
	u := "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15" +
		"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + access + "%2F20261201%2Fus-east-1%2Fsts%2Faws4_request" +
		"&X-Amz-Date=" + wireClock.Format("20060102T150405Z") + "&X-Amz-Expires=60" +
		"&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=0"
	_ = cluster // named by the signed x-k8s-aws-id header, which the sandbox does not see
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(u))
}

// TestWireGolden pins the exact bytes of the replies a fleet drift run
// reads (node lists, DescribeInstances, DescribeImages, EKS clusters and
// node groups) for a seeded world at a fixed clock. The sandbox imitates
// AWS and the Kubernetes API for clients that parse these bytes: a faster
// encoder must not change one of them. `go test ./sandbox -run
// TestWireGolden -update` rewrites the golden file after a deliberate change.
func TestWireGolden(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 3, ScaleNodes: 16, Now: func() time.Time { return wireClock }})
	r := &wireRecorder{t: t, base: srv.URL(), plain: &http.Client{}, access: sandbox.DummyAccessKeyID}

	// The CA and endpoint as a client finds them: DescribeCluster.
	var described struct {
		Cluster struct{ CertificateAuthority struct{ Data string } }
	}
	if err := json.Unmarshal(r.eks("us-east-1", "/clusters/"+world.FleetClusterName(0)), &described); err != nil {
		t.Fatal(err)
	}
	ca, _ := base64.StdEncoding.DecodeString(described.Cluster.CertificateAuthority.Data)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	r.tls = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	const windows = "labelSelector=" + "kubernetes.io%2Fos%3Dwindows"
	for i, region := range []string{"us-east-1", "us-west-2", "eu-west-1"} {
		cluster := world.FleetClusterName(i)
		r.access = sandbox.DummyAccessKeyID
		if i%3 == 2 {
			r.access += "-" + world.PartnerAccountID
		}
		if i > 0 {
			r.eks(region, "/clusters/"+cluster)
		}
		// The node list as drift pages it, then other shapes of the same list.
		var ids []string
		cont := ""
		for {
			q := windows + "&limit=7"
			if cont != "" {
				q += "&continue=" + url.QueryEscape(cont)
			}
			var page struct {
				Metadata struct{ Continue string }
				Items    []struct {
					Metadata struct{ Name string }
					Spec     struct{ ProviderID string }
				}
			}
			if err := json.Unmarshal(r.kube(region, cluster, "/api/v1/nodes?"+q, ""), &page); err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				ids = append(ids, it.Spec.ProviderID[strings.LastIndexByte(it.Spec.ProviderID, '/')+1:])
			}
			if cont = page.Metadata.Continue; cont == "" {
				break
			}
		}
		if len(ids) == 0 {
			t.Fatalf("%s: no Windows nodes", cluster)
		}
		if i == 0 {
			r.kube(region, cluster, "/api/v1/nodes", "")
			r.kube(region, cluster, "/api/v1/nodes?limit=5", "")
			r.kube(region, cluster, "/api/v1/nodes?"+windows, "")
			r.kube(region, cluster, "/api/v1/nodes?labelSelector=kubernetes.io%2Fos%3Dlinux", "")
			r.kube(region, cluster, "/api/v1/nodes?fieldSelector=metadata.name%3D"+url.QueryEscape(firstNodeName(t, r, region, cluster)), "")
			r.kube(region, cluster, "/api/v1/nodes?limit=4", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
		}

		// DescribeInstances as drift asks it (by IDs), then filtered and paged.
		form := url.Values{"Action": {"DescribeInstances"}}
		for j, id := range ids {
			form.Set(fmt.Sprintf("InstanceId.%d", j+1), id)
		}
		images := map[string]bool{}
		for _, m := range regexp.MustCompile(`<imageId>(ami-[0-9a-f]+)</imageId>`).FindAllSubmatch(r.query(region, form), -1) {
			images[string(m[1])] = true
		}
		if i == 0 {
			r.query(region, url.Values{"Action": {"DescribeInstances"},
				"Filter.1.Name": {"instance-state-name"}, "Filter.1.Value.1": {"running"},
				"Filter.2.Name": {"tag:eks:cluster-name"}, "Filter.2.Value.1": {cluster}})
			next := ""
			for {
				f := url.Values{"Action": {"DescribeInstances"}, "MaxResults": {"6"}}
				if next != "" {
					f.Set("NextToken", next)
				}
				m := regexp.MustCompile(`<nextToken>([^<]+)</nextToken>`).FindSubmatch(r.query(region, f))
				if m == nil {
					break
				}
				next = string(m[1])
			}
		}
		form = url.Values{"Action": {"DescribeImages"}}
		n := 0
		for _, id := range sortedKeys(images) {
			n++
			form.Set(fmt.Sprintf("ImageId.%d", n), id)
		}
		r.query(region, form)

		var groups struct{ Nodegroups []string }
		if err := json.Unmarshal(r.eks(region, "/clusters/"+cluster+"/node-groups"), &groups); err != nil {
			t.Fatal(err)
		}
		for _, g := range groups.Nodegroups {
			r.eks(region, "/clusters/"+cluster+"/node-groups/"+g)
		}
	}
	// The demo cluster's odd nodes: cordoned, tainted, not ready.
	r.access = sandbox.DummyAccessKeyID
	r.kube("us-east-1", world.DemoCluster, "/api/v1/nodes", "")

	golden := filepath.Join("testdata", "wire_fleet.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, r.out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := r.out.Bytes(); !bytes.Equal(got, want) {
		gotSecs, wantSecs := bytes.Split(got, []byte("\n### ")), bytes.Split(want, []byte("\n### "))
		for i := range min(len(gotSecs), len(wantSecs)) {
			if !bytes.Equal(gotSecs[i], wantSecs[i]) {
				t.Fatalf("reply %d differs from %s:\n got %.3000s\nwant %.3000s", i, golden, gotSecs[i], wantSecs[i])
			}
		}
		t.Fatalf("%d replies, %s has %d", len(gotSecs), golden, len(wantSecs))
	}
}

func firstNodeName(t *testing.T, r *wireRecorder, region, cluster string) string {
	t.Helper()
	var list struct {
		Items []struct{ Metadata struct{ Name string } }
	}
	if err := json.Unmarshal(r.kube(region, cluster, "/api/v1/nodes?limit=1", ""), &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("first node of %s: %v", cluster, err)
	}
	return list.Items[0].Metadata.Name
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
