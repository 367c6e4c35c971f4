package spec

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/kaptinlin/jsonschema"

	"github.com/winami/winami/schema"
)

// The shape of a spec (which keys exist, of which JSON type, and the
// schema's rules on values) is decided by winami.schema.json through a
// maintained JSON Schema validator, kaptinlin/jsonschema: the schema users'
// editors check is the one winami checks. It was chosen for its start-up
// cost: its package initialisation is near zero (santhosh-tekuri/jsonschema
// compiles every draft's metaschema in init(), about 3 ms and 1.7 MB at
// every start of winami), and the schema is compiled here, on each spec
// load (about 3 ms), not at start-up. This file turns the validator's
// findings into Problems at the YAML's file:line:col; the wording of the
// structural ones (unknown key, wrong type) is the decoder's, and semantic
// rules stay in validate*.go.

// shapeFinding is one place where the document breaks the schema.
type shapeFinding struct {
	path string
	pos  Pos
	// structural findings are an unknown key or a wrong type: nothing
	// else can explain them.
	structural bool
	unknownKey bool
	// keyword is the schema keyword that failed; for "type", expected and
	// received are the JSON types.
	keyword            string
	expected, received string
	message            string
}

// validateShape checks the document against the schema.
func validateShape(root ast.Node) ([]shapeFinding, error) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schema.WinamiSpec())
	if err != nil {
		return nil, fmt.Errorf("compiling winami.schema.json: %w", err)
	}
	conv := &toInstance{anchors: map[string]ast.Node{}}
	inst := conv.value(root, 0)
	res := sch.Validate(inst)
	if res.IsValid() {
		return nil, nil
	}
	w := &shapeWalker{root: root, conv: conv}
	w.walk(res, nil)
	return w.out, nil
}

// toInstance converts the YAML AST to the value JSON decoding would give,
// as the decoder reads it: aliases resolved, !!str scalars as text, a key
// whose value is null left out (null is "not given"), numbers as numbers.
type toInstance struct{ anchors map[string]ast.Node }

func (c *toInstance) value(n ast.Node, depth int) any {
	if depth > 64 {
		return nil
	}
	n, forceString := c.resolve(n)
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.MappingNode, *ast.MappingValueNode:
		pairs, _ := mappingPairs(t)
		out := make(map[string]any, len(pairs))
		for _, mv := range pairs {
			k, ok := mv.Key.(ast.ScalarNode)
			if _, merge := mv.Key.(*ast.MergeKeyNode); !ok || merge {
				continue // the decoder reports it
			}
			if _, null := k.(*ast.NullNode); null {
				continue
			}
			name := k.GetToken().Value
			if _, dup := out[name]; dup {
				continue // the decoder reports the duplicate
			}
			if v, _ := c.resolve(mv.Value); v == nil || isNull(v) {
				continue
			}
			out[name] = c.value(mv.Value, depth+1)
		}
		return out
	case *ast.SequenceNode:
		out := make([]any, len(t.Values))
		for i, v := range t.Values {
			out[i] = c.value(v, depth+1)
		}
		return out
	case *ast.StringNode:
		return t.Value
	case *ast.LiteralNode:
		return t.Value.Value
	case *ast.BoolNode:
		if forceString {
			return t.GetToken().Value
		}
		return t.Value
	case *ast.IntegerNode:
		if forceString {
			return t.GetToken().Value
		}
		switch i := t.Value.(type) {
		case int64:
			return i
		case uint64:
			return i
		}
		return t.GetToken().Value
	case *ast.FloatNode:
		if forceString || math.IsInf(t.Value, 0) || math.IsNaN(t.Value) {
			return t.GetToken().Value
		}
		return t.Value
	}
	// Infinity, NaN and anything else: the text as written.
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return nil
}

func isNull(n ast.Node) bool { _, ok := n.(*ast.NullNode); return ok }

// resolve follows anchors, aliases and tags as the decoder does; an alias
// to no anchor is nil (the decoder reports it).
func (c *toInstance) resolve(n ast.Node) (_ ast.Node, forceString bool) {
	target, forceString, _, _ := resolveNode(c.anchors, n)
	return target, forceString
}

// shapeWalker collects the leaves of the validator's result tree.
type shapeWalker struct {
	root ast.Node
	conv *toInstance // its anchors, to follow aliases
	out  []shapeFinding
}

func (w *shapeWalker) walk(r *jsonschema.EvaluationResult, segs []string) {
	if loc := r.InstanceLocation; loc != "" {
		segs = append(segs[:len(segs):len(segs)], strings.TrimPrefix(loc, "/"))
	}
	for kw, e := range r.Errors {
		switch kw {
		case "properties", "items", "prefixItems", "patternProperties", "additionalProperties", "propertyNames", "$ref", "allOf":
			// Summaries of their sub-results, which are walked.
			continue
		}
		f := shapeFinding{keyword: kw, message: e.Error()}
		switch kw {
		case "schema":
			f.structural = strings.HasPrefix(r.EvaluationPath, "/additionalProperties/")
			f.unknownKey = f.structural
		case "type":
			f.structural = true
			f.expected, _ = e.Params["expected"].(string)
			f.received, _ = e.Params["received"].(string)
		}
		w.add(segs, f)
	}
	for _, d := range r.Details {
		if !d.Valid && !isBranch(d.EvaluationPath) {
			w.walk(d, segs)
		}
	}
}

// isBranch reports whether an evaluation path is inside an applicator whose
// sub-results are not problems in themselves (a failed oneOf branch, the
// inside of a not): the applicator's own error says what is wrong.
func isBranch(evalPath string) bool {
	for _, p := range []string{"/not", "/oneOf", "/anyOf", "/allOf", "/if", "/then", "/else"} {
		if evalPath == p || strings.HasPrefix(evalPath, p+"/") {
			return true
		}
	}
	return false
}

