package world

import (
	"slices"
	"time"
)

// The sandbox's Karpenter drift controller. When an EC2NodeClass's
// amiSelectorTerms change so that a NodeClaim's image is no longer among
// the class's status.amis, Karpenter v1 marks the claim Drifted (reason
// AMIDrift) and its disruption controller replaces the node, within the
// NodePool's disruption budgets:
//
//  1. the old node is tainted karpenter.sh/disrupted:NoSchedule and a
//     replacement NodeClaim is launched from the class's newest AMI: a new
//     instance, whose node registers NotReady;
//  2. one pace later the new node is Ready and its claim Initialized; the
//     old claim is deleted (metadata.deletionTimestamp) and its node drained;
//  3. one pace after that the old instance is terminated, and its node and
//     claim are gone.
//
// A replacement whose node never gets Ready (world.BadAMIName's AMI) is
// deleted when Karpenter's liveness timeout runs out (modelled as
// JoinTimeout, three paces, as the replacement engine does); the old node
// is untainted and keeps serving. Karpenter would try again and again; the
// sandbox launches from that AMI no more until the node class changes, so
// that a pace of 0 does not loop.
//
// As with the replacement engine, nothing runs in the background: the
// controller's steps are replayed by AdvanceReplacements, each at the time
// it was due. The Kubernetes API wakes the controller (WakeKarpenter) when
// a Karpenter object changes.

// Karpenter's names for drift.
const (
	// DisruptedTaint is the taint Karpenter puts on a node it disrupts.
	DisruptedTaint = "karpenter.sh/disrupted"
	// DriftedCondition is the NodeClaim condition of a drifted claim, with
	// the reason AMIDriftReason when its image is no longer selected.
	DriftedCondition = "Drifted"
	AMIDriftReason   = "AMIDrift"
	// DisruptionReasonDrifted is the reason NodePool budgets name.
	DisruptionReasonDrifted = "Drifted"
)

// maxKarpenterSteps bounds one catch-up, so that a state the controller
// cannot leave never holds the store's lock for ever.
const maxKarpenterSteps = 100000

// KarpenterController is the drift controller's state in a cluster.
type KarpenterController struct {
	// Pace is how long each step takes, as the sandbox was told when the
	// controller was last woken.
	Pace time.Duration `json:"pace"`
	// Next is when the controller's next step is due; zero when it has
	// nothing to do until a Karpenter object changes.
	Next time.Time `json:"next,omitzero"`
	// Disruptions are the replacements in flight.
	Disruptions []*Disruption `json:"disruptions,omitempty"`
	// Failed are node classes with the image and class generation
	// ("ami-…@3") a replacement never initialized from: the controller
	// launches no more from it until the class changes.
	Failed map[string]string `json:"failed,omitempty"`
}

// Disruption is one drifted claim being replaced.
type Disruption struct {
	Pool        string    `json:"pool"`
	NodeClass   string    `json:"nodeClass"`
	Old         string    `json:"old"` // the drifted NodeClaim
	OldInstance string    `json:"oldInstance"`
	New         string    `json:"new"` // its replacement
	NewInstance string    `json:"newInstance"`
	ImageID     string    `json:"imageId"`
	Phase       string    `json:"phase"` // joining, draining
	Started     time.Time `json:"started"`
	Next        time.Time `json:"next"`
	// Attempt is the key Failed records when the replacement never joins.
	Attempt string `json:"attempt"`
}

// WakeKarpenter tells the cluster's drift controller that a Karpenter
// object changed at now: it looks for drift at once, and replaces at pace.
func (c *Cluster) WakeKarpenter(now time.Time, pace time.Duration) {
	if c.Karpenter == nil {
		return
	}
	k := c.Karpenter.Controller
	if k == nil {
		k = &KarpenterController{}
		c.Karpenter.Controller = k
	}
	k.Pace = max(pace, 0)
	if k.Next.IsZero() || k.Next.After(now) {
		k.Next = now
	}
}

// karpenterDue reports whether a drift controller has a step due by now.
func (w *World) karpenterDue(now time.Time) bool {
	for _, r := range w.Regions {
		for _, c := range r.Clusters {
			if k := c.karpenterController(); k != nil && !k.Next.IsZero() && !k.Next.After(now) {
				return true
			}
		}
	}
	return false
}

func (c *Cluster) karpenterController() *KarpenterController {
	if c.Karpenter == nil {
		return nil
	}
	return c.Karpenter.Controller
}

// advanceKarpenter runs the region's drift controllers' steps due by now.
func (w *World) advanceKarpenter(r *Region, now time.Time) {
	names := make([]string, 0, len(r.Clusters))
	for name, c := range r.Clusters {
		if c.karpenterController() != nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		c := r.Clusters[name]
		k := c.Karpenter.Controller
		for i := 0; !k.Next.IsZero() && !k.Next.After(now); i++ {
			if i == maxKarpenterSteps {
				k.Next = time.Time{}
				break
			}
			k.step(w, r, c, k.Next)
		}
	}
}

