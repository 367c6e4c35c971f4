package world

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// groupOf is the demo cluster's instances of a node group.
func groupOf(w *World, group string) []string {
	var ids []string
	for _, n := range w.Cluster("us-east-1", DemoCluster).Nodes {
		if n.Labels["eks.amazonaws.com/nodegroup"] == group {
			ids = append(ids, n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:])
		}
	}
	return ids
}

func replaceSpec(w *World, group string, image string, pace time.Duration) ReplaceSpec {
	return ReplaceSpec{Cluster: DemoCluster, Kind: GroupNodegroup, Group: group, Instances: groupOf(w, group),
		ImageID: image, MaxUnavailable: 2, Pace: pace}
}

// The state a replacement reaches depends on the clock only, not on how
// often it is advanced; with no pace it ends as it starts.
func TestReplacementFollowsTheClock(t *testing.T) {
	start := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	const pace = 10 * time.Second
	run := func(step time.Duration) (*World, *Replacement) {
		w := Seed(1)
		img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115")
		rp, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-a", img.ImageID, pace), start)
		if err != nil {
			t.Fatal(err)
		}
		for at := start; !at.After(start.Add(time.Minute)); at = at.Add(step) {
			w.AdvanceReplacements(at)
		}
		return w, rp
	}
	w1, a := run(time.Second)
	w2, b := run(30 * time.Second)
	if a.Status != ReplaceSuccessful || b.Status != ReplaceSuccessful || !a.Finished.Equal(*b.Finished) ||
		!a.Finished.Equal(start.Add(4*pace)) {
		t.Fatalf("finished %v and %v (%s, %s), want both at %v", a.Finished, b.Finished, a.Status, b.Status, start.Add(4*pace))
	}
	if !slices.Equal(groupOf(w1, "windows-core-a"), groupOf(w2, "windows-core-a")) || len(a.Replaced) != 4 {
		t.Errorf("replaced %v and %v", groupOf(w1, "windows-core-a"), groupOf(w2, "windows-core-a"))
	}
	if w1.ActiveReplacement("us-east-1", DemoCluster, GroupNodegroup, "windows-core-a") != nil {
		t.Error("a finished replacement is active")
	}

	w := Seed(1)
	img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115")
	rp, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-b", img.ImageID, 0), start)
	if err != nil || rp.Status != ReplaceSuccessful || len(rp.Replaced) != 3 {
		t.Fatalf("no pace: %+v, %v", rp, err)
	}
}

// Cancel stops where the replacement is and uncordons the wave's old nodes.
func TestReplacementCancel(t *testing.T) {
	start := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	w := Seed(1)
	img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115")
	rp, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-a", img.ImageID, time.Minute), start)
	if err != nil {
		t.Fatal(err)
	}
	w.AdvanceReplacements(start.Add(90 * time.Second)) // the first wave's old nodes are cordoned
	if rp.Unavailable() != 2 || w.ActiveReplacement("us-east-1", DemoCluster, GroupNodegroup, "windows-core-a") != rp {
		t.Fatalf("unavailable %d", rp.Unavailable())
	}
	c := w.Cluster("us-east-1", DemoCluster)
	cordoned := map[string]string{} // name -> resourceVersion
	for _, n := range c.Nodes {
		if n.Unschedulable {
			cordoned[n.Name] = n.ResourceVersion
		}
	}
	before := len(c.Events)
	rp.Cancel(w, "us-east-1", start.Add(2*time.Minute))
	for _, n := range c.Nodes {
		if n.Unschedulable || len(n.Taints) > 0 {
			t.Errorf("node %s still cordoned", n.Name)
		}
		// The uncordon is a change watches see: a new resourceVersion
		// and a MODIFIED event.
		if rv, ok := cordoned[n.Name]; ok && n.ResourceVersion == rv {
			t.Errorf("node %s uncordoned without a new resourceVersion", n.Name)
		}
	}
	if got := len(c.Events) - before; got != len(cordoned) {
		t.Errorf("%d events for %d uncordoned nodes", got, len(cordoned))
	}
	if rp.Status != ReplaceCancelled || len(groupOf(w, "windows-core-a")) != 6 {
		t.Errorf("%s with %d nodes", rp.Status, len(groupOf(w, "windows-core-a")))
	}
	if _, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-a", "ami-0123456789abcdef0", 0), start); err == nil {
		t.Error("a replacement onto an unknown AMI started")
	}
}

func TestMaxUnavailableOf(t *testing.T) {
	cases := []struct {
		uc   *NodegroupUpdateConfig
		size int32
		want int
	}{
		{nil, 4, 1},
		{&NodegroupUpdateConfig{MaxUnavailable: 3}, 4, 3},
		{&NodegroupUpdateConfig{MaxUnavailablePercentage: 50}, 5, 2},
		{&NodegroupUpdateConfig{MaxUnavailablePercentage: 10}, 4, 1},
	}
	for _, tc := range cases {
		ng := &Nodegroup{DesiredSize: tc.size, UpdateConfig: tc.uc}
		if got := ng.MaxUnavailableOf(); got != tc.want {
			t.Errorf("%+v of %d: %d, want %d", tc.uc, tc.size, got, tc.want)
		}
	}
}

// A replacement in flight is plain data: saved and loaded (--state), it
// carries on where it was.
func TestReplacementSurvivesSaving(t *testing.T) {
	start := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	w := Seed(1)
	img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115")
	rp, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-a", img.ImageID, time.Minute), start)
	if err != nil {
		t.Fatal(err)
	}
	w.AdvanceReplacements(start.Add(90 * time.Second))
	saved, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var loaded World
	if err := json.Unmarshal(saved, &loaded); err != nil {
		t.Fatal(err)
	}
	loaded.AdvanceReplacements(start.Add(time.Hour))
	again := loaded.Replacement("us-east-1", rp.ID)
	if again == nil || again.Status != ReplaceSuccessful || len(again.Replaced) != 4 || !again.Finished.Equal(start.Add(4*time.Minute)) {
		t.Fatalf("after loading: %+v", again)
	}
}

// Every node of one AMI runs one kubelet: replacing windows-core-b (one of
// its nodes on an older kubelet patch) with an AMI that records no
// Kubernetes version leaves no node on the older patch.
func TestReplacedNodesShareTheirAMIsKubelet(t *testing.T) {
	w := Seed(1)
	img := w.Region("us-east-1").ImageByName("winami-demo-2022-core-1.35-20261115")
	if KubeletOf(img) != "" {
		t.Fatalf("the demo AMI now says its kubelet (%s): pick one that does not", KubeletOf(img))
	}
	start := time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)
	if _, err := w.StartReplacement("us-east-1", replaceSpec(w, "windows-core-b", img.ImageID, 0), start); err != nil {
		t.Fatal(err)
	}
	for _, n := range w.Cluster("us-east-1", DemoCluster).Nodes {
		if n.Labels["eks.amazonaws.com/nodegroup"] == "windows-core-b" && n.KubeletVersion != KubeletV1352 {
			t.Errorf("node %s of %s runs kubelet %s", n.Name, img.ImageID, n.KubeletVersion)
		}
	}
}
