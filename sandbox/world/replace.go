package world

import (
	"fmt"
	"slices"
	"time"
)

// The node replacement engine. Every rollout the sandbox imitates (an EKS
// managed node group update, an Auto Scaling instance refresh, Karpenter's
// drift) replaces a group's instances the same way: surge first, at most
// MaxUnavailable at a time. A wave
//
//  1. launches one new instance per old one (from the target AMI and launch
//     template version) and registers its node, NotReady;
//  2. one pace later, the new nodes are Ready, and the old ones are cordoned
//     (spec.unschedulable and the node.kubernetes.io/unschedulable taint);
//  3. one pace after that, the old nodes are drained, their instances
//     terminated and their nodes removed; the next wave starts.
//
// A new node that does not become Ready within JoinTimeout fails the
// replacement (NodeCreationFailure); its instances are terminated and the
// old nodes, never cordoned, keep serving. An old node whose pods cannot be
// evicted (EvictionBlockedAnnotation) fails it after DrainTimeout
// (PodEvictionFailure) unless Force.
//
// Like Image Builder's builds and Fast Launch, nothing runs in the
// background: AdvanceReplacements replays every step that is due by the
// clock, each at the exact time it was due, so what a caller sees does
// not depend on how often it looks. Services call it (through
// CatchUpReplacements) before they read or change what it touches.

// Replacement statuses; they are EKS's update statuses.
const (
	ReplaceInProgress = "InProgress"
	ReplaceSuccessful = "Successful"
	ReplaceFailed     = "Failed"
	ReplaceCancelled  = "Cancelled"
)

// Error codes of a failed replacement, as EKS reports them.
const (
	NodeCreationFailure = "NodeCreationFailure"
	PodEvictionFailure  = "PodEvictionFailure"
)

// EvictionBlockedAnnotation on a node makes its pods unevictable (as a
// PodDisruptionBudget that allows no disruption does): draining it fails
// after DrainTimeout unless the replacement is forced.
const EvictionBlockedAnnotation = "sandbox.winami.dev/eviction-blocked"

// UnschedulableTaint is the taint Kubernetes puts on a cordoned node.
const UnschedulableTaint = "node.kubernetes.io/unschedulable"

// DefaultReplacePace is how long each step of a wave takes unless the
// sandbox is told otherwise (winami sandbox --rollout-pace).
const DefaultReplacePace = 2 * time.Second

// GroupKind is what owns the instances being replaced.
type GroupKind string

// Kinds of group.
const (
	GroupNodegroup        GroupKind = "nodegroup"        // an EKS managed node group
	GroupAutoScalingGroup GroupKind = "autoScalingGroup" // a self-managed Auto Scaling group
	GroupNodePool         GroupKind = "nodePool"         // a Karpenter node pool
)

// ReplaceSpec is what to replace and with what: the input of StartReplacement.
type ReplaceSpec struct {
	// Cluster is the cluster's key (World.ClusterKey).
	Cluster string    `json:"cluster"`
	Kind    GroupKind `json:"kind"`
	Group   string    `json:"group"`
	// Instances are the IDs of the instances to replace, in order.
	Instances []string `json:"instances"`
	// ImageID is the AMI the new instances launch from; LaunchTemplate is
	// the version they are recorded as launched from (their
	// aws:ec2launchtemplate tags and, for a node group, its labels).
	ImageID        string            `json:"imageId"`
	LaunchTemplate LaunchTemplateRef `json:"launchTemplate"`
	// InstanceType of the new instances; empty keeps each old one's.
	InstanceType string `json:"instanceType,omitempty"`
	// MaxUnavailable is how many old nodes may be out of service (cordoned
	// or draining) at once, at least 1.
	MaxUnavailable int `json:"maxUnavailable"`
	// Pace is how long each step of a wave takes; JoinTimeout how long a
	// new node has to become Ready (0: three paces); DrainTimeout how long
	// eviction is retried (0: three paces).
	Pace         time.Duration `json:"pace"`
	JoinTimeout  time.Duration `json:"joinTimeout,omitempty"`
	DrainTimeout time.Duration `json:"drainTimeout,omitempty"`
	// Force replaces nodes whose pods cannot be evicted.
	Force bool `json:"force,omitempty"`
	// Warmup is how long new nodes serve, once Ready, before the old ones
	// are drained (an Auto Scaling instance refresh's instance warmup).
	Warmup time.Duration `json:"warmup,omitempty"`
}

