package world

import (
	"fmt"
	"strings"
	"time"
)

// Names of the seeded self-managed Windows nodes of the demo cluster.
const (
	DemoSelfManagedGroup          = "windows-self-managed"
	DemoSelfManagedLaunchTemplate = "windows-self-managed-nodes"
)

// seedAutoScaling gives the demo cluster (us-east-1) a self-managed Windows
// node group: the Auto Scaling group "windows-self-managed" of 2 instances
// launched from the user's launch template "windows-self-managed-nodes"
// (version 1: the newest EKS 1.35 Windows Server 2022 Core AMI), and their
// Kubernetes nodes. The nodes carry no owner label, as self-managed nodes
// do not; their instances carry the group's tags.
func seedAutoScaling(w *World, r *Region, g *gen) {
	c := r.Clusters[DemoCluster]
	if r.Name != "us-east-1" || c == nil {
		return
	}
	releases := ReleaseDates()
	key := EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	newest := imageNamed(r, key.AMIName(releases[3]))
	if newest == nil {
		return
	}
	created := time.Date(2026, time.November, 18, 11, 0, 0, 0, time.UTC).Add(g.jitter(0, time.Hour))
	lt := &LaunchTemplate{
		LaunchTemplateID:   g.id("lt"),
		LaunchTemplateName: DemoSelfManagedLaunchTemplate,
		DefaultVersion:     1,
		LatestVersion:      1,
		Versions: []LaunchTemplateVersion{{
			Version:            1,
			ImageID:            newest.ImageID,
			InstanceType:       "m6i.xlarge",
			Description:        "self-managed Windows nodes of the demo cluster",
			CreateTime:         created,
			IAMInstanceProfile: c.Name + "-node-profile",
		}},
		Tags:       map[string]string{"eks-cluster": DemoCluster},
		CreateTime: created,
		CreatedBy:  "arn:aws:iam::" + w.AccountID + ":user/" + w.UserName,
	}
	r.LaunchTemplates[lt.LaunchTemplateID] = lt

	subnets := defaultSubnets(r)
	var zones, ids []string
	for _, s := range subnets {
		zones = append(zones, s.AvailabilityZone)
		ids = append(ids, s.SubnetID)
	}
	ref := LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: "1"}
	grp := &AutoScalingGroup{
		Name: DemoSelfManagedGroup,
		ARN: fmt.Sprintf("arn:%s:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s",
			Partition(r.Name), r.Name, w.AccountID, uuid(g), DemoSelfManagedGroup),
		LaunchTemplate:         ref,
		MinSize:                1,
		MaxSize:                4,
		DesiredCapacity:        2,
		DefaultCooldown:        300,
		HealthCheckType:        "EC2",
		HealthCheckGracePeriod: 300,
		AvailabilityZones:      zones,
		VPCZoneIdentifier:      strings.Join(ids, ","),
		TerminationPolicies:    []string{"Default"},
		ServiceLinkedRoleARN: fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
			Partition(r.Name), w.AccountID),
		CreatedTime: created.Add(g.jitter(5*time.Minute, 20*time.Minute)),
		Tags: map[string]string{
			"Name":                            DemoCluster + "-" + DemoSelfManagedGroup,
			"kubernetes.io/cluster/" + c.Name: "owned",
		},
		Cluster: c.Name,
	}
	rv := nextResourceVersion(c)
	for i := range 2 {
		sub := subnets[i%len(subnets)]
		rv += 1 + int(g.rng.Int64N(300))
		_, inst := addNode(r, c, g, nodeSpec{
			ip: subnetIP(sub, g), zone: sub.AvailabilityZone, subnet: sub, image: newest,
			instanceType: "m6i.xlarge", kubelet: KubeletV1352, group: grp.Name, template: ref,
			launched: grp.CreatedTime.Add(g.jitter(time.Minute, 10*time.Minute)),
		}, r.Instances, rv)
		grp.Launches++
		grp.Instances = append(grp.Instances, &GroupInstance{
			InstanceID: inst.InstanceID, InstanceType: inst.InstanceType, AvailabilityZone: inst.AvailabilityZone,
			LifecycleState: "InService", HealthStatus: "Healthy", LaunchTemplate: ref,
		})
	}
	finishCluster(c, rv)
	r.AutoScalingGroups = map[string]*AutoScalingGroup{grp.Name: grp}
}
