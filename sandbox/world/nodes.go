package world

import (
	"fmt"
	"strings"
	"time"
)

// Kubernetes and runtime versions of the seeded nodes.
const (
	// ClusterGitVersion is the API server version of the seeded 1.35 clusters.
	ClusterGitVersion = "v1.35.2-eks-3f1c2e7"
	// Kubelet versions: EKS's 1.35 Windows AMIs of 2026.10.14 and 2026.11.11
	// ship 1.35.2; 1.35.0 and 1.35.1 are older patches.
	KubeletV1352 = "v1.35.2-eks-3f1c2e7"
	KubeletV1351 = "v1.35.1-eks-9b04d1a"
	KubeletV1350 = "v1.35.0-eks-51c8e2f"

	windowsContainerd = "containerd://1.7.27"
	linuxContainerd   = "containerd://2.1.4"
	windowsOSImage    = "Windows Server 2022 Datacenter"
	linuxOSImage      = "Amazon Linux 2023.9.20261110"
	linuxKernel       = "6.12.46-66.121.amzn2023.x86_64"
)

// nodeSpec is one node to seed with its instance.
type nodeSpec struct {
	ip           string // private IPv4, the node name derives from it
	zone         string
	subnet       *Subnet
	image        *Image
	instanceType string
	kubelet      string
	launched     time.Time
	// nodegroup is the managed node group, or nil for a Karpenter node.
	nodegroup *Nodegroup
	// nodepool is the Karpenter node pool of a Karpenter node.
	nodepool string
	// group is the Auto Scaling group of a self-managed node.
	group string
	// template is the launch template the instance was launched from: the
	// user's, or the one EKS or Karpenter made.
	template LaunchTemplateRef
}

// instanceCapacity is the allocatable shape of the seeded instance types.
var instanceCapacity = map[string][2]string{
	"m6i.large":   {"2", "7941992Ki"},
	"m6i.xlarge":  {"4", "16106488Ki"},
	"m5.xlarge":   {"4", "15896940Ki"},
	"c6i.xlarge":  {"4", "7841992Ki"},
	"m6i.2xlarge": {"8", "32470228Ki"},
}

