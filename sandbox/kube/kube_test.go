package kube_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// clock is the sandbox's time in these tests (sandboxtest.Clock); tokens
// are presigned by the SDK at the wall clock, so it must start at now.
type clock = sandboxtest.Clock

func start(t *testing.T) (*clock, aws.Config, *kubernetes.Clientset) {
	t.Helper()
	clk := sandboxtest.NewClock(time.Now())
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now})
	return clk, cfg, sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
}

func TestListNodesPagesWithSelector(t *testing.T) {
	_, _, cs := start(t)
	all, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 12 || all.Continue != "" || all.ResourceVersion == "" {
		t.Fatalf("all nodes: %d items, continue %q, resourceVersion %q", len(all.Items), all.Continue, all.ResourceVersion)
	}
	var names []string
	for _, n := range all.Items {
		names = append(names, n.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("nodes are not in name order: %v", names)
	}

	// Pages of 3 Windows nodes: 3 + 3 + 3 + 1, each continue token resuming
	// after the page before.
	var got []string
	opts := metav1.ListOptions{Limit: 3, LabelSelector: "kubernetes.io/os=windows"}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		list, err := cs.CoreV1().Nodes().List(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 3 {
			t.Fatalf("page of %d items with limit 3", len(list.Items))
		}
		for _, n := range list.Items {
			if n.Labels["kubernetes.io/os"] != "windows" {
				t.Errorf("%s: os %q", n.Name, n.Labels["kubernetes.io/os"])
			}
			got = append(got, n.Name)
		}
		if list.RemainingItemCount != nil {
			t.Errorf("remainingItemCount %d with a selector", *list.RemainingItemCount)
		}
		if list.Continue == "" {
			break
		}
		opts.Continue = list.Continue
	}
	if len(got) != 10 || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != 10 {
		t.Errorf("windows nodes across pages: %v", got)
	}

	// Without a selector a page says how many items remain.
	first, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if first.RemainingItemCount == nil || *first.RemainingItemCount != 8 || first.Continue == "" {
		t.Errorf("first page of 4: remaining %v, continue %q", first.RemainingItemCount, first.Continue)
	}
	// The same request gives the same token: it names a position, not a session.
	again, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{Limit: 4})
	if err != nil || again.Continue != first.Continue {
		t.Errorf("continue tokens differ: %q, %q (%v)", first.Continue, again.Continue, err)
	}
}

func TestLabelSelectors(t *testing.T) {
	_, _, cs := start(t)
	cases := []struct {
		selector string
		want     int
	}{
		{"kubernetes.io/os=windows", 10},
		{"kubernetes.io/os==linux", 2},
		{"kubernetes.io/os!=windows", 2},
		{"karpenter.sh/nodepool", 1},
		{"!karpenter.sh/nodepool", 11},
		{"eks.amazonaws.com/nodegroup in (windows-core-a,windows-core-b)", 7},
		{"eks.amazonaws.com/nodegroup notin (windows-core-a,windows-core-b)", 5}, // system, the Karpenter node and the self-managed ones
		{"kubernetes.io/os=windows,eks.amazonaws.com/nodegroup=windows-core-b", 3},
		{"kubernetes.io/os=windows,!eks.amazonaws.com/nodegroup", 3},
		{"node.kubernetes.io/windows-build=10.0.20348", 10},
		{"kubernetes.io/os=plan9", 0},
	}
	for _, tt := range cases {
		list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: tt.selector, ResourceVersion: "0"})
		if err != nil {
			t.Errorf("%s: %v", tt.selector, err)
			continue
		}
		if len(list.Items) != tt.want {
			t.Errorf("%s: %d nodes, want %d", tt.selector, len(list.Items), tt.want)
		}
	}
	for _, bad := range []string{"kubernetes.io/os in windows", "a=b=c", "=x", "k in (a"} {
		_, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: bad})
		if !apierrors.IsBadRequest(err) {
			t.Errorf("%q: got %v, want 400 BadRequest", bad, err)
		}
	}
	_, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{Continue: "not-a-token"})
	if !apierrors.IsBadRequest(err) {
		t.Errorf("garbage continue: got %v, want 400 BadRequest", err)
	}
}

