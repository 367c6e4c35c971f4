// Package world is the sandbox's state: every resource of every region, as
// plain data that serialises to JSON. Services read and change it only
// through a state.Store, which serialises access and persists changes.
package world

import "time"

// World is the whole sandbox state.
type World struct {
	// AccountID is the default caller's account.
	AccountID string `json:"accountId"`
	// UserName is the IAM user the dummy credentials belong to.
	UserName string `json:"userName"`
	// Seed is the seed the world was generated from.
	Seed int64 `json:"seed"`
	// Regions by code, e.g. "us-east-1".
	Regions map[string]*Region `json:"regions"`
	// IAM is global.
	IAM IAM `json:"iam"`
	// Accounts are the world's other accounts by ID; a caller reaches one
	// through its access key (see CallerAccount).
	Accounts map[string]*Account `json:"accounts,omitempty"`
	// Extra is seeded beside the world and never saved: see eks.go.
	Extra *Extra `json:"-"`
}

// Region holds one region's resources.
type Region struct {
	Name string `json:"name"`
	// Parameters are SSM parameters by full name, public /aws/service ones included.
	Parameters map[string]*Parameter `json:"parameters"`
	// Images are EC2 AMIs by ID: Amazon's public ones and the account's own.
	Images map[string]*Image `json:"images"`

	VPCs            map[string]*VPC            `json:"vpcs,omitempty"`
	Subnets         map[string]*Subnet         `json:"subnets,omitempty"`
	SecurityGroups  map[string]*SecurityGroup  `json:"securityGroups,omitempty"`
	LaunchTemplates map[string]*LaunchTemplate `json:"launchTemplates,omitempty"`
	// AvailabilityZones are the region's zones in name order.
	AvailabilityZones []*AvailabilityZone `json:"availabilityZones,omitempty"`

	// Snapshots are EBS snapshots no registered image uses any more (an
	// image's own snapshots are its block devices'), by ID.
	Snapshots map[string]*Snapshot `json:"snapshots,omitempty"`

	// ImageBuilder holds the region's EC2 Image Builder resources.
	ImageBuilder *ImageBuilder `json:"imageBuilder,omitempty"`

	// Clusters are EKS clusters by name; Instances EC2 instances by ID.
	Clusters  map[string]*Cluster  `json:"clusters,omitempty"`
	Instances map[string]*Instance `json:"instances,omitempty"`

	// Replacements are the node replacements (replace.go) by ID.
	Replacements map[string]*Replacement `json:"replacements,omitempty"`
	// AutoScalingGroups are EC2 Auto Scaling groups by name.
	AutoScalingGroups map[string]*AutoScalingGroup `json:"autoScalingGroups,omitempty"`
}

// Parameter is an SSM parameter: its current version (embedded, so that
// p.Value is what GetParameter answers) and the older versions AWS keeps.
type Parameter struct {
	Name string `json:"name"`
	ParameterVersion
	// OwnerAccount is empty for AWS public parameters.
	OwnerAccount string `json:"ownerAccount,omitempty"`
	// Tags are the parameter's tags; AWS public parameters have none.
	Tags map[string]string `json:"tags,omitempty"`
	// Older are the versions before the current one, oldest first: with the
	// current one, at most MaxParameterVersions.
	Older []ParameterVersion `json:"older,omitempty"`
}

// ParameterVersion is one version of a parameter, as GetParameterHistory
// shows it.
type ParameterVersion struct {
	Type             string    `json:"type"` // String, StringList, SecureString
	Value            string    `json:"value"`
	DataType         string    `json:"dataType"` // text, aws:ec2:image
	Description      string    `json:"description,omitempty"`
	Tier             string    `json:"tier"` // Standard, Advanced
	Version          int64     `json:"version"`
	LastModifiedDate time.Time `json:"lastModifiedDate"`
	// LastModifiedUser is the ARN of who wrote the version (empty for
	// Amazon's public parameters).
	LastModifiedUser string `json:"lastModifiedUser,omitempty"`
	// Labels point at this version; a label is on one version at a time.
	Labels []string `json:"labels,omitempty"`
}

