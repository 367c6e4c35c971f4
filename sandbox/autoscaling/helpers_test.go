package autoscaling_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// clock is the test's hand-moved clock (sandboxtest.Clock).
type clock = sandboxtest.Clock

// fixture is a sandbox over the seeded world, its clock, an Auto Scaling
// client, and the demo group's launch template with two more versions:
// goodV on the 2026.10.14 EKS AMI and badV on an AMI that does not exist.
type fixture struct {
	srv    *sandbox.Server
	cfg    aws.Config
	clk    *clock
	client *asg.Client
	ltID   string
	good   string // goodV's AMI
	goodV  string
	badV   string
}

const group = world.DemoSelfManagedGroup

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, sandbox.Options{}) }

// newFixtureWith is newFixture on a sandbox with opts (its seed and clock
// set here).
func newFixtureWith(t *testing.T, opts sandbox.Options) *fixture {
	t.Helper()
	clk := sandboxtest.NewClock(time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC))
	opts.Seed, opts.Now = 1, clk.Now
	srv, cfg := sandboxtest.Start(t, opts)
	f := &fixture{srv: srv, clk: clk, client: asg.NewFromConfig(cfg), cfg: cfg}
	err := srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		g := r.AutoScalingGroups[group]
		lt := r.LaunchTemplates[g.LaunchTemplate.ID]
		key := world.EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
		for _, img := range r.Images {
			if img.Name == key.AMIName(world.ReleaseDates()[2]) {
				f.good = img.ImageID
			}
		}
		good := *lt.VersionData(lt.DefaultVersion)
		good.Version, good.ImageID = lt.LatestVersion+1, f.good
		bad := good
		bad.Version, bad.ImageID = lt.LatestVersion+2, "ami-0000000000000dead"
		lt.Versions = append(lt.Versions, good, bad)
		lt.LatestVersion = bad.Version
		f.goodV, f.badV = strconv.FormatInt(good.Version, 10), strconv.FormatInt(bad.Version, 10)
		f.ltID = lt.LaunchTemplateID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) describeGroup(t *testing.T) types.AutoScalingGroup {
	t.Helper()
	out, err := f.client.DescribeAutoScalingGroups(t.Context(), &asg.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AutoScalingGroups) != 1 {
		t.Fatalf("%d groups named %s", len(out.AutoScalingGroups), group)
	}
	return out.AutoScalingGroups[0]
}

func (f *fixture) refresh(t *testing.T, id string) types.InstanceRefresh {
	t.Helper()
	out, err := f.client.DescribeInstanceRefreshes(t.Context(), &asg.DescribeInstanceRefreshesInput{
		AutoScalingGroupName: aws.String(group), InstanceRefreshIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.InstanceRefreshes) != 1 {
		t.Fatalf("%d refreshes of ID %s", len(out.InstanceRefreshes), id)
	}
	return out.InstanceRefreshes[0]
}

// start starts a refresh onto a version of the group's template.
func (f *fixture) start(t *testing.T, version string, prefs *types.RefreshPreferences) string {
	t.Helper()
	out, err := f.client.StartInstanceRefresh(t.Context(), &asg.StartInstanceRefreshInput{
		AutoScalingGroupName: aws.String(group),
		DesiredConfiguration: &types.DesiredConfiguration{LaunchTemplate: &types.LaunchTemplateSpecification{
			LaunchTemplateId: aws.String(f.ltID), Version: aws.String(version)}},
		Preferences: prefs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.InstanceRefreshId)
}

func wantStatus(t *testing.T, ir types.InstanceRefresh, status types.InstanceRefreshStatus, pct int32) {
	t.Helper()
	if ir.Status != status || aws.ToInt32(ir.PercentageComplete) != pct {
		t.Fatalf("refresh %s at %d%% (%s), want %s at %d%%", ir.Status, aws.ToInt32(ir.PercentageComplete),
			aws.ToString(ir.StatusReason), status, pct)
	}
}

// versions are the group's instances' launch template versions, sorted.
func versions(g types.AutoScalingGroup) string {
	var vs []string
	for _, in := range g.Instances {
		vs = append(vs, aws.ToString(in.LaunchTemplate.Version))
	}
	slices.Sort(vs)
	return strings.Join(vs, ",")
}

// nodesOf checks that every instance of the group is running with its
// node in the demo cluster (Ready, created once the instance launched),
// and that the cluster has no node of the group's other instances; it
// returns the instances' AMIs.
func nodesOf(t *testing.T, f *fixture, g types.AutoScalingGroup) []string {
	t.Helper()
	var amis []string
	err := f.srv.Store().View(func(w *world.World) error {
		r := w.Region("us-east-1")
		c := r.Clusters[world.DemoCluster]
		self := 0
		nodes := map[string]*world.Node{}
		for _, n := range c.Nodes {
			id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
			nodes[id] = n
			if r.Instances[id].Tags["aws:autoscaling:groupName"] == group {
				self++
			}
		}
		if self != len(g.Instances) {
			t.Errorf("%d nodes of the group's instances, want %d", self, len(g.Instances))
		}
		for _, in := range g.Instances {
			inst := r.Instances[aws.ToString(in.InstanceId)]
			if inst == nil || inst.State != "running" {
				t.Errorf("instance %s: %+v", aws.ToString(in.InstanceId), inst)
				continue
			}
			if n := nodes[inst.InstanceID]; n == nil || !n.Ready || n.CreationTimestamp.Before(inst.LaunchTime) ||
				n.ReadySince.Before(n.CreationTimestamp) {
				t.Errorf("node of %s: %+v", inst.InstanceID, n)
			}
			amis = append(amis, inst.ImageID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return amis
}
