package world

import (
	"fmt"
	"slices"
	"time"
)

// Names of the seeded network resources.
const (
	// DefaultSecurityGroupName is the group every VPC is created with.
	DefaultSecurityGroupName = "default"
	// WindowsNodesLaunchTemplate is the seeded launch template for Windows
	// nodes: version 1 leaves the root volume to the AMI, version 2 maps
	// /dev/sda1 explicitly, which makes EC2 bypass Fast Launch's
	// pre-provisioned snapshots.
	WindowsNodesLaunchTemplate = "winami-windows-nodes"
	// UnofferedInstanceType is offered in every zone but each region's
	// third one ("<region>c"), so that preflight can catch a subnet whose
	// zone lacks an instance type.
	UnofferedInstanceType = "m7i.xlarge"
	// NoDefaultVPCRegion is the region whose default VPC the account has
	// deleted, as many organisations do: it has a VPC of its own instead,
	// so whatever needs the default VPC (Fast Launch without a launch
	// template, a build without a subnet) fails there.
	NoDefaultVPCRegion = "ap-south-1"
)

// zoneIDPrefixes are the short region codes of availability zone IDs.
var zoneIDPrefixes = map[string]string{
	"ap-northeast-1": "apne1",
	"ap-south-1":     "aps1",
	"ap-southeast-1": "apse1",
	"eu-central-1":   "euc1",
	"eu-west-1":      "euw1",
	"us-east-1":      "use1",
	"us-west-2":      "usw2",
}

// offeredInstanceTypes are the types EC2 offers in every seeded zone (but
// see UnofferedInstanceType): the general-purpose and compute families
// Windows node groups commonly use.
func offeredInstanceTypes() []string {
	var out []string
	for _, family := range []string{"c6i", "m5", "m6i", "m7i"} {
		for _, size := range []string{"large", "xlarge", "2xlarge", "4xlarge"} {
			out = append(out, family+"."+size)
		}
	}
	for _, size := range []string{"medium", "large", "xlarge", "2xlarge"} {
		out = append(out, "t3."+size)
	}
	slices.Sort(out)
	return out
}

// seedNetwork gives a region its availability zones and default VPC (one
// default subnet per zone, the default security group) and, in the regions
// that hold the account's own AMIs, the Windows nodes launch template.
func seedNetwork(w *World, r *Region, g *gen) {
	r.VPCs = map[string]*VPC{}
	r.Subnets = map[string]*Subnet{}
	r.SecurityGroups = map[string]*SecurityGroup{}
	r.LaunchTemplates = map[string]*LaunchTemplate{}

	// Zone IDs are the same zones in every account; which name maps to
	// which ID differs per account, so draw the mapping.
	numbers := g.rng.Perm(6)
	for i, letter := range []string{"a", "b", "c"} {
		types := offeredInstanceTypes()
		if i == 2 {
			types = slices.DeleteFunc(types, func(t string) bool { return t == UnofferedInstanceType })
		}
		r.AvailabilityZones = append(r.AvailabilityZones, &AvailabilityZone{
			Name:          r.Name + letter,
			ZoneID:        fmt.Sprintf("%s-az%d", zoneIDPrefix(r.Name), numbers[i]+1),
			InstanceTypes: types,
		})
	}

	vpc := &VPC{
		VPCID:             g.id("vpc"),
		CIDRBlock:         "172.31.0.0/16",
		IsDefault:         r.Name != NoDefaultVPCRegion,
		DHCPOptionsID:     g.id("dopt"),
		CIDRAssociationID: g.id("vpc-cidr-assoc"),
	}
	r.VPCs[vpc.VPCID] = vpc
	for i, az := range r.AvailabilityZones {
		s := &Subnet{
			SubnetID:            g.id("subnet"),
			VPCID:               vpc.VPCID,
			AvailabilityZone:    az.Name,
			AvailabilityZoneID:  az.ZoneID,
			CIDRBlock:           fmt.Sprintf("172.31.%d.0/20", 16*i),
			DefaultForAZ:        vpc.IsDefault,
			MapPublicIPOnLaunch: vpc.IsDefault,
			// A /20 has 4096 addresses; AWS reserves five in every subnet.
			AvailableIPs: 4091,
		}
		r.Subnets[s.SubnetID] = s
	}
	sg := &SecurityGroup{
		GroupID:     g.id("sg"),
		GroupName:   DefaultSecurityGroupName,
		Description: "default VPC security group",
		VPCID:       vpc.VPCID,
		Egress:      []SecurityGroupRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}},
	}
	// The default group admits all traffic from its own members.
	sg.Ingress = []SecurityGroupRule{{Protocol: "-1", GroupIDs: []string{sg.GroupID}}}
	r.SecurityGroups[sg.GroupID] = sg

	if r.Name == "us-east-1" || r.Name == "us-west-2" {
		lt := windowsNodesTemplate(w, r, g)
		r.LaunchTemplates[lt.LaunchTemplateID] = lt
	}
}

func zoneIDPrefix(region string) string {
	if p, ok := zoneIDPrefixes[region]; ok {
		return p
	}
	return region
}

// windowsNodesTemplate is a launch template for Windows nodes on the
// region's newest Windows Server 2022 Core EKS 1.35 AMI.
func windowsNodesTemplate(w *World, r *Region, g *gen) *LaunchTemplate {
	key := EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	releases := ReleaseDates()
	var image string
	for _, img := range r.Images {
		if img.Name == key.AMIName(releases[len(releases)-1]) {
			image = img.ImageID
		}
	}
	created := time.Date(2026, time.September, 22, 14, 0, 0, 0, time.UTC).Add(g.jitter(0, 8*time.Hour))
	v1 := LaunchTemplateVersion{
		Version:      1,
		ImageID:      image,
		InstanceType: "m6i.large",
		Description:  "Windows nodes; root volume from the AMI",
		CreateTime:   created,
	}
	v2 := v1
	v2.Version = 2
	v2.Description = "Windows nodes; explicit 100 GiB gp3 root volume"
	v2.CreateTime = created.AddDate(0, 0, 9).Add(g.jitter(0, 8*time.Hour))
	v2.BlockDevices = []BlockDevice{{
		DeviceName:          "/dev/sda1",
		VolumeSize:          100,
		VolumeType:          "gp3",
		Encrypted:           true,
		DeleteOnTermination: true,
	}}
	return &LaunchTemplate{
		LaunchTemplateID:   g.id("lt"),
		LaunchTemplateName: WindowsNodesLaunchTemplate,
		DefaultVersion:     1,
		LatestVersion:      2,
		Versions:           []LaunchTemplateVersion{v1, v2},
		Tags:               map[string]string{"team": "platform"},
		CreateTime:         created,
		CreatedBy:          "arn:aws:iam::" + w.AccountID + ":user/" + w.UserName,
	}
}