// Image is an EC2 AMI.
type Image struct {
	ImageID            string            `json:"imageId"`
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	OwnerID            string            `json:"ownerId"`
	OwnerAlias         string            `json:"ownerAlias,omitempty"` // "amazon" for Amazon's images
	CreationDate       time.Time         `json:"creationDate"`
	DeprecationTime    *time.Time        `json:"deprecationTime,omitempty"`
	State              string            `json:"state"`    // available, pending, failed, disabled, deregistered
	Platform           string            `json:"platform"` // "windows" or "" (Linux)
	PlatformDetails    string            `json:"platformDetails"`
	UsageOperation     string            `json:"usageOperation"`
	Architecture       string            `json:"architecture"`
	Public             bool              `json:"public"`
	ImageType          string            `json:"imageType"`
	RootDeviceName     string            `json:"rootDeviceName"`
	RootDeviceType     string            `json:"rootDeviceType"`
	VirtualizationType string            `json:"virtualizationType"`
	Hypervisor         string            `json:"hypervisor"`
	EnaSupport         bool              `json:"enaSupport"`
	BootMode           string            `json:"bootMode,omitempty"`
	ImdsSupport        string            `json:"imdsSupport,omitempty"`
	BlockDevices       []BlockDevice     `json:"blockDevices"`
	Tags               map[string]string `json:"tags,omitempty"`
	// LaunchPermissions are the account IDs the image is shared with.
	LaunchPermissions []string `json:"launchPermissions,omitempty"`
	// LaunchPermissionOrganizations and LaunchPermissionOUs are the AWS
	// Organizations and organizational units (ARNs) it is shared with.
	LaunchPermissionOrganizations []string `json:"launchPermissionOrganizations,omitempty"`
	LaunchPermissionOUs           []string `json:"launchPermissionOus,omitempty"`
	// OSBuild is the Windows build the AMI boots, e.g. "10.0.20348.2849";
	// empty for Linux. EC2 does not report it; Image Builder's builds check
	// their OS build assertions against it.
	OSBuild string `json:"osBuild,omitempty"`
	// FastLaunch is the AMI's EC2 Fast Launch state by account ID.
	FastLaunch map[string]*FastLaunch `json:"fastLaunch,omitempty"`
	// AvailableAt is when a pending image (a CopyImage copy) becomes
	// available; nil for an image that is not pending. See StateAt.
	AvailableAt *time.Time `json:"availableAt,omitempty"`
	// SourceImageID and SourceRegion name the AMI a CopyImage copy was made
	// from, as DescribeImages reports them (SourceImageId,
	// SourceImageRegion); empty for other images.
	SourceImageID string `json:"sourceImageId,omitempty"`
	SourceRegion  string `json:"sourceRegion,omitempty"`
	// Copy is the CopyImage request that made the image, kept so that a
	// retry with the same client token gets the same answer.
	Copy *CopyRequest `json:"copy,omitempty"`
	// NodesNeverReady marks a broken AMI: instances launched from it never
	// join their cluster as Ready nodes (see replace.go). EC2 does not
	// report it.
	NodesNeverReady bool `json:"nodesNeverReady,omitempty"`
}

// CopyRequest is what made a CopyImage copy: the caller's client token and
// the request's parameters, as one string to compare a retry with.
type CopyRequest struct {
	ClientToken string `json:"clientToken"`
	Params      string `json:"params"`
}

// StateAt is the image's state at now: a pending copy is available once
// its AvailableAt has passed. State advances lazily like this, on every
// read, so that no timer runs and every service sees the same state.
func (img *Image) StateAt(now time.Time) string {
	if img.State == "pending" && img.AvailableAt != nil && !now.Before(*img.AvailableAt) {
		return "available"
	}
	return img.State
}

// Snapshot is an EBS snapshot left behind by a deregistered image.
type Snapshot struct {
	SnapshotID string `json:"snapshotId"`
	OwnerID    string `json:"ownerId"`
	VolumeSize int32  `json:"volumeSize"`
}

// BlockDevice is one block-device mapping of an AMI.
type BlockDevice struct {
	DeviceName string `json:"deviceName"`
	SnapshotID string `json:"snapshotId"`
	VolumeSize int32  `json:"volumeSize"`
	VolumeType string `json:"volumeType"`
	Encrypted  bool   `json:"encrypted"`
	// DeleteOnTermination: the root volume of an instance launched from the
	// AMI is deleted with the instance.
	DeleteOnTermination bool `json:"deleteOnTermination"`
}

// New returns an empty world for an account.
func New(accountID string) *World {
	return &World{AccountID: accountID, Regions: map[string]*Region{}}
}

// Region returns the named region, or nil when the world has no such region.
func (w *World) Region(name string) *Region { return w.Regions[name] }

// AddRegion adds an empty region, or returns the existing one.
func (w *World) AddRegion(name string) *Region {
	if r := w.Regions[name]; r != nil {
		return r
	}
	r := &Region{Name: name, Parameters: map[string]*Parameter{}, Images: map[string]*Image{}}
	w.Regions[name] = r
	return r
}
