package drift_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// env is a sandbox and the sources a run reads, built as winami drift
// --cluster builds them.
type env struct {
	srv     *sandbox.Server
	cfg     aws.Config
	clients *awsapi.Clients
}

func start(t testing.TB, opts sandbox.Options) *env {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, opts)
	return &env{srv: srv, cfg: cfg, clients: awsapi.NewClients(cfg)}
}

func (e *env) sources(t testing.TB, cluster string) drift.Sources {
	t.Helper()
	rc, err := drift.ClusterConfig(t.Context(), e.clients.EKS("us-east-1"), e.clients.STSClient("us-east-1"), cluster)
	if err != nil {
		t.Fatal(err)
	}
	return e.sourcesFor(t, rc)
}

func (e *env) sourcesFor(t testing.TB, rc *rest.Config) drift.Sources {
	t.Helper()
	kube, err := drift.KubeClient(rc)
	if err != nil {
		t.Fatal(err)
	}
	return drift.Sources{
		Nodes:         drift.LeanNodes{Client: kube},
		ServerVersion: func(ctx context.Context) (string, error) { return drift.ServerVersion(ctx, kube) },
		EC2:           func(r string) awsapi.EC2API { return e.clients.EC2(r) },
		SSM:           func(r string) awsapi.SSMAPI { return e.clients.SSM(r) },
		Finder:        catalog.NewFinderFromClients(e.clients),
		EKS:           e.clients.EKS("us-east-1"),
	}
}

// reasons is "node: kind,kind" for every drifted node, sorted by node.
func reasons(r *drift.Report) map[string]string {
	out := map[string]string{}
	for _, n := range r.Nodes {
		var kinds []string
		for _, reason := range n.Reasons {
			kinds = append(kinds, reason.Kind)
		}
		if len(kinds) > 0 {
			out[n.Owner.String()] += strings.Join(kinds, ",") + ";"
		}
	}
	return out
}