// add places a finding at the node segs lead to (the key, for an unknown
// key), naming it with the decoder's paths.
func (w *shapeWalker) add(segs []string, f shapeFinding) {
	path, node, key := "", w.root, ast.Node(nil)
	for _, s := range segs {
		node, _ = w.conv.resolve(node)
		switch t := node.(type) {
		case *ast.SequenceNode:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(t.Values) {
				node = nil
				break
			}
			path, node, key = fmt.Sprintf("%s[%d]", path, i), t.Values[i], nil
		default:
			pairs, _ := mappingPairs(node)
			var next *ast.MappingValueNode
			for _, mv := range pairs {
				if k, ok := mv.Key.(ast.ScalarNode); ok && k.GetToken().Value == s {
					next = mv
					break
				}
			}
			path = keyPath(path, s)
			if next == nil {
				node = nil
				break
			}
			node, key = next.Value, next.Key
		}
		if node == nil {
			break
		}
	}
	if r, _ := w.conv.resolve(node); (node == nil || r == nil || isNull(r)) && f.keyword == "type" {
		// The validator also checks a required key that is absent, as
		// null: that is the required rule's finding, not a wrong type.
		f.structural, f.keyword = false, "required"
	}
	var pos Pos
	switch {
	case f.unknownKey && key != nil:
		pos = nodePos(key)
	case node != nil:
		// Where the decoder places a value: past anchors and aliases.
		if n, _ := w.conv.resolve(node); n != nil {
			node = n
		}
		pos = nodePos(node)
	}
	f.path, f.pos = path, pos
	w.out = append(w.out, f)
}

// shapeProblems turns the schema's findings into problems, in two groups:
// structural ones (worded by the decoder when it met them too), and the
// schema's other rules, which only count where the semantic checks say
// nothing about the field (see mergeRules). unmatched are the decoder's
// structural problems the schema did not confirm: none, as long as the
// schema and the types agree (TestShapeAgreement).
func (d *decoder) shapeProblems(findings []shapeFinding) (structural Problems, rules []shapeFinding, unmatched Problems) {
	used := make([]bool, len(d.pending))
	for _, f := range findings {
		if !f.structural {
			rules = append(rules, f)
			continue
		}
		i := d.matchPending(f, used)
		if i < 0 {
			if !d.explains(f) {
				structural = append(structural, Problem{File: d.file, Line: f.pos.Line, Column: f.pos.Column, Path: f.path, Message: f.fallback()})
			}
			continue
		}
		if !used[i] {
			used[i] = true
			structural = append(structural, d.pending[i])
		}
	}
	for i, p := range d.pending {
		if !used[i] {
			unmatched = append(unmatched, p)
		}
	}
	return structural, rules, unmatched
}

// matchPending finds the decoder's problem at the finding's place: the
// same position, and the same path unless the key is unknown (the decoder
// joins an odd key with ".", the schema walk quotes it).
func (d *decoder) matchPending(f shapeFinding, used []bool) int {
	found := -1
	for i, p := range d.pending {
		if p.Line != f.pos.Line || p.Column != f.pos.Column || (p.Path != f.path && !f.unknownKey) {
			continue
		}
		if !used[i] {
			return i
		}
		found = i
	}
	return found
}

// explains reports whether the decoder already accounts for a structural
// finding it did not record: YAML reads a number (or a !!str scalar) as
// text where text is wanted (windows: 2022, osBuild: 10.0.1.2 is text to
// winami; a JSON reading of the same YAML is a number), or it reported a
// problem of its own there (80.5 is not a whole number).
func (d *decoder) explains(f shapeFinding) bool {
	if f.keyword == "type" && slices.Contains(strings.Split(f.expected, ", "), "string") &&
		(f.received == "number" || f.received == "integer" || f.received == "boolean") {
		return true
	}
	for _, p := range d.probs {
		if p.Path == f.path {
			return true
		}
	}
	return false
}

// fallback words a structural finding the decoder did not meet (the
// schema and the types disagree; TestShapeAgreement keeps that from
// happening): plainly, from the schema's message.
func (f shapeFinding) fallback() string {
	if f.unknownKey {
		return "unknown key"
	}
	return fmt.Sprintf("%s is not allowed here; want %s", f.received, f.expected)
}

// structureRules are the schema's keywords about which keys a mapping
// has (as opposed to what values may be): a spec breaking one is reported
// even where the semantic checks miss it. Rules on values (pattern, enum,
// minimum, …) are the semantic checks' alone: they hold the AWS rules and
// accept what winami deliberately reads (edition CORE, windows ltsc2022)
// where the schema, written for editors' completion, is stricter.
func structureRule(keyword string) bool {
	switch keyword {
	case "required", "dependentRequired", "oneOf", "not":
		return true
	}
	return false
}

// mergeRules adds the schema's structure findings about fields no problem
// is about yet (nor a parent or child of theirs): the semantic checks
// explain the same rule better, with the fix, where they see it.
func mergeRules(file string, probs Problems, rules []shapeFinding) Problems {
	related := func(a, b string) bool {
		return a == b || a == "" || b == "" || isUnder(a, b) || isUnder(b, a)
	}
	out := probs
	for _, f := range rules {
		if !structureRule(f.keyword) {
			continue
		}
		seen := false
		for _, p := range out {
			if related(p.Path, f.path) {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, Problem{File: file, Line: f.pos.Line, Column: f.pos.Column, Path: f.path, Message: f.message})
		}
	}
	return out
}

// isUnder reports whether path is a field inside parent.
func isUnder(path, parent string) bool {
	for p := parentPath(path); ; p = parentPath(p) {
		if p == parent {
			return true
		}
		if p == "" {
			return false
		}
	}
}
