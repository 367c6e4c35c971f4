package rollout_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/rollout"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// countingObserver counts the polls (Observe calls) of a rollout.
type countingObserver struct {
	*rollout.KubeObserver
	polls int
}

func (o *countingObserver) Observe(ctx context.Context) ([]rollout.NodeState, error) {
	o.polls++
	return o.KubeObserver.Observe(ctx)
}

// scaleRollout is one rollout of the sandbox's 1,000-node cluster (its
// custom AMI node groups) onto another AMI, with every replacement
// step due at once (pace 0), through the real SDK and client-go.
type scaleRollout struct {
	runner   *rollout.Runner
	observer *countingObserver
	calls    *awsapi.CallCounter
	in       rollout.PlanInput
}

func newScaleRollout(tb testing.TB) *scaleRollout {
	tb.Helper()
	srv, cfg := sandboxtest.Start(tb, sandbox.Options{Seed: 1, ScaleNodes: 1000, InstantRollout: true})
	calls := awsapi.NewCallCounter()
	cfg.APIOptions = append(cfg.APIOptions, calls.Middleware())
	clients := awsapi.NewClients(cfg)
	rc := sandboxtest.RESTConfig(tb, cfg, world.ScaleCluster)
	kube, err := drift.KubeClient(rc)
	if err != nil {
		tb.Fatal(err)
	}
	var target string
	_ = srv.Store().View(func(w *world.World) error {
		if img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115"); img != nil {
			target = img.ImageID
		}
		return nil
	})
	ctx := context.Background()
	ec2c, eksc := clients.EC2("us-east-1"), clients.EKS("us-east-1")
	exp, err := rollout.ExpectOf(ctx, ec2c, clients.SSM("us-east-1"), target)
	if err != nil {
		tb.Fatal(err)
	}
	var ngs []drift.Nodegroup
	list, err := eksc.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(world.ScaleCluster)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range list.Nodegroups {
		ng, err := eksc.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(world.ScaleCluster), NodegroupName: aws.String(name)})
		if err != nil {
			tb.Fatal(err)
		}
		t := string(ng.Nodegroup.AmiType)
		ngs = append(ngs, drift.Nodegroup{Name: name, AMIType: t, Windows: t == "CUSTOM" || strings.HasPrefix(t, "WINDOWS")})
	}
	calls.Reset()
	obs := &countingObserver{KubeObserver: rollout.NewKubeObserver(drift.LeanNodes{Client: kube, Images: true}, ec2c)}
	ng := rollout.NewNodegroupDriver(eksc, ec2c, world.ScaleCluster)
	return &scaleRollout{
		runner: &rollout.Runner{
			Drivers:  map[rollout.Method]rollout.Driver{rollout.MethodLaunchTemplate: ng, rollout.MethodReleaseVersion: ng},
			Observer: obs, Clock: clock.Real{}, Poll: 50 * time.Millisecond, Timeout: time.Minute,
		},
		observer: obs, calls: calls,
		in: rollout.PlanInput{Cluster: world.ScaleCluster, Target: rollout.Target{Mode: "ami", AMI: target}, Nodegroups: ngs,
			Resolve: func(_ context.Context, g *rollout.Group) error { g.Expect = exp; return nil }},
	}
}

// TestScaleRollout1000 rolls the 1,000-node cluster and checks the bounds
// of the issue: one node list (two pages of 500) per poll, and at most one
// AWS call per group per poll besides the instances the nodes are new on.
func TestScaleRollout1000(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a 1,000-node cluster")
	}
	s := newScaleRollout(t)
	p, err := s.runner.Plan(t.Context(), s.in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.runner.Apply(t.Context(), p)
	if err != nil || res.Outcome != "succeeded" {
		t.Fatalf("%+v %v", res, err)
	}
	rolled := 0
	for _, g := range p.Groups {
		if g.Rolled() {
			rolled++
		}
	}
	polls := s.observer.polls
	pages := s.observer.Calls()[rollout.CallNodeListPages]
	if rolled < 1 || pages > 2*polls {
		t.Errorf("%d groups rolled, %d list pages in %d polls: want at most one list (2 pages) a poll", rolled, pages, polls)
	}
	perGroup := s.calls.Count("EKS", "DescribeUpdate") + s.calls.Count("EKS", "ListUpdates")
	if perGroup > rolled*polls {
		t.Errorf("%d EKS reads of updates in %d polls of %d groups: more than one per group per poll", perGroup, polls, rolled)
	}
	t.Logf("%d groups, %d polls, %d list pages, AWS calls %s", rolled, polls, pages, s.calls)
}

// BenchmarkRollout1000 is the whole rollout (plan, the update of every
// Windows node group, verification of every node) against the 1,000-node
// cluster.
func BenchmarkRollout1000(b *testing.B) {
	for range b.N {
		b.StopTimer()
		s := newScaleRollout(b)
		b.StartTimer()
		p, err := s.runner.Plan(b.Context(), s.in)
		if err != nil {
			b.Fatal(err)
		}
		if res, err := s.runner.Apply(b.Context(), p); err != nil || res.Outcome != "succeeded" {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		b.ReportMetric(float64(s.observer.polls), "polls")
		b.ReportMetric(float64(s.observer.Calls()[rollout.CallNodeListPages]), "listpages")
		b.ReportMetric(float64(s.calls.Total()), "awscalls")
		b.ReportMetric(float64(s.calls.Count("EC2", "DescribeInstances")), "describeinstances")
	}
}
