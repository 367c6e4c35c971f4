package world

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSeedEKSShape(t *testing.T) {
	w := Seed(1)
	r := w.Region("us-east-1")
	c := r.Clusters[DemoCluster]
	if c == nil || len(c.Nodes) != 12 || len(c.Nodegroups) != 3 || len(r.Instances) != 12 {
		t.Fatalf("demo cluster: %+v", c)
	}
	lt := 0
	for _, tmpl := range r.LaunchTemplates {
		if tmpl.LaunchTemplateName == DemoLaunchTemplateName {
			lt++
			// A custom AMI group: the template names the newest EKS AMI,
			// which EKS reports as the group's release version.
			newest := r.ImageByName(EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}.AMIName(ReleaseDates()[3]))
			a := c.Nodegroups["windows-core-a"]
			if a.LaunchTemplate.ID != tmpl.LaunchTemplateID || tmpl.Versions[0].ImageID != newest.ImageID ||
				a.AMIType != "CUSTOM" || a.ReleaseVersion != newest.ImageID || a.Version != "1.35" {
				t.Errorf("windows-core-a does not use %s naming %s as a CUSTOM group: %+v", DemoLaunchTemplateName, newest.ImageID, a)
			}
			if b := c.Nodegroups["windows-core-b"]; b.AMIType != "WINDOWS_CORE_2022_x86_64" || b.ReleaseVersion != "1.35-2026.11.11" {
				t.Errorf("windows-core-b: %s %s", b.AMIType, b.ReleaseVersion)
			}
		}
	}
	if lt != 1 {
		t.Errorf("%d templates named %s", lt, DemoLaunchTemplateName)
	}
	for _, n := range c.Nodes {
		id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
		inst := r.Instances[id]
		if inst == nil || inst.PrivateDNSName != n.Name || !inst.LaunchTime.Before(n.CreationTimestamp) {
			t.Errorf("%s: instance %+v", n.Name, inst)
			continue
		}
		img := r.Images[inst.ImageID]
		if img == nil || (img.Platform == "windows") != (n.OperatingSystem == "windows") {
			t.Errorf("%s: image %v", n.Name, inst.ImageID)
			continue
		}
		if n.OperatingSystem == "windows" && (n.KernelVersion != img.OSBuild || n.Labels["node.kubernetes.io/windows-build"] != "10.0.20348") {
			t.Errorf("%s: kernel %s, AMI build %s", n.Name, n.KernelVersion, img.OSBuild)
		}
	}
	for region, rr := range w.Regions {
		if region != "us-east-1" && (len(rr.Clusters) != 0 || len(rr.Instances) != 0) {
			t.Errorf("%s has clusters or instances", region)
		}
	}
	// The same seed gives the same cluster, and another seed another one.
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(Seed(1).Region("us-east-1").Clusters[DemoCluster])
	other, _ := json.Marshal(Seed(2).Region("us-east-1").Clusters[DemoCluster])
	if string(a) != string(b) || string(a) == string(other) {
		t.Error("the demo cluster is not a function of the seed")
	}
}
