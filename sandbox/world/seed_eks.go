package world

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Names of the seeded EKS resources (us-east-1).
const (
	DemoCluster            = "demo"
	DemoKarpenterNodePool  = "windows"
	DemoLaunchTemplateName = "demo-windows-nodes"
)

// seedEKS gives us-east-1 the cluster "demo": Kubernetes 1.35 with a Linux
// managed node group "system" (2 nodes), two Windows Server 2022 Core managed
// node groups, "windows-core-a" (4 nodes; CUSTOM: the user's launch template
// names the AMI) and "windows-core-b" (3 nodes, WINDOWS_CORE_2022_x86_64),
// and one Karpenter node of the node pool
// "windows". Every Windows node runs the newest EKS 1.35 Windows AMI
// (2026.11.11) with kubelet 1.35.2, but two, which drift:
//
//   - the Karpenter node still runs the 2026.10.14 AMI (and so an older OS
//     build): Karpenter launched it in October and nothing replaced it;
//   - one node of windows-core-b runs kubelet v1.35.0 on the newest AMI.
func seedEKS(w *World, r *Region, g *gen) {
	if r.Name != "us-east-1" {
		return
	}
	releases := ReleaseDates()
	key := EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	newest := imageNamed(r, key.AMIName(releases[3]))
	older := imageNamed(r, key.AMIName(releases[2]))
	linux := imageNamed(r, "amazon-eks-node-al2023-x86_64-standard-1.35-v20261112")
	if newest == nil || older == nil || linux == nil {
		return // a world without the AMIs has no nodes to run them
	}
	subnets := defaultSubnets(r)
	c := newCluster(w, r, g, w.AccountID, DemoCluster, time.Date(2026, time.March, 3, 15, 20, 0, 0, time.UTC).Add(g.jitter(0, time.Hour)), subnets)
	r.Clusters = map[string]*Cluster{c.Name: c}
	r.Instances = map[string]*Instance{}

	userLT := &LaunchTemplate{
		LaunchTemplateID:   g.id("lt"),
		LaunchTemplateName: DemoLaunchTemplateName,
		DefaultVersion:     1,
		LatestVersion:      1,
		Versions: []LaunchTemplateVersion{{
			Version:     1,
			Description: "demo Windows nodes: a custom AMI (the newest EKS 1.35 Windows Server 2022 Core), IMDSv2 and tags; type from the node group",
			ImageID:     newest.ImageID,
			CreateTime:  time.Date(2026, time.November, 16, 9, 0, 0, 0, time.UTC),
		}},
		Tags:       map[string]string{"eks-cluster": DemoCluster},
		CreateTime: time.Date(2026, time.November, 16, 9, 0, 0, 0, time.UTC),
		CreatedBy:  "arn:aws:iam::" + w.AccountID + ":user/" + w.UserName,
	}
	r.LaunchTemplates[userLT.LaunchTemplateID] = userLT

	rollout := time.Date(2026, time.November, 17, 10, 0, 0, 0, time.UTC)
	system := newNodegroup(w, r, g, c, "system", "AL2023_x86_64_STANDARD", "1.35.2-20261112", []string{"m6i.large"}, 2, rollout.Add(-24*time.Hour))
	// A launch template that names an AMI makes a CUSTOM group (EKS refuses
	// one in a group of an EKS AMI type); EKS reports its AMI ID as the
	// group's release version.
	coreA := newNodegroup(w, r, g, c, "windows-core-a", "CUSTOM", newest.ImageID, []string{"m6i.xlarge"}, 4, rollout)
	coreA.LaunchTemplate = &LaunchTemplateRef{ID: userLT.LaunchTemplateID, Name: userLT.LaunchTemplateName, Version: "1"}
	coreA.DiskSize = nil // with a launch template the disk is the template's business
	coreB := newNodegroup(w, r, g, c, "windows-core-b", "WINDOWS_CORE_2022_x86_64", "1.35-"+ReleaseStamp(releases[3]), []string{"m5.xlarge"}, 3, rollout.Add(2*time.Hour))

	rv := 51200
	add := func(s nodeSpec, i int) (*Node, *Instance) {
		sub := subnets[i%len(subnets)]
		s.subnet, s.zone = sub, sub.AvailabilityZone
		s.ip = subnetIP(sub, g)
		if s.template.ID == "" {
			s.template = eksLaunchTemplate(r, c, s.nodegroup, s.nodepool)
		}
		rv += 1 + int(g.rng.Int64N(300))
		return addNode(r, c, g, s, r.Instances, rv)
	}
	for i := range 2 {
		add(nodeSpec{image: linux, instanceType: "m6i.large", kubelet: "v1.35.2-eks-ba74326", nodegroup: system,
			launched: system.ModifiedAt.Add(g.jitter(2*time.Minute, 10*time.Minute))}, i)
	}
	for i := range 4 {
		add(nodeSpec{image: newest, instanceType: "m6i.xlarge", kubelet: KubeletV1352, nodegroup: coreA,
			template: *coreA.LaunchTemplate, launched: coreA.ModifiedAt.Add(g.jitter(5*time.Minute, 40*time.Minute))}, i)
	}
	for i := range 3 {
		kubelet := KubeletV1352
		if i == 2 {
			kubelet = KubeletV1350 // drift: an older kubelet patch on the newest AMI
		}
		add(nodeSpec{image: newest, instanceType: "m5.xlarge", kubelet: kubelet, nodegroup: coreB,
			launched: coreB.ModifiedAt.Add(g.jitter(5*time.Minute, 40*time.Minute))}, i+1)
	}
	// Drift: a Karpenter node launched on October's AMI and never replaced.
	karpNode, karpInst := add(nodeSpec{image: older, instanceType: "c6i.xlarge", kubelet: KubeletV1352, nodepool: DemoKarpenterNodePool,
		launched: time.Date(2026, time.October, 21, 13, 0, 0, 0, time.UTC).Add(g.jitter(0, 6*time.Hour))}, 2)
	finishCluster(c, rv)
	seedKarpenter(w, r, g, c, karpNode, karpInst)
}

