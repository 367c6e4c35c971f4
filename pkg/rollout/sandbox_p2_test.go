package rollout_test

import (
	"strings"
	"testing"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/rollout"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// demo is the sandbox's demo cluster, its clients, and its Windows nodes
// as an observer sees them.
type demo struct {
	srv      *sandbox.Server
	clients  *awsapi.Clients
	observer *rollout.KubeObserver
	driver   *rollout.KarpenterDriver
	nodes    []rollout.NodeState
}

func startDemo(t *testing.T) *demo {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{})
	rc := sandboxtest.RESTConfig(t, cfg, world.DemoCluster)
	kube, err := drift.KubeClient(rc)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := rollout.KarpenterClient(rc)
	if err != nil {
		t.Fatal(err)
	}
	d := &demo{srv: srv, clients: awsapi.NewClients(cfg)}
	d.observer = rollout.NewKubeObserver(drift.LeanNodes{Client: kube, Images: true}, d.clients.EC2("us-east-1"))
	d.driver = rollout.NewKarpenterDriver(dyn)
	if d.nodes, err = d.observer.Observe(t.Context()); err != nil {
		t.Fatal(err)
	}
	return d
}

// amiOf is the AMI of the first node of an owner kind (and name, if set).
func (d *demo) amiOf(t *testing.T, kind rollout.Kind, name string) string {
	t.Helper()
	for _, n := range d.nodes {
		if n.OwnerKind == kind && (name == "" || n.OwnerName == name) && n.AMI != "" {
			return n.AMI
		}
	}
	t.Fatalf("no %s node %s in %+v", kind, name, d.nodes)
	return ""
}