// step does what is due at: the disruptions' next steps, the Drifted
// conditions, and new disruptions as far as the budgets allow.
func (k *KarpenterController) step(w *World, r *Region, c *Cluster, at time.Time) {
	k.Disruptions = slices.DeleteFunc(k.Disruptions, func(d *Disruption) bool {
		return !d.Next.After(at) && d.advance(w, r, c, k, at)
	})
	claims := readClaims(c)
	// A class whose terms select no AMI drifts nothing: Karpenter cannot
	// tell what its nodes should run.
	drifted := slices.DeleteFunc(DriftedNodeClaims(c), func(name string) bool {
		cl := claims[name]
		return cl == nil || len(readNodeClass(c, cl.NodeClass).AMIs) == 0
	})
	for _, cl := range claims {
		markDrifted(c, cl, slices.Contains(drifted, cl.Name), at)
	}
	busy := map[string]bool{}
	disrupting := map[string]int{}
	for _, d := range k.Disruptions {
		busy[d.Old], busy[d.New] = true, true
		disrupting[d.Pool]++
	}
	for _, name := range drifted {
		cl := claims[name]
		if cl == nil || busy[name] || !cl.Initialized || cl.Deleting || cl.Pool == "" {
			continue
		}
		class := readNodeClass(c, cl.NodeClass)
		img := r.Images[class.chooseAMI(c.Node(cl.NodeName))]
		if img == nil {
			continue // no AMI to replace it with: Karpenter does not disrupt
		}
		attempt := img.ImageID + "@" + class.Generation
		if k.Failed[cl.NodeClass] == attempt {
			continue
		}
		pool := readNodePool(c, cl.Pool)
		if pool == nil || disrupting[cl.Pool] >= pool.allowed(DisruptionReasonDrifted, poolSize(claims, k, cl.Pool), at) {
			continue
		}
		d := k.start(w, r, c, cl, img, at)
		if d == nil {
			continue
		}
		d.Attempt = attempt
		k.Disruptions = append(k.Disruptions, d)
		disrupting[cl.Pool]++
	}
	k.Next = time.Time{}
	for _, d := range k.Disruptions {
		if k.Next.IsZero() || d.Next.Before(k.Next) {
			k.Next = d.Next
		}
	}
}

// poolSize is how many nodes the pool has, not counting the replacements
// in flight (Karpenter's budgets are shares of the pool's nodes).
func poolSize(claims map[string]*claimInfo, k *KarpenterController, pool string) int {
	n := 0
	for _, cl := range claims {
		if cl.Pool == pool && !slices.ContainsFunc(k.Disruptions, func(d *Disruption) bool { return d.New == cl.Name }) {
			n++
		}
	}
	return n
}

// start taints the old node and launches its replacement.
func (k *KarpenterController) start(w *World, r *Region, c *Cluster, old *claimInfo, img *Image, at time.Time) *Disruption {
	oldID := instanceIDOf(old.ProviderID)
	oldInst := w.Instance(r.Name, oldID)
	if oldInst == nil || oldInst.State != "running" {
		return nil
	}
	if n := c.Node(old.NodeName); n != nil {
		n = copyNode(n)
		if !slices.ContainsFunc(n.Taints, func(t Taint) bool { return t.Key == DisruptedTaint }) {
			n.Taints = append(slices.Clone(n.Taints), Taint{Key: DisruptedTaint, Effect: "NoSchedule"})
		}
		c.PutNode(n)
	}
	newClaim, newInst := launchClaim(w, r, c, old, oldInst, img, at)
	d := &Disruption{Pool: old.Pool, NodeClass: old.NodeClass, Old: old.Name, OldInstance: oldID, New: newClaim, NewInstance: newInst,
		ImageID: img.ImageID, Phase: phaseJoining, Started: at, Next: at.Add(k.Pace)}
	if img.NodesNeverReady {
		d.Next = at.Add(3 * k.Pace)
	}
	return d
}

// advance takes the disruption through its step due at; it reports
// whether the disruption has ended.
func (d *Disruption) advance(w *World, r *Region, c *Cluster, k *KarpenterController, at time.Time) bool {
	switch d.Phase {
	case phaseJoining:
		if img := r.Images[d.ImageID]; img == nil || img.NodesNeverReady {
			// Karpenter's liveness timeout: the replacement never
			// initialized and is deleted; the old node keeps serving.
			removeInstance(w, r, c, d.NewInstance)
			c.DeleteKubeObject(ResourceNodeClaims, d.New)
			if n := c.Node(nodeNameOf(c, d.Old)); n != nil {
				n = copyNode(n)
				n.Taints = slices.DeleteFunc(slices.Clone(n.Taints), func(t Taint) bool { return t.Key == DisruptedTaint })
				c.PutNode(n)
			}
			if k.Failed == nil {
				k.Failed = map[string]string{}
			}
			k.Failed[d.NodeClass] = d.Attempt
			return true
		}
		initializeClaim(c, d.New, at)
		deleteClaimAt(c, d.Old, at)
		d.Phase, d.Next = phaseDraining, at.Add(k.Pace)
		return false
	case phaseDraining:
		removeInstance(w, r, c, d.OldInstance)
		c.DeleteKubeObject(ResourceNodeClaims, d.Old)
		return true
	}
	return true
}
