package autoscaling_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/winami/winami/sandbox/autoscaling"
	"github.com/winami/winami/sandbox/world"
)

// addBadVersion adds a version of the group's launch template on the
// seeded broken AMI (its nodes never join) and returns it.
func addBadVersion(t *testing.T, f *fixture) string {
	t.Helper()
	var v string
	err := f.srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		lt := r.LaunchTemplates[f.ltID]
		bad := *lt.VersionData(lt.DefaultVersion)
		bad.Version, bad.ImageID = lt.LatestVersion+1, r.ImageByName(world.BadAMIName).ImageID
		lt.Versions = append(lt.Versions, bad)
		lt.LatestVersion = bad.Version
		v = strconv.FormatInt(bad.Version, 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// groupNodes are the group's instances' nodes: name → Ready.
func groupNodes(t *testing.T, f *fixture) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := f.srv.Store().View(func(w *world.World) error {
		r := w.Region("us-east-1")
		for _, n := range r.Clusters[world.DemoCluster].Nodes {
			id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
			if r.Instances[id].Tags["aws:autoscaling:groupName"] == group {
				out[n.Name] = n.Ready
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A refresh onto an AMI whose nodes never join does not fail: EC2 health is
// all Auto Scaling sees. It reaches its checkpoint with a NotReady node
// (the old one gone), waits there, and a rollback puts the previous
// version's instances back, their nodes Ready.
func TestRefreshOntoBrokenAMIWaitsAtCheckpoint(t *testing.T) {
	f := newFixture(t)
	bad := addBadVersion(t, f)
	prefs := oneAtATime()
	prefs.CheckpointPercentages = []int32{50, 100}
	prefs.CheckpointDelay = aws.Int32(3600)
	id := f.start(t, bad, prefs)

	f.clk.Advance(autoscaling.DefaultPace + batch)
	ir := f.refresh(t, id)
	wantStatus(t, ir, types.InstanceRefreshStatusInProgress, 50)
	if !strings.Contains(aws.ToString(ir.StatusReason), "checkpoint") {
		t.Errorf("StatusReason %q at the checkpoint", aws.ToString(ir.StatusReason))
	}
	g := f.describeGroup(t)
	if versions(g) != "1,"+bad {
		t.Fatalf("at the checkpoint: instances on %s", versions(g))
	}
	nodes := groupNodes(t, f)
	ready := 0
	for _, r := range nodes {
		if r {
			ready++
		}
	}
	if len(nodes) != 2 || ready != 1 {
		t.Fatalf("at the checkpoint: nodes %v, want one Ready, one NotReady", nodes)
	}
	f.clk.Advance(30 * time.Minute)
	wantStatus(t, f.refresh(t, id), types.InstanceRefreshStatusInProgress, 50)

	if _, err := f.client.RollbackInstanceRefresh(t.Context(), &asg.RollbackInstanceRefreshInput{AutoScalingGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(batch)
	ir = f.refresh(t, id)
	if ir.Status != types.InstanceRefreshStatusRollbackSuccessful {
		t.Fatalf("after the rollback: %s (%s)", ir.Status, aws.ToString(ir.StatusReason))
	}
	g = f.describeGroup(t)
	if versions(g) != "1,1" {
		t.Fatalf("after the rollback: instances on %s", versions(g))
	}
	for _, ami := range nodesOf(t, f, g) { // every node Ready again
		if ami == "" {
			t.Error("an instance without an AMI")
		}
	}
}

// MinHealthyPercentage bounds a batch: at 0 both instances are replaced at
// once, at the default 90 one at a time.
func TestRefreshBatchFollowsMinHealthy(t *testing.T) {
	for _, tt := range []struct {
		minHealthy *int32
		want       string
	}{{aws.Int32(0), "1,1,%s,%s"}, {nil, "1,1,%s"}} {
		f := newFixture(t)
		f.start(t, f.goodV, &types.RefreshPreferences{MinHealthyPercentage: tt.minHealthy, InstanceWarmup: aws.Int32(0)})
		f.clk.Advance(autoscaling.DefaultPace) // Pending ends: the first batch launches
		want := strings.ReplaceAll(tt.want, "%s", f.goodV)
		if g := f.describeGroup(t); versions(g) != want {
			t.Errorf("MinHealthyPercentage %v: instances on %s, want %s", aws.ToInt32(tt.minHealthy), versions(g), want)
		}
	}
}
