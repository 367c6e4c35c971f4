package world

import (
	"slices"
	"strconv"
	"time"
)

// AutoScalingGroup is an EC2 Auto Scaling group: what
// DescribeAutoScalingGroups reports, and its instance refreshes.
type AutoScalingGroup struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// LaunchTemplate is the group's launch template and version (a number,
	// "$Latest" or "$Default").
	LaunchTemplate         LaunchTemplateRef  `json:"launchTemplate"`
	MinSize                int32              `json:"minSize"`
	MaxSize                int32              `json:"maxSize"`
	DesiredCapacity        int32              `json:"desiredCapacity"`
	DefaultCooldown        int32              `json:"defaultCooldown"`
	HealthCheckType        string             `json:"healthCheckType"` // EC2, ELB
	HealthCheckGracePeriod int32              `json:"healthCheckGracePeriod"`
	AvailabilityZones      []string           `json:"availabilityZones"`
	VPCZoneIdentifier      string             `json:"vpcZoneIdentifier"` // comma-separated subnet IDs
	TerminationPolicies    []string           `json:"terminationPolicies"`
	ServiceLinkedRoleARN   string             `json:"serviceLinkedRoleArn"`
	CapacityRebalance      bool               `json:"capacityRebalance"`
	CreatedTime            time.Time          `json:"createdTime"`
	NewInstancesProtected  bool               `json:"newInstancesProtected"`
	Tags                   map[string]string  `json:"tags,omitempty"`
	UntaggedOnLaunch       []string           `json:"untaggedOnLaunch,omitempty"` // tag keys not propagated at launch
	Instances              []*GroupInstance   `json:"instances,omitempty"`
	InstanceRefreshes      []*InstanceRefresh `json:"instanceRefreshes,omitempty"` // oldest first
	// Cluster is the EKS cluster the group's instances join as nodes (its
	// kubernetes.io/cluster/<name> tag), or "".
	Cluster string `json:"cluster,omitempty"`
	// Launches counts the instances the group ever launched; new instance
	// IDs derive from it, so that a world replays the same way.
	Launches int `json:"launches"`
	// Account owns the group when it is not the default account: Auto
	// Scaling shows a group only to its account.
	Account string `json:"account,omitempty"`
}

// GroupOwner is the account that owns g.
func (w *World) GroupOwner(g *AutoScalingGroup) string { return w.ownerOf(g.Account) }

// GroupInstance is one instance of an Auto Scaling group.
type GroupInstance struct {
	InstanceID       string `json:"instanceId"`
	InstanceType     string `json:"instanceType"`
	AvailabilityZone string `json:"availabilityZone"`
	// LifecycleState: Pending, InService, Terminating, Terminated, ...
	LifecycleState string            `json:"lifecycleState"`
	HealthStatus   string            `json:"healthStatus"` // Healthy, Unhealthy
	LaunchTemplate LaunchTemplateRef `json:"launchTemplate"`
	Protected      bool              `json:"protected"`
}

// Instance refresh statuses, as AWS names them.
const (
	RefreshPending            = "Pending"
	RefreshInProgress         = "InProgress"
	RefreshBaking             = "Baking"
	RefreshSuccessful         = "Successful"
	RefreshFailed             = "Failed"
	RefreshCancelling         = "Cancelling"
	RefreshCancelled          = "Cancelled"
	RefreshRollbackInProgress = "RollbackInProgress"
	RefreshRollbackFailed     = "RollbackFailed"
	RefreshRollbackSuccessful = "RollbackSuccessful"
)

// InstanceRefresh is one StartInstanceRefresh and how far it got.
type InstanceRefresh struct {
	ID           string     `json:"id"`
	Strategy     string     `json:"strategy"` // Rolling
	Status       string     `json:"status"`
	StatusReason string     `json:"statusReason,omitempty"`
	StartTime    time.Time  `json:"startTime"`
	EndTime      *time.Time `json:"endTime,omitempty"`
	// Desired is DesiredConfiguration.LaunchTemplate, nil when the refresh
	// replaces instances with the group's own configuration.
	Desired *LaunchTemplateRef `json:"desired,omitempty"`
	// Previous is the group's launch template when the refresh started:
	// what a rollback puts back.
	Previous    LaunchTemplateRef  `json:"previous"`
	Preferences RefreshPreferences `json:"preferences"`
	// Total is InstancesToUpdate at the start; ToUpdate the instances not
	// yet replaced, in the order the refresh takes them.
	Total    int32    `json:"total"`
	ToUpdate []string `json:"toUpdate,omitempty"`
	// NextStepAt is when a wait ends (Pending, a checkpoint, Baking,
	// Cancelling): state advances lazily, on every read, as images do (see
	// Image.StateAt).
	NextStepAt time.Time `json:"nextStepAt"`
	// Job is the replacement under way: the instances handed to the
	// replacer, the version they get, and when it started.
	// While Cancelling, it is the stopped job whose wave in flight ends.
	Job *ReplaceJob `json:"job,omitempty"`
	// CheckpointsDone counts the checkpoints already waited at.
	CheckpointsDone int              `json:"checkpointsDone,omitempty"`
	Rollback        *RefreshRollback `json:"rollback,omitempty"`
}

