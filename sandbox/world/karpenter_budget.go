package world

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A NodePool's disruption budgets, as Karpenter v1 reads them: each budget
// allows "N" nodes or "P%" of the pool's nodes (rounded up) to be disrupted
// at once, for the reasons it names (all when none), while its schedule's
// window is open (always when it has none). The tightest active budget
// wins; a pool without budgets gets Karpenter's default, 10%.

// nodePool is what the drift controller reads of a NodePool.
type nodePool struct {
	Budgets []disruptionBudget
}

type disruptionBudget struct {
	Nodes    string   `json:"nodes"`
	Reasons  []string `json:"reasons"`
	Schedule string   `json:"schedule"`
	Duration string   `json:"duration"`
}

func readNodePool(c *Cluster, name string) *nodePool {
	raw := c.KubeObject(ResourceNodePools, name)
	if raw == nil {
		return nil
	}
	var o struct {
		Spec struct {
			Disruption struct {
				Budgets []disruptionBudget `json:"budgets"`
			} `json:"disruption"`
		} `json:"spec"`
	}
	_ = json.Unmarshal(raw, &o)
	budgets := o.Spec.Disruption.Budgets
	if budgets == nil {
		budgets = []disruptionBudget{{Nodes: "10%"}}
	}
	return &nodePool{Budgets: budgets}
}

// allowed is how many of the pool's total nodes may be disrupted at once
// for reason at now.
func (p *nodePool) allowed(reason string, total int, now time.Time) int {
	allowed := math.MaxInt
	for _, b := range p.Budgets {
		if len(b.Reasons) > 0 && !slices.Contains(b.Reasons, reason) || !b.active(now) {
			continue
		}
		allowed = min(allowed, b.nodesOf(total))
	}
	return allowed
}

// nodesOf is the budget's node count for a pool of total nodes; a value
// that does not parse allows nothing (the API server would have refused it).
func (b disruptionBudget) nodesOf(total int) int {
	if pct, ok := strings.CutSuffix(b.Nodes, "%"); ok {
		p, err := strconv.Atoi(pct)
		if err != nil {
			return 0
		}
		return (total*p + 99) / 100
	}
	n, err := strconv.Atoi(b.Nodes)
	if err != nil {
		return 0
	}
	return n
}

// active reports whether the budget applies at now: it has no schedule,
// or its schedule fired within duration before now (UTC, as Karpenter
// reads schedules).
func (b disruptionBudget) active(now time.Time) bool {
	if b.Schedule == "" {
		return true
	}
	d, err := time.ParseDuration(b.Duration)
	if err != nil || d <= 0 {
		return false
	}
	sched, ok := parseCron(b.Schedule)
	if !ok {
		return false
	}
	t := now.UTC().Truncate(time.Minute)
	for start := now.UTC().Add(-d); t.After(start); t = t.Add(-time.Minute) {
		if sched.matches(t) {
			return true
		}
	}
	return false
}

// cronSchedule is a standard five-field cron schedule.
type cronSchedule struct {
	minute, hour, dom, month, dow []bool
	domAny, dowAny                bool
}

var cronMacros = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

var cronNames = map[string]int{
	"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

func parseCron(s string) (cronSchedule, bool) {
	if m, ok := cronMacros[strings.ToLower(strings.TrimSpace(s))]; ok {
		s = m
	}
	f := strings.Fields(s)
	if len(f) != 5 {
		return cronSchedule{}, false
	}
	var cs cronSchedule
	var ok [5]bool
	cs.minute, ok[0] = cronField(f[0], 0, 59)
	cs.hour, ok[1] = cronField(f[1], 0, 23)
	cs.dom, ok[2] = cronField(f[2], 1, 31)
	cs.month, ok[3] = cronField(f[3], 1, 12)
	cs.dow, ok[4] = cronField(f[4], 0, 7)
	cs.domAny, cs.dowAny = f[2] == "*" || f[2] == "?", f[4] == "*" || f[4] == "?"
	if cs.dow != nil && cs.dow[7] {
		cs.dow[0] = true // 7 is Sunday too
	}
	return cs, ok == [5]bool{true, true, true, true, true}
}

// cronField reads one field: "*", "?", values, ranges, lists and steps.
func cronField(s string, lo, hi int) ([]bool, bool) {
	set := make([]bool, hi+1)
	value := func(v string) (int, bool) {
		if n, ok := cronNames[strings.ToLower(v)]; ok {
			return n, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= lo && n <= hi
	}
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepText); err != nil || step <= 0 {
				return nil, false
			}
		}
		from, to := lo, hi
		if rng != "*" && rng != "?" {
			a, b, isRange := strings.Cut(rng, "-")
			var ok1, ok2 bool
			if from, ok1 = value(a); !ok1 {
				return nil, false
			}
			to, ok2 = from, true
			if isRange {
				to, ok2 = value(b)
			} else if hasStep {
				to = hi
			}
			if !ok2 || to < from {
				return nil, false
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, true
}

func (cs cronSchedule) matches(t time.Time) bool {
	if !cs.minute[t.Minute()] || !cs.hour[t.Hour()] || !cs.month[int(t.Month())] {
		return false
	}
	dom, dow := cs.dom[t.Day()], cs.dow[int(t.Weekday())]
	switch {
	case cs.domAny && cs.dowAny:
		return true
	case cs.domAny:
		return dow
	case cs.dowAny:
		return dom
	}
	return dom || dow // both restricted: either matches, as cron reads them
}
