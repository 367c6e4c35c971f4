package world

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DemoSelfManagedGroup is the Auto Scaling group of the demo cluster's
// self-managed Windows nodes.
const DemoSelfManagedGroup = "windows-self-managed"

// seedAutoScaling gives the demo cluster (us-east-1) a self-managed Windows
// node group: the Auto Scaling group "windows-self-managed" of 2 instances
// launched from the default version of the user's launch template
// WindowsNodesLaunchTemplate (version 1: the newest EKS 1.35 Windows
// Server 2022 Core AMI, m6i.large), and their Kubernetes nodes. The nodes
// carry no owner label, as self-managed nodes do not; their instances
// carry the group's tags.
func seedAutoScaling(w *World, r *Region, g *gen) {
	c := r.Clusters[DemoCluster]
	if r.Name != "us-east-1" || c == nil {
		return
	}
	var lt *LaunchTemplate
	for _, t := range r.LaunchTemplates {
		if t.LaunchTemplateName == WindowsNodesLaunchTemplate {
			lt = t
		}
	}
	if lt == nil {
		return
	}
	data := lt.VersionData(lt.DefaultVersion)
	img := r.Images[data.ImageID]
	if img == nil {
		return
	}
	created := time.Date(2026, time.November, 18, 11, 0, 0, 0, time.UTC).Add(g.jitter(0, time.Hour))

	subnets := defaultSubnets(r)
	var zones, ids []string
	for _, s := range subnets {
		zones = append(zones, s.AvailabilityZone)
		ids = append(ids, s.SubnetID)
	}
	ref := LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: fmt.Sprint(lt.DefaultVersion)}
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
		CreatedTime: created,
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
			ip: subnetIP(sub, g), zone: sub.AvailabilityZone, subnet: sub, image: img,
			instanceType: data.InstanceType, kubelet: KubeletV1352, group: grp.Name, template: ref,
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

// nextResourceVersion is a resourceVersion above every one the seeded
// cluster has handed out.
func nextResourceVersion(c *Cluster) int {
	top, _ := strconv.Atoi(c.ResourceVersion)
	for _, n := range c.Nodes {
		if v, err := strconv.Atoi(n.ResourceVersion); err == nil && v > top {
			top = v
		}
	}
	return top + 1
}
