package component

import (
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// phaseNames are the phases Image Builder runs: build and validate on the
// build instance, test on the test instance. AWSTOE would run others when
// asked; Image Builder never asks.
var phaseNames = []string{"build", "validate", "test"}

var (
	phaseKeys = []string{"name", "steps"}
	stepKeys  = []string{"name", "action", "timeoutSeconds", "onFailure", "maxAttempts", "inputs", "loop", "if"}
	onFailure = []string{"Abort", "Continue", "Ignore"}
)

// step is what reference checks need to know of a step.
type step struct {
	name     string
	loopName string
	hasLoop  bool
}

func (c *checker) phases(e entry) {
	items, ok := c.sequence(e.value, e.keyAt, "phases", "a list of phases, each with a name and steps")
	if !ok {
		return
	}
	if len(items) == 0 {
		c.report(e.value, "phases", "must list at least one phase (build, validate or test)")
		return
	}
	c.steps = c.stepNames(items)
	seen := map[string]ast.Node{}
	for i, it := range items {
		path := index("phases", i)
		item := it.value
		es, ok := c.mapping(item, it.at, path, "a mapping of name and steps")
		if !ok {
			continue
		}
		c.checkKeys(es, path, phaseKeys)
		phase := ""
		if n, ok := lookup(es, "name"); !ok {
			c.report(item, path, `missing required key "name" (build, validate or test)`)
		} else if s, ok := c.scalarField(n, join(path, "name")); ok {
			phase = s
			switch prev, dup := seen[s]; {
			case dup:
				line, col := position(prev)
				c.report(n.value, join(path, "name"), "phase %q is already defined at %d:%d; each phase appears once", s, line, col)
			case !slices.Contains(phaseNames, s):
				c.report(n.value, join(path, "name"), "phase %q is not one Image Builder runs: build, validate or test", s)
			}
			if _, dup := seen[s]; !dup {
				seen[s] = n.value
			}
		}
		st, ok := lookup(es, "steps")
		if !ok {
			c.report(item, path, `missing required key "steps"`)
			continue
		}
		c.phaseSteps(st, phase, join(path, "steps"))
	}
}

// stepNames collects each phase's step names before the steps are checked,
// so that a reference may name a step of a later phase.
func (c *checker) stepNames(phases []item) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	quiet := c.quiet()
	for _, p := range phases {
		es, ok := quiet.mapping(p.value, p.at, "", "")
		if !ok {
			continue
		}
		n, _ := lookup(es, "name")
		phase, ok := scalar(n.value)
		if !ok {
			continue
		}
		if out[phase] == nil {
			out[phase] = map[string]bool{}
		}
		st, _ := lookup(es, "steps")
		s, ok := st.value.(*ast.SequenceNode)
		if !ok {
			continue
		}
		for _, item := range s.Values {
			ses, ok := quiet.mapping(quiet.deref(item), item, "", "")
			if !ok {
				continue
			}
			sn, _ := lookup(ses, "name")
			if name, ok := scalar(sn.value); ok {
				out[phase][name] = true
			}
		}
	}
	return out
}

func (c *checker) phaseSteps(e entry, phase, path string) {
	items, ok := c.sequence(e.value, e.keyAt, path, "a list of steps")
	if !ok {
		return
	}
	if len(items) == 0 {
		c.report(e.value, path, "must list at least one step")
		return
	}
	// AWSTOE requires step names to be unique within a phase, not across
	// phases: AWS's own examples reuse a step name in build and validate.
	names := map[string]ast.Node{}
	loops := map[string]ast.Node{}
	for i, it := range items {
		c.step(it, phase, index(path, i), names, loops)
	}
}

func (c *checker) step(it item, phase, path string, names, loops map[string]ast.Node) {
	n := it.value
	es, ok := c.mapping(n, it.at, path, "a mapping of name, action and inputs")
	if !ok {
		return
	}
	c.checkKeys(es, path, stepKeys)
	var st step
	if e, ok := lookup(es, "name"); !ok {
		c.report(n, path, `missing required key "name"`)
	} else if s, ok := c.scalarField(e, join(path, "name")); ok {
		st.name = s
		switch prev, dup := names[s]; {
		case s == "":
			c.report(e.value, join(path, "name"), "must not be empty")
		case dup:
			line, col := position(prev)
			c.report(e.value, join(path, "name"), "step %q is already defined at %d:%d; step names must be unique within a phase", s, line, col)
		default:
			names[s] = e.value
		}
	}
	if e, ok := lookup(es, "timeoutSeconds"); ok {
		if v, ok := intValue(e.value); !ok || v == 0 || v < -1 {
			c.report(orAt(e.value, e.keyAt), join(path, "timeoutSeconds"),
				"must be a whole number of seconds, at least 1, or -1 for no timeout; found %s", describe(e.value))
		}
	}
	if e, ok := lookup(es, "maxAttempts"); ok {
		if v, ok := intValue(e.value); !ok || v < 1 {
			c.report(orAt(e.value, e.keyAt), join(path, "maxAttempts"), "must be a whole number, at least 1; found %s", describe(e.value))
		}
	}
	if e, ok := lookup(es, "onFailure"); ok {
		if s, ok := scalar(e.value); !ok || !slices.Contains(onFailure, s) {
			c.report(orAt(e.value, e.keyAt), join(path, "onFailure"), "must be Abort, Continue or Ignore; found %s", describe(e.value))
		}
	}
	// The condition's operators are AWSTOE's to evaluate; only an empty
	// condition is certainly wrong.
	if e, ok := lookup(es, "if"); ok && e.value == nil {
		c.report(e.keyAt, join(path, "if"), "needs a condition")
	}
	if e, ok := lookup(es, "loop"); ok {
		st.hasLoop = true
		st.loopName = c.loop(e, join(path, "loop"), loops)
		c.references(e.value, phase, st, join(path, "loop"))
	}
	action, ok := lookup(es, "action")
	if !ok {
		c.report(n, path, `missing required key "action"`)
	} else if s, ok := c.scalarField(action, join(path, "action")); ok {
		inputs, has := lookup(es, "inputs")
		c.action(s, action, inputs, has, n, path)
	}
	if e, ok := lookup(es, "inputs"); ok {
		c.references(e.value, phase, st, join(path, "inputs"))
	}
}

