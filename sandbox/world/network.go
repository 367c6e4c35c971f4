package world

// VPC is an EC2 VPC.
type VPC struct {
	VPCID     string            `json:"vpcId"`
	CIDRBlock string            `json:"cidrBlock"`
	IsDefault bool              `json:"isDefault"`
	Tags      map[string]string `json:"tags,omitempty"`
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
}

// LaunchTemplate is an EC2 launch template with its versions.
type LaunchTemplate struct {
	LaunchTemplateID   string                  `json:"launchTemplateId"`
	LaunchTemplateName string                  `json:"launchTemplateName"`
	DefaultVersion     int64                   `json:"defaultVersion"`
	LatestVersion      int64                   `json:"latestVersion"`
	Versions           []LaunchTemplateVersion `json:"versions"`
	Tags               map[string]string       `json:"tags,omitempty"`
}

// LaunchTemplateVersion is one version's data, as much as winami reads.
type LaunchTemplateVersion struct {
	Version      int64         `json:"version"`
	ImageID      string        `json:"imageId,omitempty"`
	InstanceType string        `json:"instanceType,omitempty"`
	BlockDevices []BlockDevice `json:"blockDevices,omitempty"`
}