func TestGetNode(t *testing.T) {
	_, _, cs := start(t)
	list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "karpenter.sh/nodepool=windows"})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("karpenter node: %v, %v", list, err)
	}
	name := list.Items[0].Name
	n, err := cs.CoreV1().Nodes().Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Name != name || n.Status.NodeInfo.OperatingSystem != "windows" || !strings.HasPrefix(n.Spec.ProviderID, "aws:///us-east-1") ||
		n.UID == "" || n.CreationTimestamp.IsZero() {
		t.Errorf("node %+v", n)
	}
	_, err = cs.CoreV1().Nodes().Get(t.Context(), "ip-10-9-9-9.ec2.internal", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("missing node: got %v, want NotFound", err)
	}
	if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Message != `nodes "ip-10-9-9-9.ec2.internal" not found` {
		t.Errorf("missing node status: %+v", err)
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.Major != "1" || v.Minor != "35" || !strings.HasPrefix(v.GitVersion, "v1.35.") || !strings.Contains(v.GitVersion, "-eks-") {
		t.Errorf("version %+v, %v", v, err)
	}
	res, err := cs.Discovery().ServerResourcesForGroupVersion("v1")
	if err != nil || len(res.APIResources) != 2 || res.APIResources[0].Name != "nodes" || res.APIResources[1].Name != "pods" {
		t.Errorf("v1 resources %+v, %v", res, err)
	}
}

// TestTokens checks the token rule: an EKS token whose presigned URL is not
// yet 15 minutes old passes; anything else is 401 Unauthorized.
func TestTokens(t *testing.T) {
	clk, cfg, cs := start(t)
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	endpoint := rc.Host
	client := httpsClient(t, rc.CAData)
	good, err := sandboxtest.EKSToken(t.Context(), cfg, world.DemoCluster)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good, "k8s-aws-v1."))
	u, _ := url.Parse(string(presigned))
	tokenOf := func(edit func(q url.Values)) string {
		v := *u
		q := v.Query()
		edit(q)
		v.RawQuery = q.Encode()
		return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(v.String()))
	}
	get := func(auth string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/api/v1/nodes", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && !strings.Contains(string(body), `"reason":"Unauthorized"`) {
			t.Errorf("401 body is not a Status: %s", body)
		}
		return resp.StatusCode
	}
	cases := []struct {
		what, auth string
		want       int
	}{
		{"good token", "Bearer " + good, 200},
		{"missing", "", 401},
		{"other scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin")), 401},
		{"garbage", "Bearer k8s-aws-v1.!!!", 401},
		{"no prefix", "Bearer " + strings.TrimPrefix(good, "k8s-aws-v1."), 401},
		{"other action", "Bearer " + tokenOf(func(q url.Values) { q.Set("Action", "GetSessionToken") }), 401},
		{"cluster header not signed", "Bearer " + tokenOf(func(q url.Values) { q.Set("X-Amz-SignedHeaders", "host") }), 401},
		{"expires too long", "Bearer " + tokenOf(func(q url.Values) { q.Set("X-Amz-Expires", "86400") }), 401},
		// STS takes a request dated up to 15 minutes ahead of its clock
		// (clock skew), and none dated later: a token from the future is
		// not valid yet, and must not stay valid for ever.
		{"dated 10 minutes ahead", "Bearer " + tokenOf(func(q url.Values) {
			q.Set("X-Amz-Date", clk.Now().UTC().Add(10*time.Minute).Format("20060102T150405Z"))
		}), 200},
		{"dated 16 minutes ahead", "Bearer " + tokenOf(func(q url.Values) {
			q.Set("X-Amz-Date", clk.Now().UTC().Add(16*time.Minute).Format("20060102T150405Z"))
		}), 401},
		{"dated next year", "Bearer " + tokenOf(func(q url.Values) {
			q.Set("X-Amz-Date", clk.Now().UTC().AddDate(1, 0, 0).Format("20060102T150405Z"))
		}), 401},
		{"not STS", "Bearer " + tokenOf(func(q url.Values) {
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), "/sts/", "/s3/", 1))
		}), 401},
	}
	for _, tt := range cases {
		if got := get(tt.auth); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.what, got, tt.want)
		}
	}
	// Fourteen minutes on the token still works; past fifteen it has expired.
	clk.Advance(14 * time.Minute)
	if _, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Errorf("token at 14 minutes: %v", err)
	}
	clk.Advance(2 * time.Minute)
	_, err = cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if !apierrors.IsUnauthorized(err) {
		t.Errorf("token at 16 minutes: got %v, want Unauthorized", err)
	}
	// /version stays public, as on EKS, for a caller without credentials.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/version", nil)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("anonymous /version: %v, %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// httpsClient trusts the cluster CA of DescribeCluster, and nothing else.
