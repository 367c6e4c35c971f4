package world

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

var driftStart = time.Date(2026, time.December, 1, 12, 0, 0, 0, time.UTC)

const demoRegion = "us-east-1"

// karpenterDemo is the seeded world with n nodes in the demo's Karpenter
// pool, all on the seeded Karpenter node's (October) AMI.
func karpenterDemo(t *testing.T, n int) (*World, *Cluster, string) {
	t.Helper()
	w := Seed(1)
	r := w.Region(demoRegion)
	c := w.Cluster(demoRegion, DemoCluster)
	claims := readClaims(c)
	if len(claims) != 1 {
		t.Fatalf("seeded claims: %v", claims)
	}
	var seeded *claimInfo
	for _, cl := range claims {
		seeded = cl
	}
	inst := w.Instance(demoRegion, instanceIDOf(seeded.ProviderID))
	for i := 1; i < n; i++ {
		at := driftStart.Add(-time.Duration(i) * time.Hour)
		name, _ := launchClaim(w, r, c, seeded, inst, r.Images[inst.ImageID], at)
		initializeClaim(c, name, at)
	}
	return w, c, inst.ImageID
}

// setTerms does what a PATCH of the node class's amiSelectorTerms does
// through the Kubernetes API.
func setTerms(t *testing.T, w *World, c *Cluster, terms []AMISelectorTerm, now time.Time, pace time.Duration) {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(c.KubeObject(ResourceEC2NodeClasses, DemoKarpenterNodePool), &obj); err != nil {
		t.Fatal(err)
	}
	obj["spec"].(map[string]any)["amiSelectorTerms"] = toJSONValue(terms)
	meta := obj["metadata"].(map[string]any)
	meta["generation"] = meta["generation"].(float64) + 1
	ResolveNodeClassAMIs(w, w.Region(demoRegion), c, obj, now)
	if _, err := c.PutKubeObject(ResourceEC2NodeClasses, obj); err != nil {
		t.Fatal(err)
	}
	c.WakeKarpenter(now, pace)
}

func setBudgets(t *testing.T, c *Cluster, budgets ...map[string]any) {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(c.KubeObject(ResourceNodePools, DemoKarpenterNodePool), &obj); err != nil {
		t.Fatal(err)
	}
	var list []any
	for _, b := range budgets {
		list = append(list, b)
	}
	obj["spec"].(map[string]any)["disruption"].(map[string]any)["budgets"] = list
	if _, err := c.PutKubeObject(ResourceNodePools, obj); err != nil {
		t.Fatal(err)
	}
}

// poolState is what the pool's nodes and claims look like now.
type poolState struct {
	nodes, ready, disrupted int
	images                  map[string]int // claims by status.imageID
	claims                  map[string]*claimInfo
}

func poolNow(w *World, c *Cluster) poolState {
	s := poolState{images: map[string]int{}, claims: readClaims(c)}
	for _, n := range c.Nodes {
		if n.Labels["karpenter.sh/nodepool"] != DemoKarpenterNodePool {
			continue
		}
		s.nodes++
		if n.Ready {
			s.ready++
		}
		if slices.ContainsFunc(n.Taints, func(t Taint) bool { return t.Key == DisruptedTaint }) {
			s.disrupted++
		}
		inst := w.Instance(demoRegion, instanceIDOf(n.ProviderID))
		if inst == nil || inst.State != "running" {
			panic(fmt.Sprintf("node %s without a running instance", n.Name))
		}
	}
	for _, cl := range s.claims {
		s.images[cl.ImageID]++
	}
	return s
}

func amiID(t *testing.T, w *World, name string) string {
	t.Helper()
	img := w.Region(demoRegion).ImageByName(name)
	if img == nil {
		t.Fatalf("no image %s", name)
	}
	return img.ImageID
}

const newAMIName = "winami-demo-2022-core-1.35-20261115"

// runDrift advances the world second by second for d and returns the most
// nodes seen disrupted at once.
func runDrift(w *World, c *Cluster, from time.Time, d time.Duration) int {
	most := 0
	for at := from; !at.After(from.Add(d)); at = at.Add(time.Second) {
		w.AdvanceReplacements(at)
		most = max(most, poolNow(w, c).disrupted)
	}
	return most
}