func TestDemoClusterMajority(t *testing.T) {
	e := start(t, sandbox.Options{})
	r, err := drift.Run(t.Context(), e.sources(t, world.DemoCluster), drift.Options{Cluster: world.DemoCluster, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.WindowsNodes != 10 || r.Summary.Drifted != 2 || len(r.Groups) != 3 || r.Consistent() {
		t.Fatalf("summary %+v, groups %+v", r.Summary, r.Groups)
	}
	got := reasons(r)
	if got["nodegroup/windows-core-b"] != "kubelet-differs;" || got["nodepool/windows"] != "ami-differs,os-build-differs;" || len(got) != 2 {
		t.Errorf("reasons %v", got)
	}
	if r.Desired.Mode != "majority" || r.Desired.Kubelet != "1.35.2" || !strings.HasPrefix(r.ControlPlane, "v1.35.") {
		t.Errorf("desired %+v, control plane %s", r.Desired, r.ControlPlane)
	}
	for _, n := range r.Nodes {
		if n.InstanceID == "" || n.AMI == "" || n.Zone == "" || n.KubeletVersion == "" || n.Created.IsZero() || n.LaunchTime.IsZero() || !n.Ready {
			t.Errorf("node %+v lacks fields", n)
		}
	}
	behind := map[string]string{}
	for _, g := range r.Nodegroups {
		behind[g.Name] = g.Behind
	}
	if len(r.Nodegroups) != 3 || behind["windows-core-b"] != "1 of its nodes drifted" || behind["windows-core-a"] != "" {
		t.Errorf("node groups %+v", r.Nodegroups)
	}
	// One page, one DescribeInstances, one DescribeImages.
	if r.Calls["nodeListPages"] != 1 || r.Calls["DescribeInstances"] != 1 || r.Calls["DescribeImages"] != 1 {
		t.Errorf("calls %v", r.Calls)
	}
}

func TestDemoClusterLatestAndDesiredAMI(t *testing.T) {
	e := start(t, sandbox.Options{})
	src := e.sources(t, world.DemoCluster)
	r, err := drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1", Latest: true})
	if err != nil {
		t.Fatal(err)
	}
	latest, ok := r.Desired.Latest["Windows Server 2022 Core, Kubernetes 1.35"]
	if !ok || latest.ReleaseVersion != "1.35-2026.11.11" {
		t.Fatalf("latest %+v", r.Desired.Latest)
	}
	if got := reasons(r); got["nodepool/windows"] != "ami-not-latest,os-build-differs;" || got["nodegroup/windows-core-b"] != "kubelet-differs;" {
		t.Errorf("latest reasons %v", got)
	}
	// Against October's AMI every node but the Karpenter one differs.
	older := ""
	for _, n := range r.Nodes {
		if n.ReleaseVersion == "1.35-2026.10.14" {
			older = n.AMI
		}
	}
	r, err = drift.Run(t.Context(), src, drift.Options{Region: "us-east-1", DesiredAMI: older})
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Drifted != 9 || r.Desired.WindowsBuild != "10.0.20348.4278" {
		t.Errorf("against %s: %+v, desired %+v", older, r.Summary, r.Desired)
	}
	if _, err := drift.Run(t.Context(), src, drift.Options{Region: "us-east-1", DesiredAMI: "ami-0123456789abcdef0"}); err == nil || !strings.Contains(err.Error(), "not in us-east-1") {
		t.Errorf("a missing desired AMI: %v", err)
	}
	if _, err := drift.Run(t.Context(), src, drift.Options{Region: "us-east-1", Spec: "nothing-built"}); err == nil || !strings.Contains(err.Error(), "has built no AMI") {
		t.Errorf("a spec without AMIs: %v", err)
	}
}

// kubeconfig mode: a kubeconfig with a token, as a user's would hold it,
// read through client-go's loader.
func TestKubeconfigMode(t *testing.T) {
	e := start(t, sandbox.Options{})
	rc, err := drift.ClusterConfig(t.Context(), e.clients.EKS("us-east-1"), e.clients.STSClient("us-east-1"), world.DemoCluster)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config")
	kubeconfig := `apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster: {server: "` + rc.Host + `", certificate-authority-data: "` + base64.StdEncoding.EncodeToString(rc.CAData) + `"}
users:
- name: me
  user: {token: "` + rc.BearerToken + `"}
- name: nobody
  user: {token: "not-an-eks-token"}
contexts:
- name: demo
  context: {cluster: demo, user: me}
- name: denied
  context: {cluster: demo, user: nobody}
current-context: demo
`
	// client-go reads a kubeconfig's credentials only for https servers.
	if !strings.HasPrefix(rc.Host, "https://") || rc.CAData == nil {
		t.Fatalf("the cluster endpoint %s is not https with a CA", rc.Host)
	}
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	kc, err := drift.KubeconfigConfig(path, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := drift.Run(t.Context(), e.sourcesFor(t, kc), drift.Options{})
	if err != nil || r.Region != "us-east-1" || r.Summary.Drifted != 2 || len(r.Nodegroups) != 0 {
		t.Fatalf("kubeconfig: %+v, %v", r, err)
	}
	denied, err := drift.KubeconfigConfig(path, "denied")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drift.Run(t.Context(), e.sourcesFor(t, denied), drift.Options{}); err == nil || !strings.Contains(err.Error(), "refused the credentials (401 Unauthorized)") {
		t.Errorf("a bad token: %v", err)
	}
	if _, err := drift.KubeconfigConfig(path, "missing"); err == nil {
		t.Error("a missing context was accepted")
	}
}

// BenchmarkDriftScale: 10,000 Windows nodes over several AMIs. The issue's
// bounds: ceil(N/500) pages, ceil(N/1000) DescribeInstances, one
// DescribeImages per 100 distinct AMIs; under 2 s on loopback; under 300 MB.
func BenchmarkDriftScale(b *testing.B) {
	const nodes = 10000
	e := start(b, sandbox.Options{ScaleNodes: nodes})
	src := e.sources(b, "scale")
	var r *drift.Report
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		var err error
		r, err = drift.Run(context.Background(), src, drift.Options{Cluster: "scale", Region: "us-east-1"})
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.StopTimer()
	distinct := map[string]bool{}
	for _, n := range r.Nodes {
		distinct[n.AMI] = true
	}
	if r.Summary.WindowsNodes != nodes {
		b.Fatalf("%d nodes", r.Summary.WindowsNodes)
	}
	pages, insts, imgs := r.Calls["nodeListPages"], r.Calls["DescribeInstances"], r.Calls["DescribeImages"]
	if pages > (nodes+499)/500 || insts > (nodes+999)/1000 || imgs > (len(distinct)+99)/100 {
		b.Errorf("calls %v for %d nodes and %d AMIs", r.Calls, nodes, len(distinct))
	}
	b.ReportMetric(float64(pages), "list-pages/op")
	b.ReportMetric(float64(insts), "DescribeInstances/op")
	b.ReportMetric(float64(imgs), "DescribeImages/op")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}

// The benchmark's bounds, checked once in the ordinary test run (at a
// tenth of the size, to keep CI fast), so they cannot rot.
func TestScaleCallBounds(t *testing.T) {
	const nodes = 1000
	e := start(t, sandbox.Options{ScaleNodes: nodes})
	start := time.Now()
	r, err := drift.Run(t.Context(), e.sources(t, "scale"), drift.Options{Cluster: "scale", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.WindowsNodes != nodes || r.Calls["nodeListPages"] != 2 || r.Calls["DescribeInstances"] != 1 || r.Calls["DescribeImages"] != 1 {
		t.Errorf("%d nodes, calls %v", r.Summary.WindowsNodes, r.Calls)
	}
	// The scale cluster: 30% of the nodes on the three older releases, and
	// every 50th node of the newest one kubelet patch behind.
	if r.Summary.Drifted != 320 || r.Summary.Groups != 5 {
		t.Errorf("%d drifted in %d groups, want 320 in 5", r.Summary.Drifted, r.Summary.Groups)
	}
	t.Logf("%d nodes in %s", nodes, time.Since(start))
}

// The lean lister reads what the typed client reads: the same report.
func TestLeanNodesMatchTyped(t *testing.T) {
	e := start(t, sandbox.Options{ScaleNodes: 600})
	for _, cluster := range []string{world.DemoCluster, "scale"} {
		src := e.sources(t, cluster)
		lean, err := drift.Run(t.Context(), src, drift.Options{Cluster: cluster, Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := drift.ClusterConfig(t.Context(), e.clients.EKS("us-east-1"), e.clients.STSClient("us-east-1"), cluster)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := kubernetes.NewForConfig(rc)
		if err != nil {
			t.Fatal(err)
		}
		src.Nodes = cs.CoreV1().Nodes()
		typed, err := drift.Run(t.Context(), src, drift.Options{Cluster: cluster, Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(lean)
		b, _ := json.Marshal(typed)
		if string(a) != string(b) || lean.Summary.WindowsNodes == 0 {
			t.Errorf("%s: the lean report differs from the typed one:\n%s\n%s", cluster, a, b)
		}
	}
}

// A release channel's AMI in the cluster's region is the desired one; a
// channel that holds nothing there is an error that says so.
func TestReleaseChannelIsTheDesiredAMI(t *testing.T) {
	e := start(t, sandbox.Options{})
	src := e.sources(t, world.DemoCluster)
	ch := &drift.Channel{Name: "stable", Parameter: "/winami/demo/stable"}
	if _, err := drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1", Channel: ch}); err == nil ||
		!strings.Contains(err.Error(), "release channel stable holds no AMI in us-east-1") {
		t.Fatalf("an empty channel: %v", err)
	}
	r, err := drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1", Latest: true})
	if err != nil {
		t.Fatal(err)
	}
	older := ""
	for _, n := range r.Nodes {
		if n.ReleaseVersion == "1.35-2026.10.14" {
			older = n.AMI
		}
	}
	_, err = e.clients.SSM("us-east-1").PutParameter(t.Context(), &ssm.PutParameterInput{
		Name: aws.String(ch.Parameter), Value: aws.String(older), Type: ssmtypes.ParameterTypeString,
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err = drift.Run(t.Context(), src, drift.Options{Cluster: world.DemoCluster, Region: "us-east-1", Channel: ch})
	if err != nil {
		t.Fatal(err)
	}
	if r.Desired.Mode != "channel" || r.Desired.Channel != "stable" || r.Desired.AMI != older || r.Summary.Drifted != 9 {
		t.Errorf("against channel stable (%s): desired %+v, summary %+v", older, r.Desired, r.Summary)
	}
}
