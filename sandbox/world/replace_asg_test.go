package world

import (
	"testing"
	"time"
)

// An Auto Scaling group's replacement goes on with nodes that never join
// (EC2 health is all it sees), waits the warm-up before draining, and two
// replacements started in the same instant (pace 0) keep their own IDs.
func TestReplacementOfAutoScalingGroup(t *testing.T) {
	start := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	const pace, warmup = 10 * time.Second, time.Minute
	w := Seed(1)
	r := w.Region("us-east-1")
	g := r.AutoScalingGroups[DemoSelfManagedGroup]
	bad := r.ImageByName(BadAMIName)
	spec := ReplaceSpec{Cluster: DemoCluster, Kind: GroupAutoScalingGroup, Group: g.Name,
		Instances: []string{g.Instances[0].InstanceID}, ImageID: bad.ImageID, MaxUnavailable: 1,
		Pace: pace, Warmup: warmup, Force: true}
	rp, err := w.StartReplacement("us-east-1", spec, start)
	if err != nil {
		t.Fatal(err)
	}
	w.AdvanceReplacements(start.Add(2*pace + warmup - time.Second))
	if rp.Done() || len(rp.Replaced) != 0 {
		t.Fatalf("before the warm-up ended: %s, replaced %v", rp.Status, rp.Replaced)
	}
	w.AdvanceReplacements(start.Add(2*pace + warmup))
	if rp.Status != ReplaceSuccessful || len(rp.Replaced) != 1 {
		t.Fatalf("after the warm-up: %s %+v, replaced %v", rp.Status, rp.Errors, rp.Replaced)
	}
	c := w.Cluster("us-east-1", DemoCluster)
	if n := nodeOf(c, rp.Replaced[0].New); n == nil || n.Ready {
		t.Errorf("the broken AMI's node: %+v", n)
	}
	if nodeOf(c, rp.Replaced[0].Old) != nil {
		t.Error("the old instance's node is still there")
	}

	spec.Instances, spec.ImageID, spec.Pace = nil, r.ImageByName("winami-demo-2022-core-1.35-20261115").ImageID, 0
	a, err1 := w.StartReplacement("us-east-1", spec, start)
	b, err2 := w.StartReplacement("us-east-1", spec, start)
	if err1 != nil || err2 != nil || a.ID == b.ID || w.Replacement("us-east-1", a.ID) != a {
		t.Fatalf("two replacements in one instant: %v %v, IDs %s and %s", err1, err2, a.ID, b.ID)
	}
}
