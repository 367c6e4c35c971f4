package world

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
}

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

// LaunchGroupInstance launches an instance of group g from a launch
// template version in zone at launched and, when the group belongs to a
// cluster, the Kubernetes node it registers as, Ready at ready (between
// the two the instance boots and joins). It returns the group's new
// instance, InService and Healthy.
func (w *World) LaunchGroupInstance(region string, g *AutoScalingGroup, ref LaunchTemplateRef, version int64, zone string, launched, ready time.Time) (*GroupInstance, error) {
	r := w.Region(region)
	if r == nil {
		return nil, fmt.Errorf("no region %s", region)
	}
	lt := r.LaunchTemplateByRef(ref)
	if lt == nil {
		return nil, fmt.Errorf("no launch template %s%s", ref.ID, ref.Name)
	}
	data := lt.VersionData(version)
	if data == nil {
		return nil, fmt.Errorf("launch template %s has no version %d", lt.LaunchTemplateID, version)
	}
	img := r.Images[data.ImageID]
	if img == nil || img.StateAt(launched) != "available" {
		return nil, fmt.Errorf("the launch template's image %q is not available", data.ImageID)
	}
	instType := data.InstanceType
	if instType == "" {
		instType = "m6i.xlarge"
	}
	var sub *Subnet
	for _, s := range r.Subnets {
		if s.AvailabilityZone == zone && strings.Contains(g.VPCZoneIdentifier, s.SubnetID) {
			sub = s
		}
	}
	g.Launches++
	gn := &gen{
		rng:  rand.New(rand.NewPCG(uint64(w.Seed), launchStream(g.ARN, g.Launches))),
		used: map[string]bool{},
	}
	spec := nodeSpec{
		zone: zone, subnet: sub, image: img, instanceType: instType, kubelet: KubeletV1352,
		launched: launched, group: g.Name,
		template: LaunchTemplateRef{ID: lt.LaunchTemplateID, Name: lt.LaunchTemplateName, Version: strconv.FormatInt(version, 10)},
	}
	if sub != nil {
		spec.ip = subnetIP(sub, gn)
	} else {
		spec.ip = fmt.Sprintf("10.%d.%d.%d", gn.rng.IntN(256), gn.rng.IntN(256), 4+gn.rng.IntN(250))
	}
	if r.Instances == nil {
		r.Instances = map[string]*Instance{}
	}
	c := r.Clusters[g.Cluster]
	var inst *Instance
	if c == nil {
		c = &Cluster{Name: g.Cluster} // a group outside any cluster: the node is dropped
	}
	n, inst := addNode(r, c, gn, spec, r.Instances, 0)
	// addNode appends as the seed does; a launch goes through PutNode so
	// that it lands in name order and node watches see it.
	c.Nodes = c.Nodes[:len(c.Nodes)-1]
	n.CreationTimestamp, n.ReadySince = launched.Add(ready.Sub(launched)/2), ready
	c.PutNode(n)
	for k, v := range g.Tags {
		if !slices.Contains(g.UntaggedOnLaunch, k) {
			inst.Tags[k] = v
		}
	}
	gi := &GroupInstance{
		InstanceID: inst.InstanceID, InstanceType: instType, AvailabilityZone: zone,
		LifecycleState: "InService", HealthStatus: "Healthy", LaunchTemplate: spec.template,
		Protected: g.NewInstancesProtected,
	}
	g.Instances = append(g.Instances, gi)
	return gi, nil
}

// TerminateGroupInstance takes an instance out of its group: the instance
// is terminated (it stays visible, as EC2 keeps terminated instances for a
// while) and its node leaves the cluster.
func (w *World) TerminateGroupInstance(region string, g *AutoScalingGroup, id string) {
	g.Instances = slices.DeleteFunc(g.Instances, func(gi *GroupInstance) bool { return gi.InstanceID == id })
	r := w.Region(region)
	if r == nil {
		return
	}
	if inst := r.Instances[id]; inst != nil {
		inst.State = "terminated"
	}
	if c := r.Clusters[g.Cluster]; c != nil {
		if n := nodeOf(c, id); n != nil {
			c.DeleteNode(n.Name)
		}
	}
}

func launchStream(arn string, n int) uint64 {
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%s/launch/%d", arn, n)
	return h.Sum64()
}
