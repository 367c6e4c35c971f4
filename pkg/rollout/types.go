// Package rollout brings a cluster's Windows nodes onto one AMI: it plans
// a change per node group (managed node groups, self-managed Auto Scaling
// groups, Karpenter node classes), applies it in waves (a canary first),
// verifies every wave on the nodes themselves (Ready, the AMI, kubelet,
// Windows build, cached images) and puts back what it changed when a wave
// fails.
//
// The workflow is a Runner with injected clients, clock and event sink.
// Each way of moving a group onto an AMI is a Driver; the runner knows
// nothing of EKS, Auto Scaling or Karpenter beyond that interface.
package rollout

import (
	"context"
	"time"
)

// Kind is what launched a group's nodes.
type Kind string

// Group kinds, as the drift report names node owners.
const (
	KindNodegroup   Kind = "nodegroup"
	KindSelfManaged Kind = "self-managed"
	KindKarpenter   Kind = "karpenter"
)

// Method is how a group is moved onto the AMI.
type Method string

// Methods.
const (
	// MethodLaunchTemplate: a managed node group with a launch template
	// (amiType CUSTOM) gets a new launch template version that differs
	// from its current one only in ImageId, then UpdateNodegroupVersion.
	MethodLaunchTemplate Method = "launch-template"
	// MethodReleaseVersion: a managed node group on an EKS AMI type gets
	// UpdateNodegroupVersion with the EKS release version.
	MethodReleaseVersion Method = "release-version"
	// MethodInstanceRefresh: a self-managed Auto Scaling group gets a new
	// launch template version, then StartInstanceRefresh.
	MethodInstanceRefresh Method = "instance-refresh"
	// MethodNodeClass: a Karpenter EC2NodeClass gets amiSelectorTerms
	// naming the AMI (or the channel's SSM parameter); Karpenter's drift
	// replaces the nodes.
	MethodNodeClass Method = "node-class"
)

// Target is the state a rollout brings nodes to.
type Target struct {
	// Mode is how it was chosen: "ami", "channel" or "latest".
	Mode string `json:"mode"`
	// AMI is the AMI (ami and channel modes; per group in latest mode).
	AMI     string `json:"amiId,omitempty"`
	AMIName string `json:"amiName,omitempty"`
	// Channel and Parameter name the release channel (channel mode): a
	// Karpenter node class may follow the parameter itself.
	Channel   string `json:"channel,omitempty"`
	Parameter string `json:"parameter,omitempty"`
}

// Expect is what a node of the target AMI must show to be verified.
type Expect struct {
	AMI string `json:"amiId"`
	// Kubelet is the kubelet version ("" = not checked), compared without
	// the build suffix ("v1.35.2" matches "v1.35.2-eks-ba74326").
	Kubelet string `json:"kubeletVersion,omitempty"`
	// WindowsBuild is node.kubernetes.io/windows-build ("10.0.20348";
	// "" = not checked).
	WindowsBuild string `json:"windowsBuild,omitempty"`
	// CachedImages are the references the AMI's cache record lists: a
	// node must hold each in status.images.
	CachedImages []string `json:"cachedImages,omitempty"`
}

// Group is one Windows node group and what the rollout does to it.
type Group struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Method Method `json:"method,omitempty"`
	// Nodes is how many Windows nodes the group has; Drifted how many of
	// them are not on the target.
	Nodes   int `json:"nodes"`
	Drifted int `json:"drifted"`
	// FromAMIs are the AMIs its nodes run now.
	FromAMIs []string `json:"fromAmis,omitempty"`
	// Expect is what its nodes must show afterwards.
	Expect Expect `json:"expect"`
	// ReleaseVersion is the EKS release (MethodReleaseVersion).
	ReleaseVersion string `json:"releaseVersion,omitempty"`
	// SSMParameter, when set, is the release channel's SSM parameter a
	// Karpenter node class follows instead of naming the AMI (channel
	// mode: Target.Parameter); Expect.AMI is still what it resolves to.
	SSMParameter string `json:"ssmParameter,omitempty"`
	// Change says in words what the rollout changes.
	Change string `json:"change,omitempty"`
	// Skip says why the group is left out ("" = it is rolled).
	Skip string `json:"skip,omitempty"`
	// UpToDate: every node is already on the target; nothing to do.
	UpToDate bool `json:"upToDate,omitempty"`
	// MaxUnavailable is how many nodes may be replaced at once (0: the
	// group's own setting).
	MaxUnavailable int `json:"maxUnavailable,omitempty"`
	// InstanceWarmup is how long an instance refresh waits for a new
	// instance before it counts it (nil: the group's own setting).
	InstanceWarmup *int32 `json:"instanceWarmupSeconds,omitempty"`
	// CanaryNodes, when set, pauses the group's replacement after that
	// many nodes (an instance refresh checkpoint) for verification.
	CanaryNodes int `json:"canaryNodes,omitempty"`
	// CheckpointDelay is how long, in seconds, a paused replacement waits
	// at the canary checkpoint before going on by itself: the wave's
	// timeout, so that it never goes on before winami has decided (0:
	// the driver's default).
	CheckpointDelay int32 `json:"checkpointDelaySeconds,omitempty"`
	// State is what a driver needs to follow and put back its change.
	State State `json:"state"`
}

// Rolled reports a group the rollout changes.
func (g *Group) Rolled() bool { return g.Skip == "" && !g.UpToDate }