func httpsClient(t *testing.T, caPEM []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("the cluster CA is not PEM")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestKubeconfig: a kubeconfig, as `aws eks update-kubeconfig` writes it,
// works. client-go's kubeconfig loader sends credentials only over TLS,
// which is why the endpoint is https.
func TestKubeconfig(t *testing.T) {
	_, cfg, _ := start(t)
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	kc := clientcmdapi.NewConfig()
	kc.Clusters["demo"] = &clientcmdapi.Cluster{Server: rc.Host, CertificateAuthorityData: rc.CAData}
	kc.AuthInfos["demo"] = &clientcmdapi.AuthInfo{Token: rc.BearerToken}
	kc.Contexts["demo"] = &clientcmdapi.Context{Cluster: "demo", AuthInfo: "demo"}
	kc.CurrentContext = "demo"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	restCfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	cs := sandboxtest.Clientset(t, restCfg)
	list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "kubernetes.io/os=windows"})
	if err != nil || len(list.Items) != 10 {
		t.Fatalf("windows nodes through a kubeconfig: %v, %v", list, err)
	}
	// Plain HTTP on the same port still answers, with the same rule.
	plain := strings.Replace(rc.Host, "https://", "http://", 1)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, plain+"/api/v1/nodes/"+list.Items[0].Name, nil)
	req.Header.Set("Authorization", "Bearer "+rc.BearerToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("plain HTTP: %v, %v", resp, err)
	}
	resp.Body.Close()
}

// TestTable: kubectl get asks for a server-side Table; each row carries the
// node's metadata, which -L columns read.
func TestTable(t *testing.T) {
	_, cfg, _ := start(t)
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, rc.Host+"/api/v1/nodes?limit=500&labelSelector=kubernetes.io%2Fos%3Dwindows", nil)
	req.Header.Set("Authorization", "Bearer "+rc.BearerToken)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
	resp, err := httpsClient(t, rc.CAData).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var table metav1.Table
	if err := json.NewDecoder(resp.Body).Decode(&table); err != nil {
		t.Fatal(err)
	}
	if table.Kind != "Table" || len(table.ColumnDefinitions) != 10 || table.ColumnDefinitions[4].Name != "Version" || len(table.Rows) != 10 {
		t.Fatalf("table %+v", table)
	}
	for _, row := range table.Rows {
		var obj metav1.PartialObjectMetadata
		if err := json.Unmarshal(row.Object.Raw, &obj); err != nil || obj.Labels["kubernetes.io/os"] != "windows" || row.Cells[0] != obj.Name || row.Cells[1] != "Ready" {
			t.Errorf("row %v: %+v, %v", row.Cells, obj, err)
		}
	}
}
