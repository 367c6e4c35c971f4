package world

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
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
	rp := &Replacement{
		ID:          replacementID(region, spec, now),
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
			if n := nodeOf(c, id); n != nil {
				uncordon(n)
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
		if img == nil || img.NodesNeverReady {
			wave.Phase, rp.Next = phaseJoining, wave.Launched.Add(rp.JoinTimeout)
			return
		}
		for _, id := range wave.New {
			if n := nodeOf(c, id); n != nil {
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
		wave.Phase, wave.Cordoned, rp.Next = phaseDraining, at, at.Add(rp.Pace)
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

// newNodeFrom is the node of a new instance: the old node's labels and
// shape, the new instance's name and address, and what the AMI brings
// (Windows build, kubelet, cached images).
func newNodeFrom(old *Node, inst *Instance, img *Image, w *World, region string) *Node {
	n := &Node{Labels: map[string]string{}, Pods: "110", Architecture: "amd64"}
	if old != nil {
		o := *old
		n = &o
		n.Labels = cloneMap(old.Labels)
		n.Annotations = nil
		n.Unschedulable, n.Taints = false, nil
	}
	n.Name = inst.PrivateDNSName
	n.UID = uniqueUUID(inst.InstanceID)
	n.ProviderID = "aws:///" + inst.AvailabilityZone + "/" + inst.InstanceID
	n.InternalIP = inst.PrivateIP
	n.Labels["kubernetes.io/hostname"] = n.Name
	n.Labels["node.kubernetes.io/instance-type"] = inst.InstanceType
	n.Labels["beta.kubernetes.io/instance-type"] = inst.InstanceType
	if c, ok := instanceCapacity[inst.InstanceType]; ok {
		n.CPU, n.Memory = c[0], c[1]
	}
	n.Ready, n.ReadySince = false, time.Time{}
	if img.Platform == "windows" {
		n.KernelVersion = img.OSBuild
		n.Labels["node.kubernetes.io/windows-build"] = windowsBuildLabel(img.OSBuild)
	}
	if k := KubeletOf(img); k != "" {
		n.KubeletVersion = k
	}
	n.Images = NodeImages(w, region, img)
	return n
}

// KubeletOf is the kubelet an AMI ships: known for EKS's 1.35 Windows
// releases and for AMIs built on them (their winami:kubernetes tag); ""
// when the AMI does not say.
func KubeletOf(img *Image) string {
	minor := img.Tags["winami:kubernetes"]
	if minor == "" {
		if _, rest, ok := strings.Cut(img.Name, "EKS_Optimized-"); ok {
			minor, _, _ = strings.Cut(rest, "-")
		}
	}
	if minor == "1.35" {
		return KubeletV1352
	}
	return ""
}

// NodeImages is status.images of a fresh node of img: the images its
// cache record (the winami:cache tag, or the SSM parameter it names)
// lists, each by digest and by tag as the kubelet reports them, and the
// Windows base image every Windows AMI holds.
func NodeImages(w *World, region string, img *Image) []ContainerImage {
	var entries []string
	if tag, ok := img.Tags["winami:cache"]; ok {
		if name, isParam := strings.CutPrefix(tag, "ssm:"); isParam {
			if r := w.Region(region); r != nil && r.Parameters[name] != nil {
				entries = cacheParameterImages(r.Parameters[name].Value)
			}
		} else {
			entries = strings.Fields(tag)
		}
	}
	var out []ContainerImage
	for _, e := range entries {
		out = append(out, ContainerImage{Names: imageNames(e), SizeBytes: imageSize(e)})
	}
	if img.Platform == "windows" {
		pause := "mcr.microsoft.com/oss/kubernetes/pause:3.9"
		out = append(out, ContainerImage{Names: []string{pause}, SizeBytes: imageSize(pause)})
	}
	// The kubelet lists the largest images first.
	slices.SortStableFunc(out, func(a, b ContainerImage) int { return cmp.Compare(b.SizeBytes, a.SizeBytes) })
	return out
}

// cacheParameterImages are the references of an SSM cache record's JSON.
func cacheParameterImages(value string) []string {
	var v struct {
		Images []struct {
			Image  string `json:"image"`
			Digest string `json:"digest"`
		} `json:"images"`
	}
	if json.Unmarshal([]byte(value), &v) != nil {
		return nil
	}
	var out []string
	for _, img := range v.Images {
		ref := img.Image
		if img.Digest != "" && !strings.HasSuffix(ref, "@"+img.Digest) {
			ref += "@" + img.Digest
		}
		out = append(out, ref)
	}
	return out
}

// imageNames are the names the kubelet reports for a cached reference:
// repo@digest and repo:tag, as far as the reference has them.
func imageNames(ref string) []string {
	name, digest, hasDigest := strings.Cut(ref, "@")
	repo := name
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		repo = name[:i]
	}
	var out []string
	if hasDigest {
		out = append(out, repo+"@"+digest)
	}
	if repo != name || !hasDigest {
		out = append(out, name)
	}
	return out
}

// imageSize is a stable, plausible size for an image reference.
func imageSize(ref string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(ref))
	return 300<<20 + int64(h.Sum64()%(4<<30))
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// uniqueID is an EC2-style ID derived from key, not taken yet.
func uniqueID(prefix, key string, taken func(string) bool) string {
	for i := 0; ; i++ {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s#%d", key, i)
		if id := fmt.Sprintf("%s-0%016x", prefix, h.Sum64()); !taken(id) {
			return id
		}
	}
}

func uniqueUUID(key string) string {
	h1, h2 := fnv.New64a(), fnv.New64()
	_, _ = h1.Write([]byte(key))
	_, _ = h2.Write([]byte(key))
	hi, lo := h1.Sum64()&^0xf000|0x4000, h2.Sum64()&^(0xc<<60)|0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

func replacementID(region string, spec ReplaceSpec, now time.Time) string {
	return uniqueUUID(region + "/" + spec.Cluster + "/" + string(spec.Kind) + "/" + spec.Group + "/" + now.Format(time.RFC3339Nano))
}

// nodeOf is the cluster's node of an instance, or nil.
func nodeOf(c *Cluster, instanceID string) *Node {
	for _, n := range c.Nodes {
		if strings.HasSuffix(n.ProviderID, "/"+instanceID) {
			return n
		}
	}
	return nil
}

func uncordon(n *Node) {
	n.Unschedulable = false
	n.Taints = slices.DeleteFunc(n.Taints, func(t Taint) bool { return t.Key == UnschedulableTaint })
}

// touch gives a changed node the cluster's next resourceVersion.
func touch(c *Cluster, n *Node) { n.ResourceVersion = bumpVersion(c) }

// bumpVersion moves the cluster's list resourceVersion on and returns it.
func bumpVersion(c *Cluster) string {
	rv, _ := strconv.ParseInt(c.ResourceVersion, 10, 64)
	c.ResourceVersion = strconv.FormatInt(rv+1, 10)
	return c.ResourceVersion
}

// addClusterNode adds n in name order.
func addClusterNode(c *Cluster, n *Node) {
	i, _ := slices.BinarySearchFunc(c.Nodes, n.Name, func(a *Node, name string) int { return strings.Compare(a.Name, name) })
	c.Nodes = slices.Insert(c.Nodes, i, n)
	touch(c, n)
}

// removeInstance terminates an instance and removes its node.
func removeInstance(w *World, r *Region, c *Cluster, id string) {
	if inst := w.Instance(r.Name, id); inst != nil {
		inst.State = "terminated"
	}
	c.Nodes = slices.DeleteFunc(c.Nodes, func(n *Node) bool { return strings.HasSuffix(n.ProviderID, "/"+id) })
	bumpVersion(c)
}

// addInstance adds an instance where the cluster's instances live: the
// region's own, or the extra fleet's for a scale cluster.
func (r *Region) addInstance(w *World, inst *Instance) {
	if f := w.fleet(r.Name); f != nil && r.Instances[inst.InstanceID] == nil {
		for _, c := range f.Clusters {
			if c.Name == inst.Tags["eks:cluster-name"] || c.Name == inst.Tags["eks:eks-cluster-name"] {
				f.Instances[inst.InstanceID] = inst
				i, _ := slices.BinarySearchFunc(f.sorted, inst, byInstanceID)
				f.sorted = slices.Insert(f.sorted, i, inst)
				return
			}
		}
	}
	if r.Instances == nil {
		r.Instances = map[string]*Instance{}
	}
	r.Instances[inst.InstanceID] = inst
}

// freeIP is an address near near (same /20) that no node of the cluster
// and no instance of the region uses.
func freeIP(w *World, r *Region, c *Cluster, near, key string) string {
	used := map[string]bool{}
	for _, n := range c.Nodes {
		used[n.InternalIP] = true
	}
	for _, inst := range r.Instances {
		used[inst.PrivateIP] = true
	}
	var a, b, x, y int
	if _, err := fmt.Sscanf(near, "%d.%d.%d.%d", &a, &b, &x, &y); err != nil {
		a, b, x = 172, 31, 0
	}
	base := x &^ 15
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	start := int(h.Sum64() % 4090)
	for i := range 4090 {
		off := 4 + (start+i)%4090
		ip := fmt.Sprintf("%d.%d.%d.%d", a, b, base+off/256, off%256)
		if !used[ip] {
			return ip
		}
	}
	return near
}
