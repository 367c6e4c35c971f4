package component

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// entry is one key of a YAML mapping, with the nodes that hold it.
type entry struct {
	key   string
	keyAt ast.Node
	value ast.Node // dereferenced; nil for an empty value
}

// deref follows what stands between a node and its value: anchors, tags
// and aliases (to the anchored value). An alias to an unknown anchor is
// reported and yields nil.
func (c *checker) deref(n ast.Node) ast.Node {
	for range 64 { // anchors may chain; a cycle must not hang the validator
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			name := aliasName(v)
			target, ok := c.anchors[name]
			switch {
			case !ok:
				c.report(v, "", "unknown anchor %q", name)
				return nil
			case c.aliases.recursive[name]:
				return nil // reported once, where the anchor refers to itself
			}
			c.aliases.expanded++
			if c.aliases.expanded > maxAliasExpansions {
				if !c.aliases.tooMany {
					c.aliases.tooMany = true
					c.report(v, "", "aliases expand to more than %d nodes; a component does not need this many", maxAliasExpansions)
				}
				return nil
			}
			n = target
		case *ast.NullNode:
			return nil
		default:
			return n
		}
	}
	return nil
}

func aliasName(a *ast.AliasNode) string {
	if a.Value == nil {
		return ""
	}
	return a.Value.GetToken().Value
}

// maxAliasExpansions bounds how often aliases are followed in one
// document, so that nested aliases ("billion laughs") cannot make
// validation take exponential time.
const maxAliasExpansions = 10000

// aliasState is shared by a checker and its quiet helpers.
type aliasState struct {
	// recursive are anchors whose value holds an alias to themselves.
	recursive map[string]bool
	expanded  int
	tooMany   bool
}

// collectAnchors records every anchor of the document, so that aliases
// resolve wherever they are, and reports anchors that contain themselves,
// which would otherwise expand for ever.
func (c *checker) collectAnchors(root ast.Node) {
	var anchors []*ast.AnchorNode
	ast.Walk(visitFunc(func(n ast.Node) {
		if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil {
			c.anchors[a.Name.GetToken().Value] = a.Value
			anchors = append(anchors, a)
		}
	}), root)
	for _, a := range anchors {
		name := a.Name.GetToken().Value
		ast.Walk(visitFunc(func(n ast.Node) {
			if al, ok := n.(*ast.AliasNode); ok && aliasName(al) == name && !c.aliases.recursive[name] {
				c.aliases.recursive[name] = true
				c.report(al, "", "alias *%s is inside the anchor &%s it refers to", name, name)
			}
		}), a.Value)
	}
}

type visitFunc func(ast.Node)

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	f(n)
	return f
}

// quiet is a checker that shares this one's anchors and alias state but
// keeps its problems to itself: for looking ahead in the document.
func (c *checker) quiet() *checker {
	return &checker{anchors: c.anchors, aliases: c.aliases}
}

// mapping returns a mapping's entries in document order, with YAML merge
// keys (<<: *anchor) expanded below the keys written out. It reports n
// when it is not a mapping, at n or, when n is empty, at at; what names
// what was expected.
func (c *checker) mapping(n, at ast.Node, path, what string) ([]entry, bool) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		c.report(orAt(n, at), path, "must be %s, found %s", what, describe(n))
		return nil, false
	}
	var out, merged []entry
	for _, mv := range m.Values {
		key := mv.Key
		if mk, ok := key.(*ast.MappingKeyNode); ok {
			if inner, ok := mk.Value.(ast.MapKeyNode); ok {
				key = inner
			}
		}
		if _, isMerge := key.(*ast.MergeKeyNode); isMerge {
			src := c.deref(mv.Value)
			if sm, ok := src.(*ast.MappingNode); ok {
				es, _ := c.mapping(sm, at, path, what)
				merged = append(merged, es...)
			}
			continue
		}
		out = append(out, entry{key: keyText(key), keyAt: key, value: c.deref(mv.Value)})
	}
	for _, e := range merged {
		if !hasKey(out, e.key) {
			out = append(out, e)
		}
	}
	return out, true
}

func keyText(k ast.Node) string {
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value
	case nil:
		return ""
	}
	return k.GetToken().Value
}

func hasKey(es []entry, key string) bool {
	for _, e := range es {
		if e.key == key {
			return true
		}
	}
	return false
}

func lookup(es []entry, key string) (entry, bool) {
	for _, e := range es {
		if e.key == key {
			return e, true
		}
	}
	return entry{}, false
}

// item is one entry of a sequence: its value, dereferenced (nil when
// empty), and where it is written.
type item struct {
	at    ast.Node
	value ast.Node
}

// sequence returns a sequence's items; like mapping, it reports anything
// else at n or at.
func (c *checker) sequence(n, at ast.Node, path, what string) ([]item, bool) {
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		c.report(orAt(n, at), path, "must be %s, found %s", what, describe(n))
		return nil, false
	}
	out := make([]item, 0, len(s.Values))
	for _, v := range s.Values {
		out = append(out, item{at: v, value: c.deref(v)})
	}
	return out, true
}

// scalar is the text of a scalar node as a YAML library decoding into a
// Go string would see it: quoted or not, numbers and booleans included.
// ok is false for null, mappings and sequences.
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// intValue is an integer node's value.
func intValue(n ast.Node) (int64, bool) {
	v, ok := n.(*ast.IntegerNode)
	if !ok {
		return 0, false
	}
	switch i := v.Value.(type) {
	case int64:
		return i, true
	case uint64:
		if i <= 1<<63-1 {
			return int64(i), true
		}
	}
	return 0, false
}

// describe names a node's kind for messages: "a mapping", "the number 3".
func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil:
		return "nothing"
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		s, _ := scalar(v)
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("the string %q", s)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "the number " + v.GetToken().Value
	case *ast.BoolNode:
		return "the boolean " + v.GetToken().Value
	}
	return "a " + n.Type().String()
}

// position is where a node starts: a mapping at its first key (its own
// token is the first colon), anything else at its token.
func position(n ast.Node) (line, col int) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil && !m.IsFlowStyle {
		n = m.Values[0].Key
	}
	if n == nil {
		return 0, 0
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// orAt is n, or at when n is empty: where to report a problem with a value
// that may be missing.
func orAt(n, at ast.Node) ast.Node {
	if n == nil {
		return at
	}
	return n
}
