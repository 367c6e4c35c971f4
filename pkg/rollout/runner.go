package rollout

import (
	"context"
	"time"

	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

// Defaults.
const (
	DefaultPoll    = 15 * time.Second
	DefaultTimeout = 45 * time.Minute
)

// Runner plans and applies rollouts.
type Runner struct {
	// Drivers by method; a group whose method has no driver is skipped.
	Drivers  map[Method]Driver
	Observer Observer
	Clock    clock.Clock
	// Events receives progress (nil: none).
	Events func(Event)
	// Poll is how often changes and nodes are read (0: DefaultPoll);
	// Timeout how long a wave has to verify (0: DefaultTimeout).
	Poll    time.Duration
	Timeout time.Duration
	// NoRollback leaves a failed wave as it is.
	NoRollback bool
	// Verify checks a group's nodes (nil: the package's Verify).
	Verify func(nodes []NodeState, g *Group) Check
}

// PlanInput is what a plan is made from.
type PlanInput struct {
	Cluster string
	Target  Target
	// Nodegroups are the cluster's managed node groups as EKS describes
	// them (drift's reading).
	Nodegroups []drift.Nodegroup
	// Only limits the rollout to these groups (--nodegroups): node group,
	// Auto Scaling group or node pool names.
	Only []string
	// Canary is "N" nodes or "P%" of the first group; "" makes the whole
	// first group the canary wave.
	Canary string
	// MaxUnavailable overrides each group's own setting (0: keep it).
	MaxUnavailable int
	// InstanceWarmup overrides a self-managed group's warmup (nil: keep
	// it; Auto Scaling then uses the group's health check grace period).
	InstanceWarmup *time.Duration
	// Resolve fills g.Expect (and g.ReleaseVersion for an EKS AMI type)
	// for the target: in latest mode each group's newest EKS release.
	Resolve func(ctx context.Context, g *Group) error
}

// Plan is what a rollout will do.
type Plan struct {
	Cluster string   `json:"cluster"`
	Target  Target   `json:"target"`
	Groups  []*Group `json:"groups"`
	// Waves are group IDs (kind/name): the canary first, then the rest.
	Waves [][]string `json:"waves"`
}

// ID names a group across kinds.
func (g *Group) ID() string { return string(g.Kind) + "/" + g.Name }

// Result is how a rollout ended.
type Result struct {
	// Outcome is "succeeded", "failed" or "nothing-to-do".
	Outcome string `json:"outcome"`
	// Failure says why a wave failed.
	Failure string `json:"failure,omitempty"`
	// FailedGroup is the group whose wave failed.
	FailedGroup string `json:"failedGroup,omitempty"`
	// PutBack says, per group, what was put back.
	PutBack []string `json:"putBack,omitempty"`
	Groups  []*Group `json:"groups"`
}
