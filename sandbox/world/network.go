package world

import "time"

// VPC is an EC2 VPC.
type VPC struct {
	VPCID     string            `json:"vpcId"`
	CIDRBlock string            `json:"cidrBlock"`
	IsDefault bool              `json:"isDefault"`
	Tags      map[string]string `json:"tags,omitempty"`
	// DHCPOptionsID is the DHCP option set the VPC uses.
	DHCPOptionsID string `json:"dhcpOptionsId,omitempty"`
	// CIDRAssociationID identifies the primary CIDR block's association.
	CIDRAssociationID string `json:"cidrAssociationId,omitempty"`
}

// Subnet is an EC2 subnet.
type Subnet struct {
	SubnetID            string            `json:"subnetId"`
	VPCID               string            `json:"vpcId"`
	AvailabilityZone    string            `json:"availabilityZone"`
	AvailabilityZoneID  string            `json:"availabilityZoneId"`
	CIDRBlock           string            `json:"cidrBlock"`
	DefaultForAZ        bool              `json:"defaultForAz"`
	MapPublicIPOnLaunch bool              `json:"mapPublicIpOnLaunch"`
	AvailableIPs        int32             `json:"availableIps"`
	Tags                map[string]string `json:"tags,omitempty"`
}

// SecurityGroup is an EC2 security group.
type SecurityGroup struct {
	GroupID     string            `json:"groupId"`
	GroupName   string            `json:"groupName"`
	Description string            `json:"description"`
	VPCID       string            `json:"vpcId"`
	Tags        map[string]string `json:"tags,omitempty"`
	// Ingress and Egress are the group's rules.
	Ingress []SecurityGroupRule `json:"ingress,omitempty"`
	Egress  []SecurityGroupRule `json:"egress,omitempty"`
}

// SecurityGroupRule is one permission of a security group: a protocol and
// port range open to CIDR blocks and to other groups.
type SecurityGroupRule struct {
	// Protocol is "tcp", "udp", "icmp" or "-1" for all traffic.
	Protocol string `json:"protocol"`
	// FromPort and ToPort are meaningless (and unset) for protocol -1.
	FromPort int32    `json:"fromPort,omitempty"`
	ToPort   int32    `json:"toPort,omitempty"`
	CIDRs    []string `json:"cidrs,omitempty"`
	GroupIDs []string `json:"groupIds,omitempty"`
}

// LaunchTemplate is an EC2 launch template with its versions.
type LaunchTemplate struct {
	LaunchTemplateID   string                  `json:"launchTemplateId"`
	LaunchTemplateName string                  `json:"launchTemplateName"`
	DefaultVersion     int64                   `json:"defaultVersion"`
	LatestVersion      int64                   `json:"latestVersion"`
	Versions           []LaunchTemplateVersion `json:"versions"`
	Tags               map[string]string       `json:"tags,omitempty"`
	CreateTime         time.Time               `json:"createTime"`
	// CreatedBy is the ARN of the principal that created the template.
	CreatedBy string `json:"createdBy,omitempty"`
}

// LaunchTemplateVersion is one version's data, as much as winami reads.
type LaunchTemplateVersion struct {
	Version      int64         `json:"version"`
	ImageID      string        `json:"imageId,omitempty"`
	InstanceType string        `json:"instanceType,omitempty"`
	BlockDevices []BlockDevice `json:"blockDevices,omitempty"`
	Description  string        `json:"description,omitempty"`
	CreateTime   time.Time     `json:"createTime"`
	// IAMInstanceProfile is the instance profile's name, when the version names one.
	IAMInstanceProfile string `json:"iamInstanceProfile,omitempty"`
	// ClientToken and ClientParams are the CreateLaunchTemplateVersion
	// request that made the version, kept so that a retry gets it again.
	ClientToken  string `json:"clientToken,omitempty"`
	ClientParams string `json:"clientParams,omitempty"`
}

// AvailabilityZone is one zone of a region and the instance types EC2
// offers in it. The name-to-ID mapping differs between accounts, as in AWS.
type AvailabilityZone struct {
	Name   string `json:"name"`   // "us-east-1a"
	ZoneID string `json:"zoneId"` // "use1-az4"
	// InstanceTypes are the types offered in the zone, sorted.
	InstanceTypes []string `json:"instanceTypes"`
}
