package world

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSeedScale(t *testing.T) {
	w := Seed(1)
	extra, err := SeedScale(w, 2500)
	if err != nil {
		t.Fatal(err)
	}
	w.Extra = extra
	c := w.Cluster("us-east-1", ScaleCluster)
	if c == nil || len(c.Nodes) != 2500 || len(c.Nodegroups) != 3 || c.Nodegroups["windows-002"].DesiredSize != 500 {
		t.Fatalf("scale cluster: %+v", c)
	}
	if got := w.ClusterKeys("us-east-1"); strings.Join(got, ",") != "demo,scale" {
		t.Errorf("clusters %v", got)
	}
	all := w.SortedInstances("us-east-1")
	if len(all) != 2500+12 { // the demo cluster's 12
		t.Errorf("%d instances", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].InstanceID >= all[i].InstanceID {
			t.Fatalf("instances out of order at %d", i)
		}
	}
	for i, n := range c.Nodes {
		if i > 0 && c.Nodes[i-1].Name >= n.Name {
			t.Fatalf("nodes out of order at %d", i)
		}
		id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
		if inst := w.Instance("us-east-1", id); inst == nil || inst.PrivateDNSName != n.Name || n.Labels["eks.amazonaws.com/nodegroup-image"] != inst.ImageID {
			t.Fatalf("%s: instance %+v", n.Name, inst)
		}
	}
	// Custom AMI groups on one launch template naming the newest AMI, which
	// the region adopts, keeping a copy it has already (versions added).
	tmpls := extra.Regions["us-east-1"].LaunchTemplates
	newest := w.Region("us-east-1").ImageByName(EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}.AMIName(ReleaseDates()[3]))
	if len(tmpls) != 1 || tmpls[0].LaunchTemplateName != ScaleLaunchTemplateName || tmpls[0].Versions[0].ImageID != newest.ImageID {
		t.Fatalf("scale launch templates %+v", tmpls)
	}
	for name, ng := range c.Nodegroups {
		if ng.AMIType != "CUSTOM" || ng.ReleaseVersion != newest.ImageID || ng.LaunchTemplate == nil ||
			ng.LaunchTemplate.ID != tmpls[0].LaunchTemplateID || ng.LaunchTemplate.Version != "1" {
			t.Errorf("%s: %s %s %+v", name, ng.AMIType, ng.ReleaseVersion, ng.LaunchTemplate)
		}
	}
	if n := c.Nodes[0]; n.Labels["eks.amazonaws.com/sourceLaunchTemplateId"] != tmpls[0].LaunchTemplateID {
		t.Errorf("node labels %v", n.Labels)
	}
	w.AdoptFleetTemplates()
	adopted := w.Region("us-east-1").LaunchTemplates[tmpls[0].LaunchTemplateID]
	if adopted != tmpls[0] {
		t.Fatal("the region did not adopt the scale launch template")
	}
	kept := *adopted
	w.Region("us-east-1").LaunchTemplates[kept.LaunchTemplateID] = &kept
	w.AdoptFleetTemplates()
	if w.Region("us-east-1").LaunchTemplates[kept.LaunchTemplateID] != &kept {
		t.Error("adopting replaced the region's own copy")
	}

	// The same seed and count give the same fleet.
	again, _ := SeedScale(Seed(1), 2500)
	if again.Regions["us-east-1"].Clusters[ScaleCluster].Nodes[1234].ProviderID != c.Nodes[1234].ProviderID {
		t.Error("scale fleet differs between two seedings")
	}
	if _, err := SeedScale(w, MaxScaleNodes+1); err == nil {
		t.Error("no error past MaxScaleNodes")
	}
	if e, err := SeedScale(w, 0); e != nil || err != nil {
		t.Errorf("0 nodes: %v, %v", e, err)
	}
}

func BenchmarkSeedScale10k(b *testing.B) {
	w := Seed(1)
	for b.Loop() {
		if _, err := SeedScale(w, 10_000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot measures what the state store pays on every change
// (one json.Marshal of the world), without and with ten thousand scale nodes
// in it: the reason the scale cluster is kept out of the saved world.
func BenchmarkSnapshot(b *testing.B) {
	w := Seed(1)
	extra, err := SeedScale(w, 10_000)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("world", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("world+10k", func(b *testing.B) {
		fleet := extra.Regions["us-east-1"]
		for b.Loop() {
			if _, err := json.Marshal(w); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(fleet); err != nil {
				b.Fatal(err)
			}
		}
	})
}
