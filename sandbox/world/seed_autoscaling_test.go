package world

import (
	"strings"
	"testing"
)

func TestSeedAutoScalingShape(t *testing.T) {
	w := Seed(1)
	r := w.Region("us-east-1")
	g := r.AutoScalingGroups[DemoSelfManagedGroup]
	if g == nil || len(r.AutoScalingGroups) != 1 || len(g.Instances) != 2 || g.DesiredCapacity != 2 || g.Cluster != DemoCluster {
		t.Fatalf("group %+v", g)
	}
	lt := r.LaunchTemplateByRef(g.LaunchTemplate)
	if lt == nil || lt.LaunchTemplateName != WindowsNodesLaunchTemplate || lt.ResolveVersion(g.LaunchTemplate.Version) != 1 {
		t.Fatalf("group's launch template %+v", g.LaunchTemplate)
	}
	image := lt.VersionData(1).ImageID
	nodes := map[string]*Node{}
	for _, n := range r.Clusters[DemoCluster].Nodes {
		nodes[n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]] = n
	}
	for _, gi := range g.Instances {
		inst := r.Instances[gi.InstanceID]
		if inst == nil || inst.ImageID != image || inst.AvailabilityZone != gi.AvailabilityZone ||
			inst.Tags["aws:autoscaling:groupName"] != g.Name || inst.Tags["kubernetes.io/cluster/"+DemoCluster] != "owned" ||
			inst.Tags["aws:ec2launchtemplate:id"] != lt.LaunchTemplateID || gi.LaunchTemplate.Version != "1" {
			t.Errorf("instance %s: %+v", gi.InstanceID, inst)
			continue
		}
		n := nodes[gi.InstanceID]
		if n == nil || n.Labels["kubernetes.io/os"] != "windows" || n.Labels["eks.amazonaws.com/nodegroup"] != "" ||
			n.Labels["karpenter.sh/nodepool"] != "" || !n.Ready {
			t.Errorf("node of %s: %+v", gi.InstanceID, n)
		}
	}
	for region, rr := range w.Regions {
		if region != "us-east-1" && len(rr.AutoScalingGroups) != 0 {
			t.Errorf("%s has Auto Scaling groups", region)
		}
	}
}
