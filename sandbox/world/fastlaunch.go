package world

import "time"

// Fast Launch states, as EC2's DescribeFastLaunchImages reports them.
const (
	FastLaunchEnabling        = "enabling"
	FastLaunchEnablingFailed  = "enabling-failed"
	FastLaunchEnabled         = "enabled"
	FastLaunchEnabledFailed   = "enabled-failed"
	FastLaunchDisabling       = "disabling"
	FastLaunchDisablingFailed = "disabling-failed"
)

// FastLaunchService is the service principal of EC2 Fast Launch, whose
// service-linked role EC2 creates on first use.
const FastLaunchService = "ec2fastlaunch.amazonaws.com"

// EC2's defaults for EnableFastLaunch, and its floor for parallel launches.
const (
	DefaultFastLaunchSnapshots              = 5
	DefaultFastLaunchParallelLaunches       = 6
	MinFastLaunchParallelLaunches     int32 = 6
	// FastLaunchParallelLaunchQuota is the default quota of parallel
	// launches per account and region, across every AMI.
	FastLaunchParallelLaunchQuota = 40
)

// FastLaunch is EC2 Fast Launch state of one AMI in one account. It is kept
// per account because Fast Launch is: an AMI shared with another account has
// no Fast Launch there until that account enables it.
type FastLaunch struct {
	ImageID string `json:"imageId"`
	// ResourceType is always "snapshot", the only type EC2 supports.
	ResourceType string `json:"resourceType"`
	// TargetResourceCount is the number of pre-provisioned snapshots to keep.
	TargetResourceCount int32 `json:"targetResourceCount"`
	MaxParallelLaunches int32 `json:"maxParallelLaunches"`
	// LaunchTemplate is nil when EC2 launches in the default VPC.
	LaunchTemplate        *FastLaunchTemplate `json:"launchTemplate,omitempty"`
	OwnerID               string              `json:"ownerId"`
	State                 string              `json:"state"`
	StateTransitionReason string              `json:"stateTransitionReason,omitempty"`
	StateTransitionTime   time.Time           `json:"stateTransitionTime"`
	// PendingFailure, when set, is why enabling will fail: EC2 accepts the
	// call and reports the failure (enabling-failed) once it has tried.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

// FastLaunchTemplate is the launch template Fast Launch pre-provisions with.
type FastLaunchTemplate struct {
	LaunchTemplateID   string `json:"launchTemplateId,omitempty"`
	LaunchTemplateName string `json:"launchTemplateName,omitempty"`
	Version            string `json:"version"`
}

// FastLaunchNoDefaultVPC is EC2's reason for enabling-failed when Fast
// Launch has no launch template and the region no default VPC to launch
// its pre-provisioning instances in.
const FastLaunchNoDefaultVPC = "Client.InvalidConfiguration - No default VPC exists in this Region. Create a default VPC, or specify a launch template that names a subnet."

// HasDefaultVPC reports whether the region has a default VPC.
func (r *Region) HasDefaultVPC() bool {
	for _, v := range r.VPCs {
		if v.IsDefault {
			return true
		}
	}
	return false
}