// State is a driver's record of its change.
type State struct {
	// Launch template changes (launch-template, instance-refresh).
	LaunchTemplateID   string `json:"launchTemplateId,omitempty"`
	LaunchTemplateName string `json:"launchTemplateName,omitempty"`
	FromVersion        string `json:"fromVersion,omitempty"`
	ToVersion          string `json:"toVersion,omitempty"`
	// DefaultVersionBefore is the template's default version before the
	// rollout changed it ("" = it did not).
	DefaultVersionBefore string `json:"defaultVersionBefore,omitempty"`
	// UpdateID is the EKS update; RefreshID the instance refresh.
	UpdateID  string `json:"updateId,omitempty"`
	RefreshID string `json:"refreshId,omitempty"`
	// ReleaseBefore is the node group's release version before.
	ReleaseBefore string `json:"releaseBefore,omitempty"`
	// NodeClass and TermsBefore: the EC2NodeClass and its amiSelectorTerms
	// (JSON) before the change.
	NodeClass   string `json:"nodeClass,omitempty"`
	TermsBefore string `json:"termsBefore,omitempty"`
	// Resumed: the change was found in flight, not started by this run.
	Resumed bool `json:"resumed,omitempty"`
	// Continuing: a refresh paused at the canary checkpoint is being
	// cancelled so that a refresh without checkpoints replaces the rest.
	Continuing bool `json:"continuing,omitempty"`
}

// Progress is a driver's reading of its change.
type Progress struct {
	// Phase is the service's word for it (InProgress, Successful, …).
	Phase string `json:"phase"`
	// Done: the service has finished (nodes may still need verifying).
	Done bool `json:"done"`
	// Failed is the service's reason when the change failed.
	Failed string `json:"failed,omitempty"`
	// AtCheckpoint: paused for verification of the nodes so far.
	AtCheckpoint bool `json:"atCheckpoint,omitempty"`
	// Percent done, when the service says (-1: it does not).
	Percent int `json:"percent"`
}

// Driver moves one kind of group onto an AMI. Its calls read or change
// AWS (or Kubernetes) once each: the runner owns the clock and calls them
// again each poll, so a driver never sleeps.
type Driver interface {
	// Prepare reads the group's current state into g.State (launch
	// template and version, node class terms, …) and says in g.Change
	// what Start would do, or in g.Skip why the group cannot be rolled
	// this way (a reason that names the fix). It changes nothing.
	Prepare(ctx context.Context, g *Group) error
	// InFlight finds a change of the group already under way (a rerun
	// after Ctrl-C) and records it in g.State (State.Resumed); false when
	// there is none.
	InFlight(ctx context.Context, g *Group) (bool, error)
	// Start makes the change and records it in g.State.
	Start(ctx context.Context, g *Group) error
	// Poll reads the change's state once.
	Poll(ctx context.Context, g *Group) (Progress, error)
	// Continue lets a change paused at a checkpoint go on (a no-op for
	// drivers without checkpoints).
	Continue(ctx context.Context, g *Group) error
	// Rollback takes one step towards putting back what the change did
	// (an EKS update must end before the next starts): the runner calls it
	// each poll until done, and what says where it stands in words ("launch
	// template lt-… version 3 put back (ami-…)").
	Rollback(ctx context.Context, g *Group) (done bool, what string, err error)
}

// Event is one line of a rollout's progress.
type Event struct {
	Time  time.Time `json:"time"`
	Type  string    `json:"type"` // see the Event* constants
	Group string    `json:"group,omitempty"`
	Kind  Kind      `json:"kind,omitempty"`
	Wave  int       `json:"wave,omitempty"`
	Phase string    `json:"phase,omitempty"`
	// Replaced of Total nodes are on the target and verified.
	Replaced int    `json:"replaced"`
	Total    int    `json:"total"`
	Message  string `json:"message,omitempty"`
}

// Event types.
const (
	EventStart    = "start"    // a group's change was made
	EventResume   = "resume"   // a change in flight was found and followed
	EventProgress = "progress" // nodes replaced / phase moved on
	EventVerified = "verified" // a group's nodes are all verified
	EventFailed   = "failed"   // a wave failed
	EventRollback = "rollback" // a group's change was put back
	EventDone     = "done"     // the rollout ended
)

// NodeState is one Windows node as a poll sees it: the node from the
// Kubernetes API and its instance from EC2.
type NodeState struct {
	Name       string `json:"name"`
	InstanceID string `json:"instanceId,omitempty"`
	// AMI is the instance's ImageId ("" while EC2 does not know it).
	AMI   string `json:"amiId,omitempty"`
	Ready bool   `json:"ready"`
	// Unschedulable: cordoned (on its way out).
	Unschedulable bool   `json:"unschedulable,omitempty"`
	Kubelet       string `json:"kubeletVersion,omitempty"`
	WindowsBuild  string `json:"windowsBuild,omitempty"`
	// Images are the names in status.images.
	Images []string `json:"-"`
	// Owner is the group the node belongs to: kind and name (node group
	// label, node pool label, or the instance's aws:autoscaling:groupName).
	OwnerKind Kind   `json:"ownerKind"`
	OwnerName string `json:"ownerName,omitempty"`
}

// Observer reads the cluster's Windows nodes and their instances: one node
// list (or a watch) and EC2 lookups of instances it has not seen before.
type Observer interface {
	Observe(ctx context.Context) ([]NodeState, error)
}