// ReplaceJob is one batch of replacements handed to a replacer.
type ReplaceJob struct {
	Instances      []string          `json:"instances"`
	Target         LaunchTemplateRef `json:"target"` // Version is a number
	MaxUnavailable int               `json:"maxUnavailable"`
	Warmup         time.Duration     `json:"warmup"`
	Start          time.Time         `json:"start"`
	// Replacement is the ID of the replacement engine's run doing the job,
	// once it started.
	Replacement string `json:"replacement,omitempty"`
}

// RefreshPreferences are StartInstanceRefresh's Preferences, defaults filled in.
type RefreshPreferences struct {
	MinHealthyPercentage  int32   `json:"minHealthyPercentage"`
	MaxHealthyPercentage  *int32  `json:"maxHealthyPercentage,omitempty"`
	InstanceWarmup        *int32  `json:"instanceWarmup,omitempty"`
	SkipMatching          bool    `json:"skipMatching"`
	AutoRollback          bool    `json:"autoRollback"`
	CheckpointPercentages []int32 `json:"checkpointPercentages,omitempty"`
	CheckpointDelay       *int32  `json:"checkpointDelay,omitempty"`
	BakeTime              *int32  `json:"bakeTime,omitempty"`
	ScaleInProtected      string  `json:"scaleInProtectedInstances"` // Refresh, Ignore, Wait
	StandbyInstances      string  `json:"standbyInstances"`          // Terminate, Ignore, Wait
}

// RefreshRollback is a rollback's RollbackDetails.
type RefreshRollback struct {
	Reason    string    `json:"reason"`
	StartTime time.Time `json:"startTime"`
	// PercentageCompleteAtStart and ToUpdateAtStart are the refresh's
	// figures when the rollback began; Total the instances it puts back.
	PercentageAtStart int32 `json:"percentageAtStart"`
	ToUpdateAtStart   int32 `json:"toUpdateAtStart"`
	Total             int32 `json:"total"`
}

// Active reports a refresh that still runs: one at a time per group.
func (ir *InstanceRefresh) Active() bool {
	switch ir.Status {
	case RefreshPending, RefreshInProgress, RefreshBaking, RefreshCancelling, RefreshRollbackInProgress:
		return true
	}
	return false
}

// ActiveRefresh is the group's running refresh, or nil.
func (g *AutoScalingGroup) ActiveRefresh() *InstanceRefresh {
	for _, ir := range slices.Backward(g.InstanceRefreshes) {
		if ir.Active() {
			return ir
		}
	}
	return nil
}

// GroupInstanceByID is the group's instance of that ID, or nil.
func (g *AutoScalingGroup) GroupInstanceByID(id string) *GroupInstance {
	for _, gi := range g.Instances {
		if gi.InstanceID == id {
			return gi
		}
	}
	return nil
}

// LaunchTemplateByRef is the region's launch template a reference names
// (by ID, else by name), or nil.
func (r *Region) LaunchTemplateByRef(ref LaunchTemplateRef) *LaunchTemplate {
	if ref.ID != "" {
		return r.LaunchTemplates[ref.ID]
	}
	for _, lt := range r.LaunchTemplates {
		if lt.LaunchTemplateName == ref.Name {
			return lt
		}
	}
	return nil
}

// ResolveVersion is the version a reference's Version names: a number,
// "$Latest", "$Default" or "" (the default version). 0 when there is none.
func (lt *LaunchTemplate) ResolveVersion(v string) int64 {
	var n int64
	switch v {
	case "", "$Default":
		n = lt.DefaultVersion
	case "$Latest":
		n = lt.LatestVersion
	default:
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0
		}
	}
	for _, ver := range lt.Versions {
		if ver.Version == n {
			return n
		}
	}
	return 0
}

// VersionData is the version's data, or nil.
func (lt *LaunchTemplate) VersionData(n int64) *LaunchTemplateVersion {
	for i := range lt.Versions {
		if lt.Versions[i].Version == n {
			return &lt.Versions[i]
		}
	}
	return nil
}