// Drift replaces every drifted node, never more at once than the pool's
// budget for Drifted allows, and marks the claims Drifted (AMIDrift).
func TestKarpenterDriftHonoursTheBudget(t *testing.T) {
	for _, budget := range []int{1, 2} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			w, c, oldAMI := karpenterDemo(t, 5)
			newAMI := amiID(t, w, newAMIName)
			setBudgets(t, c, map[string]any{"nodes": fmt.Sprint(budget), "reasons": []any{"Drifted"}}, map[string]any{"nodes": "100%"})
			const pace = 10 * time.Second
			setTerms(t, w, c, []AMISelectorTerm{{ID: newAMI}}, driftStart, pace)
			w.AdvanceReplacements(driftStart)
			s := poolNow(w, c)
			if s.disrupted != budget || s.nodes != 5+budget || s.ready != 5 {
				t.Fatalf("after the change: %+v", s)
			}
			drifted := 0
			for _, name := range c.KubeObjectNames(ResourceNodeClaims) {
				var o struct {
					Status struct{ Conditions []map[string]any } `json:"status"`
				}
				_ = json.Unmarshal(c.KubeObject(ResourceNodeClaims, name), &o)
				if slices.ContainsFunc(o.Status.Conditions, func(m map[string]any) bool {
					return m["type"] == DriftedCondition && m["status"] == "True" && m["reason"] == AMIDriftReason
				}) {
					drifted++
				}
			}
			if drifted != 5 {
				t.Errorf("%d claims Drifted, want 5", drifted)
			}
			if most := runDrift(w, c, driftStart, 10*time.Minute); most != budget {
				t.Errorf("at most %d nodes disrupted at once, want %d", most, budget)
			}
			s = poolNow(w, c)
			if s.nodes != 5 || s.ready != 5 || s.images[newAMI] != 5 || s.images[oldAMI] != 0 || len(s.claims) != 5 {
				t.Fatalf("at the end: %+v", s)
			}
			// Each wave takes two paces.
			waves := (5 + budget - 1) / budget
			if k := c.Karpenter.Controller; !k.Next.IsZero() || len(k.Disruptions) != 0 {
				t.Errorf("controller not idle: %+v", k)
			}
			for _, n := range c.Nodes {
				if n.Labels["karpenter.sh/nodepool"] == DemoKarpenterNodePool && n.CreationTimestamp.After(driftStart.Add(time.Duration(2*(waves-1))*pace)) {
					t.Errorf("node %s created at %v, after the last wave", n.Name, n.CreationTimestamp)
				}
			}
		})
	}
}

// A replacement on the bad AMI never becomes Ready nor Initialized; after
// the liveness timeout (three paces) it is gone and the old node serves on,
// untainted; the sandbox does not try that AMI again.
func TestKarpenterDriftBadAMI(t *testing.T) {
	w, c, oldAMI := karpenterDemo(t, 3)
	bad := amiID(t, w, BadAMIName)
	const pace = 10 * time.Second
	setTerms(t, w, c, []AMISelectorTerm{{ID: bad}}, driftStart, pace)
	for at := driftStart; at.Before(driftStart.Add(3 * pace)); at = at.Add(time.Second) {
		w.AdvanceReplacements(at)
		s := poolNow(w, c)
		if s.nodes != 4 || s.ready != 3 || s.disrupted != 1 || s.images[bad] != 1 {
			t.Fatalf("at %v: %+v", at, s)
		}
		for _, cl := range s.claims {
			if cl.ImageID == bad && cl.Initialized {
				t.Fatalf("the bad AMI's claim is Initialized")
			}
		}
	}
	var badInstance string
	for _, d := range c.Karpenter.Controller.Disruptions {
		badInstance = d.NewInstance
	}
	w.AdvanceReplacements(driftStart.Add(3 * pace))
	s := poolNow(w, c)
	if s.nodes != 3 || s.ready != 3 || s.disrupted != 0 || s.images[oldAMI] != 3 || len(s.claims) != 3 {
		t.Fatalf("after the timeout: %+v", s)
	}
	if inst := w.Instance(demoRegion, badInstance); inst == nil || inst.State != "terminated" {
		t.Errorf("the bad instance %s: %+v", badInstance, inst)
	}
	w.AdvanceReplacements(driftStart.Add(time.Hour))
	if s := poolNow(w, c); s.nodes != 3 || s.images[oldAMI] != 3 || !c.Karpenter.Controller.Next.IsZero() {
		t.Fatalf("an hour later: %+v, next %v", s, c.Karpenter.Controller.Next)
	}
}

// Putting the old terms back makes the replacements drift in turn: every
// node ends on the old AMI again.
func TestKarpenterDriftRollback(t *testing.T) {
	w, c, oldAMI := karpenterDemo(t, 3)
	newAMI := amiID(t, w, newAMIName)
	const pace = 10 * time.Second
	setTerms(t, w, c, []AMISelectorTerm{{ID: newAMI}}, driftStart, pace)
	runDrift(w, c, driftStart, 25*time.Second) // mid-way
	if s := poolNow(w, c); s.images[newAMI] == 0 || s.images[oldAMI] == 0 {
		t.Fatalf("mid-way: %+v", s)
	}
	back := driftStart.Add(25 * time.Second)
	setTerms(t, w, c, []AMISelectorTerm{{ID: oldAMI}}, back, pace)
	w.AdvanceReplacements(back)
	for _, cl := range readClaims(c) {
		if cl.DriftedSet != (cl.ImageID == newAMI && cl.Initialized) {
			t.Errorf("claim %s on %s: Drifted %v", cl.Name, cl.ImageID, cl.DriftedSet)
		}
	}
	runDrift(w, c, back, 10*time.Minute)
	if s := poolNow(w, c); s.nodes != 3 || s.ready != 3 || s.images[oldAMI] != 3 || len(s.claims) != 3 {
		t.Fatalf("after the rollback: %+v", s)
	}
}