// Replacement is one replacement in progress or done.
type Replacement struct {
	ID string `json:"id"`
	ReplaceSpec
	Status   string     `json:"status"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	// Remaining are the old instances no wave has taken yet.
	Remaining []string `json:"remaining,omitempty"`
	// Wave is the wave in flight.
	Wave *ReplaceWave `json:"wave,omitempty"`
	// Replaced are the old instances replaced so far, with their successors.
	Replaced []ReplacedInstance `json:"replaced,omitempty"`
	Errors   []ReplaceError     `json:"errors,omitempty"`
	// Next is when the next step is due.
	Next time.Time `json:"next"`
}

// ReplaceWave is the wave in flight: its old and new instances, pairwise.
type ReplaceWave struct {
	Phase    string    `json:"phase"` // launching, joining, draining, evicting
	Launched time.Time `json:"launched"`
	Cordoned time.Time `json:"cordoned,omitzero"`
	Old      []string  `json:"old"`
	New      []string  `json:"new"`
}

// Wave phases.
const (
	phaseLaunching = "launching"
	phaseJoining   = "joining"
	phaseDraining  = "draining"
	phaseEvicting  = "evicting"
)

// ReplacedInstance is one old instance and the one that replaced it.
type ReplacedInstance struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// ReplaceError is why a replacement failed, in EKS's terms.
type ReplaceError struct {
	Code        string   `json:"code"`
	Message     string   `json:"message"`
	ResourceIDs []string `json:"resourceIds,omitempty"`
}

// Done reports whether the replacement has ended.
func (rp *Replacement) Done() bool { return rp.Status != ReplaceInProgress }

// Unavailable is how many of the replacement's old instances are out of
// service now (cordoned or being drained): never more than MaxUnavailable.
func (rp *Replacement) Unavailable() int {
	if rp.Wave == nil || rp.Wave.Phase != phaseDraining && rp.Wave.Phase != phaseEvicting {
		return 0
	}
	return len(rp.Wave.Old)
}

// StartReplacement starts replacing spec.Instances at now and returns the
// replacement; its first wave launches at once. It checks the spec, not
// whether another replacement holds the group: callers answer that in
// their service's terms (ResourceInUseException, InstanceRefreshInProgress).
func (w *World) StartReplacement(region string, spec ReplaceSpec, now time.Time) (*Replacement, error) {
	r := w.Region(region)
	if r == nil {
		return nil, fmt.Errorf("no region %s", region)
	}
	if w.Cluster(region, spec.Cluster) == nil {
		return nil, fmt.Errorf("no cluster %s", spec.Cluster)
	}
	if r.Images[spec.ImageID] == nil {
		return nil, fmt.Errorf("no image %s", spec.ImageID)
	}
	spec.MaxUnavailable = max(spec.MaxUnavailable, 1)
	spec.Pace = max(spec.Pace, 0)
	if spec.JoinTimeout <= 0 {
		spec.JoinTimeout = 3 * spec.Pace
	}
	if spec.DrainTimeout <= 0 {
		spec.DrainTimeout = 3 * spec.Pace
	}
	id := replacementID(region, spec, now)
	for n := 1; r.Replacements[id] != nil; n++ { // two in the same instant (pace 0)
		id = uniqueUUID(fmt.Sprintf("%s#%d", id, n))
	}
	rp := &Replacement{
		ID:          id,
		ReplaceSpec: spec,
		Status:      ReplaceInProgress,
		Started:     now,
		Remaining:   slices.Clone(spec.Instances),
		Next:        now,
	}
	if r.Replacements == nil {
		r.Replacements = map[string]*Replacement{}
	}
	r.Replacements[rp.ID] = rp
	rp.advance(w, r, now)
	return rp, nil
}

// ActiveReplacement is the group's replacement in progress, or nil.
func (w *World) ActiveReplacement(region, cluster string, kind GroupKind, group string) *Replacement {
	r := w.Region(region)
	if r == nil {
		return nil
	}
	for _, rp := range r.Replacements {
		if !rp.Done() && rp.Cluster == cluster && rp.Kind == kind && rp.Group == group {
			return rp
		}
	}
	return nil
}

// Replacement is the region's replacement of that ID, or nil.
func (w *World) Replacement(region, id string) *Replacement {
	if r := w.Region(region); r != nil {
		return r.Replacements[id]
	}
	return nil
}

// ReplacementsDue reports whether any replacement has a step due by now:
// the cheap check, under a read lock, before taking the write lock.
func (w *World) ReplacementsDue(now time.Time) bool {
	if w.karpenterDue(now) {
		return true
	}
	for _, r := range w.Regions {
		for _, rp := range r.Replacements {
			if !rp.Done() && !rp.Next.After(now) {
				return true
			}
		}
	}
	return false
}

// AdvanceReplacements takes every replacement through the steps due by now.
func (w *World) AdvanceReplacements(now time.Time) {
	for _, r := range w.Regions {
		// In ID order, so that two replacements' launches draw addresses
		// the same way on every run.
		ids := make([]string, 0, len(r.Replacements))
		for id := range r.Replacements {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			r.Replacements[id].advance(w, r, now)
		}
		w.SyncEKSUpdates(r.Name, now)
		w.advanceKarpenter(r, now)
	}
}

// Store is what CatchUpReplacements needs of the sandbox's state.Store.
type Store interface {
	View(fn func(w *World) error) error
	Update(fn func(w *World) error) error
}

// CatchUpReplacements advances the store's replacements to now, taking the
// write lock only when a step is due.
func CatchUpReplacements(s Store, now time.Time) error {
	due := false
	_ = s.View(func(w *World) error { due = w.ReplacementsDue(now); return nil })
	if !due {
		return nil
	}
	return s.Update(func(w *World) error { w.AdvanceReplacements(now); return nil })
}

// Cancel ends the replacement where it is: a wave's new instances stay,
// and so do the old ones not yet terminated, uncordoned.
func (rp *Replacement) Cancel(w *World, region string, now time.Time) {
	if rp.Done() {
		return
	}
	if c := w.Cluster(region, rp.Cluster); c != nil && rp.Wave != nil {
		for _, id := range rp.Wave.Old {
			if n := nodeOf(c, id); n != nil && n.Unschedulable {
				uncordon(n)
				touch(c, n) // watches see the uncordon, and the node its new resourceVersion
			}
		}
	}
	rp.finish(ReplaceCancelled, now)
}

func (rp *Replacement) finish(status string, at time.Time) {
	rp.Status, rp.Finished, rp.Wave = status, &at, nil
}

// advance runs the steps due by now, each at its own time.
func (rp *Replacement) advance(w *World, r *Region, now time.Time) {
	c := w.Cluster(r.Name, rp.Cluster)
	for !rp.Done() && !rp.Next.After(now) {
		at := rp.Next
		if c == nil {
			rp.finish(ReplaceFailed, at)
			return
		}
		rp.step(w, r, c, at)
	}
}

func (rp *Replacement) step(w *World, r *Region, c *Cluster, at time.Time) {
	wave := rp.Wave
	if wave == nil {
		rp.launchWave(w, r, c, at)
		return
	}
	img := r.Images[rp.ImageID]
	switch wave.Phase {
	case phaseLaunching:
		broken := img == nil || img.NodesNeverReady
		// An Auto Scaling group counts EC2 health only: it goes on with
		// nodes that never join, where EKS and Karpenter wait for them.
		if broken && rp.Kind != GroupAutoScalingGroup {
			wave.Phase, rp.Next = phaseJoining, wave.Launched.Add(rp.JoinTimeout)
			return
		}
		for _, id := range wave.New {
			if n := nodeOf(c, id); n != nil && !broken {
				n.Ready, n.ReadySince = true, at
				touch(c, n)
			}
		}
		for _, id := range wave.Old {
			if n := nodeOf(c, id); n != nil {
				n.Unschedulable = true
				if !slices.ContainsFunc(n.Taints, func(t Taint) bool { return t.Key == UnschedulableTaint }) {
					n.Taints = append(n.Taints, Taint{Key: UnschedulableTaint, Effect: "NoSchedule"})
				}
				touch(c, n)
			}
		}
		wave.Phase, wave.Cordoned, rp.Next = phaseDraining, at, at.Add(rp.Pace+rp.Warmup)
	case phaseJoining:
		// The new nodes never joined: take them away again; the old ones
		// were never cordoned.
		for _, id := range wave.New {
			removeInstance(w, r, c, id)
		}
		rp.Errors = append(rp.Errors, ReplaceError{Code: NodeCreationFailure,
			Message: "Instances failed to join the kubernetes cluster", ResourceIDs: slices.Clone(wave.New)})
		rp.finish(ReplaceFailed, at)
	case phaseDraining:
		if !rp.Force {
			var blocked []string
			for _, id := range wave.Old {
				if n := nodeOf(c, id); n != nil && n.Annotations[EvictionBlockedAnnotation] != "" {
					blocked = append(blocked, id)
				}
			}
			if len(blocked) > 0 {
				wave.Phase, rp.Next = phaseEvicting, wave.Cordoned.Add(rp.DrainTimeout)
				rp.Errors = []ReplaceError{{Code: PodEvictionFailure,
					Message: "Reached max retries while trying to evict pods from nodes in node group " + rp.Group, ResourceIDs: blocked}}
				return
			}
		}
		for i, id := range wave.Old {
			removeInstance(w, r, c, id)
			rp.Replaced = append(rp.Replaced, ReplacedInstance{Old: id, New: wave.New[i]})
		}
		rp.Wave, rp.Next = nil, at
	case phaseEvicting:
		// Eviction gave up: the cordoned nodes stay cordoned, as EKS
		// leaves them, and the update fails.
		rp.finish(ReplaceFailed, at)
	}
}

// launchWave takes the next MaxUnavailable old instances that still run
// and launches their successors, or ends the replacement.
func (rp *Replacement) launchWave(w *World, r *Region, c *Cluster, at time.Time) {
	var old []string
	for len(rp.Remaining) > 0 && len(old) < rp.MaxUnavailable {
		id := rp.Remaining[0]
		rp.Remaining = rp.Remaining[1:]
		if inst := w.Instance(r.Name, id); inst != nil && inst.State == "running" {
			old = append(old, id)
		}
	}
	if len(old) == 0 {
		rp.finish(ReplaceSuccessful, at)
		return
	}
	wave := &ReplaceWave{Phase: phaseLaunching, Launched: at, Old: old}
	for _, id := range old {
		wave.New = append(wave.New, rp.launch(w, r, c, id, at))
	}
	rp.Wave, rp.Next = wave, at.Add(rp.Pace)
}

// launch starts the successor of instance oldID and registers its node,
// not yet Ready. It returns the new instance's ID.
func (rp *Replacement) launch(w *World, r *Region, c *Cluster, oldID string, at time.Time) string {
	old := w.Instance(r.Name, oldID)
	img := r.Images[rp.ImageID]
	inst := *old
	inst.Tags = cloneMap(old.Tags)
	inst.InstanceID = uniqueID("i", rp.ID+"/"+oldID, func(id string) bool { return w.Instance(r.Name, id) != nil })
	inst.ReservationID = uniqueID("r", rp.ID+"/"+oldID, func(string) bool { return false })
	inst.ImageID, inst.Platform, inst.LaunchTime, inst.State = img.ImageID, img.Platform, at, "running"
	if rp.InstanceType != "" {
		inst.InstanceType = rp.InstanceType
	}
	inst.PrivateIP = freeIP(w, r, c, old.PrivateIP, inst.InstanceID)
	inst.PrivateDNSName = privateDNS(r.Name, inst.PrivateIP)
	if rp.LaunchTemplate.ID != "" {
		inst.Tags["aws:ec2launchtemplate:id"] = rp.LaunchTemplate.ID
		inst.Tags["aws:ec2launchtemplate:version"] = rp.LaunchTemplate.Version
	}
	r.addInstance(w, &inst)

	n := newNodeFrom(nodeOf(c, oldID), &inst, img, w, r.Name)
	// Not Ready since it registered.
	n.CreationTimestamp, n.ReadySince = at, at
	if rp.Kind == GroupNodegroup {
		n.Labels["eks.amazonaws.com/nodegroup-image"] = img.ImageID
		if _, ok := n.Labels["eks.amazonaws.com/sourceLaunchTemplateVersion"]; ok && rp.LaunchTemplate.ID != "" {
			n.Labels["eks.amazonaws.com/sourceLaunchTemplateId"] = rp.LaunchTemplate.ID
			n.Labels["eks.amazonaws.com/sourceLaunchTemplateVersion"] = rp.LaunchTemplate.Version
		}
	}
	addClusterNode(c, n)
	return inst.InstanceID
}