// privateDNS is the EC2 private DNS name of an address in a region.
func privateDNS(region, ip string) string {
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// addNode seeds a node of cluster c in region r and the instance behind it,
// labelled and tagged as EKS (or Karpenter) makes them.
func addNode(r *Region, c *Cluster, g *gen, s nodeSpec, instances map[string]*Instance, rv int) (*Node, *Instance) {
	windows := s.image.Platform == "windows"
	name := privateDNS(r.Name, s.ip)
	inst := &Instance{
		InstanceID:       g.id("i"),
		ImageID:          s.image.ImageID,
		InstanceType:     s.instanceType,
		State:            "running",
		LaunchTime:       s.launched,
		AvailabilityZone: s.zone,
		PrivateDNSName:   name,
		PrivateIP:        s.ip,
		Platform:         s.image.Platform,
		Architecture:     "x86_64",
		ReservationID:    g.id("r"),
		Tags: map[string]string{
			"kubernetes.io/cluster/" + c.Name: "owned",
			"aws:ec2launchtemplate:id":        s.template.ID,
			"aws:ec2launchtemplate:version":   s.template.Version,
		},
		// The node's instance is its cluster's account's.
		Account: c.Account,
	}
	if s.subnet != nil {
		inst.SubnetID, inst.VPCID = s.subnet.SubnetID, s.subnet.VPCID
	}
	labels := map[string]string{
		"kubernetes.io/arch":               "amd64",
		"kubernetes.io/hostname":           name,
		"node.kubernetes.io/instance-type": s.instanceType,
		"topology.kubernetes.io/region":    r.Name,
		"topology.kubernetes.io/zone":      s.zone,
		"beta.kubernetes.io/arch":          "amd64",
		"beta.kubernetes.io/instance-type": s.instanceType,
	}
	if ng := s.nodegroup; ng != nil {
		inst.Tags["eks:cluster-name"] = c.Name
		inst.Tags["eks:nodegroup-name"] = ng.Name
		inst.Tags["aws:autoscaling:groupName"] = ng.AutoScalingGroup
		inst.Tags["k8s.io/cluster-autoscaler/enabled"] = "true"
		inst.Tags["k8s.io/cluster-autoscaler/"+c.Name] = "owned"
		labels["eks.amazonaws.com/nodegroup"] = ng.Name
		labels["eks.amazonaws.com/nodegroup-image"] = s.image.ImageID
		labels["eks.amazonaws.com/capacityType"] = "ON_DEMAND"
		if ng.LaunchTemplate != nil {
			labels["eks.amazonaws.com/sourceLaunchTemplateId"] = ng.LaunchTemplate.ID
			labels["eks.amazonaws.com/sourceLaunchTemplateVersion"] = ng.LaunchTemplate.Version
		}
	} else if s.group != "" {
		// A self-managed node: the group's instance, with no owner label.
		inst.Tags["aws:autoscaling:groupName"] = s.group
		inst.Tags["Name"] = c.Name + "-" + s.group
	} else {
		claim := fmt.Sprintf("%s-%05x", s.nodepool, g.rng.Uint32()&0xfffff)
		inst.Tags["karpenter.sh/nodepool"] = s.nodepool
		inst.Tags["karpenter.sh/nodeclaim"] = claim
		inst.Tags["karpenter.k8s.aws/ec2nodeclass"] = s.nodepool
		inst.Tags["eks:eks-cluster-name"] = c.Name
		inst.Tags["Name"] = s.nodepool + "/" + claim
		labels["karpenter.sh/nodepool"] = s.nodepool
		labels["karpenter.sh/capacity-type"] = "on-demand"
		labels["karpenter.k8s.aws/ec2nodeclass"] = s.nodepool
		labels["karpenter.sh/initialized"] = "true"
		labels["karpenter.sh/registered"] = "true"
	}
	n := &Node{
		Name:              name,
		UID:               uuid(g),
		ResourceVersion:   fmt.Sprint(rv),
		CreationTimestamp: s.launched.Add(g.jitter(3*time.Minute, 7*time.Minute)),
		Labels:            labels,
		ProviderID:        "aws:///" + s.zone + "/" + inst.InstanceID,
		InternalIP:        s.ip,
		KubeletVersion:    s.kubelet,
		Architecture:      "amd64",
		Pods:              "110",
		Ready:             true,
	}
	n.ReadySince = n.CreationTimestamp.Add(g.jitter(20*time.Second, 90*time.Second))
	capacity := instanceCapacity[s.instanceType]
	n.CPU, n.Memory = capacity[0], capacity[1]
	if windows {
		labels["kubernetes.io/os"] = "windows"
		labels["beta.kubernetes.io/os"] = "windows"
		labels["node.kubernetes.io/windows-build"] = windowsBuildLabel(s.image.OSBuild)
		n.OperatingSystem, n.OSImage, n.KernelVersion = "windows", windowsOSImage, s.image.OSBuild
		n.ContainerRuntimeVersion = windowsContainerd
	} else {
		labels["kubernetes.io/os"] = "linux"
		labels["beta.kubernetes.io/os"] = "linux"
		n.OperatingSystem, n.OSImage, n.KernelVersion = "linux", linuxOSImage, linuxKernel
		n.ContainerRuntimeVersion = linuxContainerd
	}
	instances[inst.InstanceID] = inst
	c.Nodes = append(c.Nodes, n)
	return n, inst
}

// windowsBuildLabel is node.kubernetes.io/windows-build of an OS build:
// "10.0.20348" of "10.0.20348.4391".
func windowsBuildLabel(osBuild string) string {
	if i := strings.LastIndexByte(osBuild, '.'); i > 0 {
		return osBuild[:i]
	}
	return osBuild
}

// uuid draws a version 4 UUID.
func uuid(g *gen) string {
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}