// newCluster is an ACTIVE Kubernetes 1.35 cluster in the region's default
// VPC, owned by account (its ARNs, and its node groups', name it).
func newCluster(w *World, r *Region, g *gen, account, name string, created time.Time, subnets []*Subnet) *Cluster {
	arn := fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", Partition(r.Name), r.Name, account, name)
	c := &Cluster{
		Name:                   name,
		ARN:                    arn,
		ID:                     uuid(g),
		Version:                "1.35",
		PlatformVersion:        "eks.7",
		Status:                 "ACTIVE",
		CreatedAt:              created,
		RoleARN:                fmt.Sprintf("arn:%s:iam::%s:role/%s-cluster-role", Partition(r.Name), account, name),
		GitVersion:             ClusterGitVersion,
		CertificateAuthority:   clusterCA(w.Seed),
		ClusterSecurityGroupID: g.id("sg"),
		ServiceIPv4CIDR:        "10.100.0.0/16",
		Tags:                   map[string]string{"team": "platform"},
		Nodegroups:             map[string]*Nodegroup{},
	}
	if account != w.AccountID {
		c.Account = account
	}
	for _, s := range subnets {
		c.SubnetIDs = append(c.SubnetIDs, s.SubnetID)
		c.VPCID = s.VPCID
	}
	return c
}

// newNodegroup adds an ACTIVE managed node group without a launch template
// of its own (EKS then makes one, and the disk size is the group's).
func newNodegroup(w *World, r *Region, g *gen, c *Cluster, name, amiType, release string, types []string, size int32, modified time.Time) *Nodegroup {
	id := uuid(g)
	disk := int32(20)
	if strings.HasPrefix(amiType, "WINDOWS") {
		disk = 50
	}
	ng := &Nodegroup{
		Name:             name,
		ARN:              fmt.Sprintf("arn:%s:eks:%s:%s:nodegroup/%s/%s/%s", Partition(r.Name), r.Name, w.ClusterOwner(c), c.Name, name, id),
		Version:          c.Version,
		ReleaseVersion:   release,
		AMIType:          amiType,
		CapacityType:     "ON_DEMAND",
		Status:           "ACTIVE",
		InstanceTypes:    types,
		Subnets:          c.SubnetIDs,
		NodeRole:         fmt.Sprintf("arn:%s:iam::%s:role/%s-node-role", Partition(r.Name), w.ClusterOwner(c), c.Name),
		Labels:           map[string]string{},
		Tags:             map[string]string{"team": "platform"},
		MinSize:          1,
		MaxSize:          max(size*2, 10),
		DesiredSize:      size,
		DiskSize:         &disk,
		AutoScalingGroup: "eks-" + name + "-" + id,
		CreatedAt:        c.CreatedAt.Add(g.jitter(20*time.Minute, 3*time.Hour)),
		ModifiedAt:       modified,
	}
	c.Nodegroups[name] = ng
	return ng
}

// eksLaunchTemplate is the launch template EKS (for a managed node group
// without one) or Karpenter (for a node pool) made and launched the
// instance from. Only its ID and version reach the world, as the instance's
// aws:ec2launchtemplate tags: the region's templates stay the user's.
func eksLaunchTemplate(r *Region, c *Cluster, ng *Nodegroup, nodepool string) LaunchTemplateRef {
	key := c.ARN + "/" + nodepool
	if ng != nil {
		key = ng.ARN
	}
	return LaunchTemplateRef{ID: fmt.Sprintf("lt-0%016x", regionStream(r.Name+"/"+key)), Version: "1"}
}

// finishCluster sorts the nodes by name, as the API server lists them, and
// sets the list resourceVersion.
func finishCluster(c *Cluster, rv int) {
	slices.SortFunc(c.Nodes, func(a, b *Node) int { return strings.Compare(a.Name, b.Name) })
	c.ResourceVersion = fmt.Sprint(rv + 1)
}

func imageNamed(r *Region, name string) *Image {
	for _, img := range r.Images {
		if img.Name == name {
			return img
		}
	}
	return nil
}

// defaultSubnets are the region's default subnets in zone order.
func defaultSubnets(r *Region) []*Subnet {
	subs := slices.Collect(maps.Values(r.Subnets))
	subs = slices.DeleteFunc(subs, func(s *Subnet) bool { return !s.DefaultForAZ })
	slices.SortFunc(subs, func(a, b *Subnet) int { return strings.Compare(a.AvailabilityZone, b.AvailabilityZone) })
	return subs
}

// subnetIP draws an unused address of a seeded /20 default subnet.
func subnetIP(s *Subnet, g *gen) string {
	var a, b int
	if _, err := fmt.Sscanf(s.CIDRBlock, "172.31.%d.%d/20", &a, &b); err != nil {
		a = 0
	}
	for {
		off := 4 + int(g.rng.Int64N(4090)) // AWS keeps the first four and the last
		ip := fmt.Sprintf("172.31.%d.%d", a+off/256, off%256)
		if !g.used["ip/"+ip] {
			g.used["ip/"+ip] = true
			return ip
		}
	}
}