func TestSandboxObserveAndVerify(t *testing.T) {
	d := startDemo(t)
	kinds := map[rollout.Kind]int{}
	for _, n := range d.nodes {
		kinds[n.OwnerKind]++
		if n.AMI == "" || len(n.Images) == 0 || n.Kubelet == "" || n.WindowsBuild == "" {
			t.Errorf("node %+v: want its AMI, images, kubelet and build", n)
		}
	}
	if len(d.nodes) != 10 || kinds[rollout.KindNodegroup] == 0 || kinds[rollout.KindKarpenter] == 0 || kinds[rollout.KindSelfManaged] == 0 {
		t.Errorf("%d Windows nodes by kind %v, want 10 of all three kinds", len(d.nodes), kinds)
	}
	if _, err := d.observer.Observe(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c := d.observer.Calls(); c[rollout.CallNodeListPages] != 2 || c[rollout.CallDescribeInstances] != 1 {
		t.Errorf("two polls made calls %v, want 2 list pages and 1 DescribeInstances", c)
	}

	// The self-managed group's nodes, against their own AMI, verify.
	ami := d.amiOf(t, rollout.KindSelfManaged, "windows-self-managed")
	exp, err := rollout.ExpectOf(t.Context(), d.clients.EC2("us-east-1"), d.clients.SSM("us-east-1"), ami)
	if err != nil {
		t.Fatal(err)
	}
	g := &rollout.Group{Kind: rollout.KindSelfManaged, Name: "windows-self-managed", Expect: exp}
	if c := rollout.Verify(d.nodes, g); c.Total == 0 || c.Verified+c.Old != c.Total || c.Verified == 0 || len(c.Problems) != 0 {
		t.Errorf("Verify against %+v = %+v, want every node on the AMI verified", exp, c)
	}
	// A cached image the nodes do not hold is a problem.
	g.Expect.CachedImages = append(g.Expect.CachedImages, "repo.example.com/absent:1")
	if c := rollout.Verify(d.nodes, g); c.Verified != 0 || len(c.Problems) == 0 || !strings.Contains(c.Problems[0], "cached image repo.example.com/absent:1 missing") {
		t.Errorf("Verify with an image no node holds = %+v", c)
	}

	// A cordoned node (spec.unschedulable) is a problem too.
	g.Expect.CachedImages = exp.CachedImages
	var cordoned string
	for _, n := range d.nodes {
		if n.OwnerName == g.Name && cordoned == "" {
			cordoned = n.Name
		}
	}
	err = d.srv.Store().Update(func(wd *world.World) error {
		c := wd.Cluster("us-east-1", world.DemoCluster)
		n := *c.Node(cordoned)
		n.Unschedulable = true
		c.PutNode(&n)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := d.observer.Observe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if c := rollout.Verify(nodes, g); len(c.Problems) != 1 || c.Problems[0] != cordoned+": cordoned" {
		t.Errorf("Verify with %s cordoned = %+v", cordoned, c)
	}

	_, err = rollout.ExpectOf(t.Context(), d.clients.EC2("us-east-1"), d.clients.SSM("us-east-1"), "ami-0123456789abcdef0")
	if err == nil || err.Error() != "AMI ami-0123456789abcdef0 does not exist in us-east-1: name an AMI of the cluster's region" {
		t.Errorf("ExpectOf of a missing AMI: %v", err)
	}
}

// TestSandboxKarpenterDriver: the demo pool "windows" moves to a node
// group's AMI through its node class and back, through client-go.
func TestSandboxKarpenterDriver(t *testing.T) {
	d := startDemo(t)
	from := d.amiOf(t, rollout.KindKarpenter, world.DemoKarpenterNodePool)
	var to string
	for _, n := range d.nodes {
		if n.OwnerKind == rollout.KindNodegroup && n.AMI != from {
			to = n.AMI
		}
	}
	exp, err := rollout.ExpectOf(t.Context(), d.clients.EC2("us-east-1"), d.clients.SSM("us-east-1"), to)
	if err != nil {
		t.Fatal(err)
	}
	g := &rollout.Group{Kind: rollout.KindKarpenter, Name: world.DemoKarpenterNodePool, Method: rollout.MethodNodeClass, Expect: exp}
	if err := d.driver.Prepare(t.Context(), g); err != nil || g.Skip != "" {
		t.Fatalf("Prepare: %v, skip %q", err, g.Skip)
	}
	if want := "EC2NodeClass windows amiSelectorTerms [{id: " + from + "}] → [{id: " + to + "}]"; g.Change != want {
		t.Errorf("change %q, want %q", g.Change, want)
	}
	if err := d.driver.Start(t.Context(), g); err != nil {
		t.Fatal(err)
	}
	resumed := &rollout.Group{Kind: g.Kind, Name: g.Name, Method: g.Method, Expect: exp}
	if in, err := d.driver.InFlight(t.Context(), resumed); !in || err != nil || resumed.State.TermsBefore != `[{"id":"`+from+`"}]` {
		t.Fatalf("InFlight = %v, %v, state %+v", in, err, resumed.State)
	}
	if p, err := d.driver.Poll(t.Context(), resumed); err != nil || !p.Done {
		t.Errorf("Poll = %+v, %v; want done", p, err)
	}
	done, what, err := d.driver.Rollback(t.Context(), resumed)
	if err != nil || !done || !strings.Contains(what, "put back: [{id: "+from+"}]") {
		t.Fatalf("Rollback = %v, %q, %v", done, what, err)
	}
	again := &rollout.Group{Kind: g.Kind, Name: g.Name, Method: g.Method, Expect: exp}
	if err := d.driver.Prepare(t.Context(), again); err != nil || again.State.TermsBefore != `[{"id":"`+from+`"}]` {
		t.Errorf("after Rollback: %v, terms %q", err, again.State.TermsBefore)
	}
	if in, _ := d.driver.InFlight(t.Context(), again); in {
		t.Error("after Rollback the change is still in flight (annotation left)")
	}

	// A parameter that does not exist: Karpenter's AMIsReady is False.
	bad := &rollout.Group{Kind: g.Kind, Name: g.Name, Method: g.Method, Expect: exp, SSMParameter: "/winami/none/channels/stable"}
	if err := d.driver.Prepare(t.Context(), bad); err != nil {
		t.Fatal(err)
	}
	if err := d.driver.Start(t.Context(), bad); err != nil {
		t.Fatal(err)
	}
	if p, err := d.driver.Poll(t.Context(), bad); err != nil || !strings.Contains(p.Failed, "EC2NodeClass windows: AMIsReady is False") {
		t.Errorf("Poll of a missing parameter = %+v, %v", p, err)
	}
	if done, _, err := d.driver.Rollback(t.Context(), bad); !done || err != nil {
		t.Errorf("Rollback = %v, %v", done, err)
	}
}

// BenchmarkObserve1000 is one poll of a 1,000-node cluster after the
// first: two list pages and no EC2 call (reported per poll).
func BenchmarkObserve1000(b *testing.B) {
	_, cfg := sandboxtest.Start(b, sandbox.Options{ScaleNodes: 1000})
	rc := sandboxtest.RESTConfig(b, cfg, "scale")
	kube, err := drift.KubeClient(rc)
	if err != nil {
		b.Fatal(err)
	}
	o := rollout.NewKubeObserver(drift.LeanNodes{Client: kube, Images: true}, awsapi.NewClients(cfg).EC2("us-east-1"))
	nodes, err := o.Observe(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	first := o.Calls()
	b.ResetTimer()
	for b.Loop() {
		if _, err := o.Observe(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c := o.Calls()
	b.ReportMetric(float64(c[rollout.CallNodeListPages]-first[rollout.CallNodeListPages])/float64(b.N), "listpages/poll")
	b.ReportMetric(float64(c[rollout.CallDescribeInstances]-first[rollout.CallDescribeInstances])/float64(b.N), "describeinstances/poll")
	b.ReportMetric(float64(len(nodes)), "nodes")
}