// With a pace of 0 the whole drift is done at the instant of the change.
func TestKarpenterDriftPaceZero(t *testing.T) {
	w, c, _ := karpenterDemo(t, 4)
	newAMI := amiID(t, w, newAMIName)
	setTerms(t, w, c, []AMISelectorTerm{{ID: newAMI}}, driftStart, 0)
	w.AdvanceReplacements(driftStart)
	if s := poolNow(w, c); s.nodes != 4 || s.ready != 4 || s.images[newAMI] != 4 {
		t.Fatalf("%+v", s)
	}
	setTerms(t, w, c, []AMISelectorTerm{{ID: amiID(t, w, BadAMIName)}}, driftStart, 0)
	w.AdvanceReplacements(driftStart)
	if s := poolNow(w, c); s.nodes != 4 || s.ready != 4 || s.images[newAMI] != 4 || s.disrupted != 0 {
		t.Fatalf("bad AMI: %+v", s)
	}
}

// Terms that select no AMI drift nothing: no Drifted condition, no
// replacement.
func TestKarpenterDriftNeedsAnAMI(t *testing.T) {
	w, c, oldAMI := karpenterDemo(t, 2)
	setTerms(t, w, c, []AMISelectorTerm{{ID: "ami-0000000000000000"}}, driftStart, time.Second)
	runDrift(w, c, driftStart, time.Minute)
	s := poolNow(w, c)
	for _, cl := range s.claims {
		if cl.DriftedSet {
			t.Errorf("claim %s Drifted", cl.Name)
		}
	}
	if s.images[oldAMI] != 2 || s.nodes != 2 {
		t.Fatalf("%+v", s)
	}
}

// A budget of 0 for Drifted inside its schedule's window holds drift back.
func TestKarpenterDriftScheduledBudget(t *testing.T) {
	w, c, oldAMI := karpenterDemo(t, 2)
	// driftStart is a Tuesday at 12:00 UTC.
	setBudgets(t, c, map[string]any{"nodes": "0", "reasons": []any{"Drifted"}, "schedule": "0 9 * * mon-fri", "duration": "8h"},
		map[string]any{"nodes": "1"})
	setTerms(t, w, c, []AMISelectorTerm{{ID: amiID(t, w, newAMIName)}}, driftStart, time.Second)
	runDrift(w, c, driftStart, time.Minute)
	if s := poolNow(w, c); s.images[oldAMI] != 2 || s.disrupted != 0 {
		t.Fatalf("inside the window: %+v", s)
	}
	evening := time.Date(2026, time.December, 1, 17, 30, 0, 0, time.UTC)
	c.WakeKarpenter(evening, time.Second)
	if most := runDrift(w, c, evening, time.Minute); most != 1 || poolNow(w, c).images[oldAMI] != 0 {
		t.Fatalf("after the window: most %d, %+v", most, poolNow(w, c))
	}
}

func TestCronSchedule(t *testing.T) {
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	for _, tc := range []struct {
		sched, dur, now string
		want            bool
	}{
		{"0 9 * * mon-fri", "8h", "2026-12-01T12:00:00Z", true},  // Tuesday
		{"0 9 * * mon-fri", "8h", "2026-12-01T17:00:00Z", false}, // window ended
		{"0 9 * * mon-fri", "8h", "2026-12-06T12:00:00Z", false}, // Sunday
		{"@daily", "1h", "2026-12-06T00:30:00Z", true},
		{"*/15 * * * *", "1m", "2026-12-06T00:45:30Z", true},
		{"*/15 * * * *", "1m", "2026-12-06T00:47:30Z", false},
		{"0 0 1 1 *", "24h", "2026-01-01T10:00:00Z", true},
		{"not a schedule", "1h", "2026-01-01T10:00:00Z", false},
	} {
		b := disruptionBudget{Nodes: "0", Schedule: tc.sched, Duration: tc.dur}
		if got := b.active(at(tc.now)); got != tc.want {
			t.Errorf("%q for %s at %s: %v, want %v", tc.sched, tc.dur, tc.now, got, tc.want)
		}
	}
	for _, tc := range []struct {
		nodes       string
		total, want int
	}{{"10%", 1, 1}, {"10%", 25, 3}, {"3", 25, 3}, {"0%", 5, 0}, {"x", 5, 0}} {
		if got := (disruptionBudget{Nodes: tc.nodes}).nodesOf(tc.total); got != tc.want {
			t.Errorf("%s of %d: %d, want %d", tc.nodes, tc.total, got, tc.want)
		}
	}
}