// loop checks a step's loop: exactly one of for and forEach, and an
// optional name unique among the loops of the phase. It returns the name.
func (c *checker) loop(e entry, path string, loops map[string]ast.Node) string {
	es, ok := c.mapping(e.value, e.keyAt, path, "a mapping of for or forEach, and an optional name")
	if !ok {
		return ""
	}
	c.checkKeys(es, path, []string{"name", "for", "forEach"})
	name := ""
	if n, ok := lookup(es, "name"); ok {
		if s, ok := c.scalarField(n, join(path, "name")); ok && s != "" {
			name = s
			if prev, dup := loops[s]; dup {
				line, col := position(prev)
				c.report(n.value, join(path, "name"), "loop %q is already defined at %d:%d; loop names must be unique within a phase", s, line, col)
			} else {
				loops[s] = n.value
			}
		}
	}
	forE, hasFor := lookup(es, "for")
	each, hasEach := lookup(es, "forEach")
	switch {
	case hasFor && hasEach:
		c.report(e.value, path, "must have one of for and forEach, not both")
	case hasFor:
		c.forLoop(forE, join(path, "for"))
	case hasEach:
		c.forEachLoop(each, join(path, "forEach"))
	default:
		c.report(orAt(e.value, e.keyAt), path, "must have for or forEach")
	}
	return name
}

func (c *checker) forLoop(e entry, path string) {
	es, ok := c.mapping(e.value, e.keyAt, path, "a mapping of start, end and updateBy")
	if !ok {
		return
	}
	c.checkKeys(es, path, []string{"start", "end", "updateBy"})
	vals := map[string]int64{}
	for _, key := range []string{"start", "end", "updateBy"} {
		f, ok := lookup(es, key)
		if !ok {
			c.report(e.value, path, "missing required key %q", key)
			continue
		}
		// AWSTOE takes no references here: the bounds must be literal.
		v, ok := intValue(f.value)
		if !ok {
			c.report(orAt(f.value, f.keyAt), join(path, key), "must be a whole number, found %s", describe(f.value))
			continue
		}
		vals[key] = v
	}
	start, hasStart := vals["start"]
	end, hasEnd := vals["end"]
	by, hasBy := vals["updateBy"]
	switch {
	case !hasBy:
	case by == 0:
		f, _ := lookup(es, "updateBy")
		c.report(f.value, join(path, "updateBy"), "must not be 0")
	case hasStart && hasEnd && (end > start && by < 0 || end < start && by > 0):
		f, _ := lookup(es, "updateBy")
		c.report(f.value, join(path, "updateBy"),
			"%d never takes the loop from %d to %d; AWSTOE rejects loops that do not end", by, start, end)
	}
}

// forEachLoop checks a forEach loop: a non-empty list of strings, or a
// delimited list {list, delimiter}.
func (c *checker) forEachLoop(e entry, path string) {
	switch v := e.value.(type) {
	case *ast.SequenceNode:
		if len(v.Values) == 0 {
			c.report(v, path, "must list at least one value")
		}
		for i, item := range v.Values {
			if _, ok := scalar(c.deref(item)); !ok {
				c.report(orAt(c.deref(item), item), index(path, i), "must be a string, found %s", describe(c.deref(item)))
			}
		}
	case *ast.MappingNode:
		es, _ := c.mapping(v, e.keyAt, path, "")
		c.checkKeys(es, path, []string{"list", "delimiter"})
		if l, ok := lookup(es, "list"); !ok {
			c.report(v, path, `missing required key "list"`)
		} else {
			c.scalarField(l, join(path, "list"))
		}
		if d, ok := lookup(es, "delimiter"); ok {
			if s, ok := scalar(d.value); !ok || len(s) != 1 || !strings.Contains(".,;:\n\t -_", s) {
				c.report(orAt(d.value, d.keyAt), join(path, "delimiter"),
					"must be one character of . , ; : - _, space, tab or newline; found %s", describe(d.value))
			}
		}
	default:
		c.report(orAt(e.value, e.keyAt), path, "must be a list of values or a mapping of list and delimiter, found %s", describe(e.value))
	}
}
