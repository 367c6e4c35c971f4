package component

import (
	"regexp"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// referencePattern finds {{ expression }} references; AWSTOE trims the
// spaces inside the braces.
var referencePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{(.*?)\}\}`) })

func hasReference(s string) bool { return strings.Contains(s, "{{") }

// references checks every {{ reference }} in the strings below n (a
// step's inputs or loop).
func (c *checker) references(n ast.Node, phase string, st step, path string) {
	n = c.deref(n)
	switch v := n.(type) {
	case *ast.MappingNode:
		quiet := c.quiet()
		es, _ := quiet.mapping(v, v, path, "")
		for _, e := range es {
			c.references(e.value, phase, st, join(path, e.key))
		}
	case *ast.SequenceNode:
		for i, item := range v.Values {
			c.references(item, phase, st, index(path, i))
		}
	case *ast.StringNode, *ast.LiteralNode:
		s, _ := scalar(v)
		for _, m := range referencePattern().FindAllStringSubmatch(s, -1) {
			if msg := c.checkReference(strings.TrimSpace(m[1]), phase, st); msg != "" {
				c.report(v, path, "%s", msg)
			}
		}
	}
}

// checkReference returns what is wrong with one reference, or "".
func (c *checker) checkReference(expr, phase string, st step) string {
	ref := "{{ " + expr + " }}"
	if expr == "" {
		return "empty reference {{ }}"
	}
	segs := strings.Split(expr, ".")
	if len(segs) == 1 {
		if _, ok := c.declared(expr); ok {
			return ""
		}
		for name := range c.vars {
			if strings.EqualFold(name, expr) {
				return ref + " names no parameter or constant; references are case-sensitive: did you mean {{ " + name + " }}?"
			}
		}
		return ref + " names no parameter or constant; declare it under parameters or constants"
	}
	head := stripIndex(segs[0])
	switch {
	case head == "loop" || st.loopName != "" && head == st.loopName:
		if !st.hasLoop {
			return ref + " is used in a step without a loop; AWSTOE would leave it unresolved"
		}
		if len(segs) != 2 || segs[1] != "index" && segs[1] != "value" {
			return ref + " must be " + head + ".index or " + head + ".value"
		}
		return ""
	case c.steps[head] != nil:
		if len(segs) < 3 {
			return ref + " must name a step's inputs or outputs: {{ " + head + ".<step>.outputs.<name> }}"
		}
		stepName := stripIndex(segs[1])
		if !c.steps[head][stepName] {
			return ref + " names no step " + quoteName(stepName) + " in phase " + quoteName(head)
		}
		if io := stripIndex(segs[2]); io != "inputs" && io != "outputs" {
			return ref + " must continue with inputs or outputs after the step name"
		}
		return ""
	}
	return ref + " names no parameter, constant, loop or phase"
}

// stripIndex drops a trailing [n] from a reference segment.
func stripIndex(seg string) string {
	if i := strings.IndexByte(seg, '['); i >= 0 {
		return seg[:i]
	}
	return seg
}

func quoteName(s string) string { return `"` + s + `"` }
