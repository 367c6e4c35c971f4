package spec

import (
	"fmt"
	"github.com/winami/winami/internal/textdist"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// decoder fills the typed Spec from goccy/go-yaml's AST by reflection over
// the yaml tags. It walks the AST itself, rather than using yaml.Strict(),
// because the library's decoder stops at the first problem and words its
// errors in Go terms; this one reports every unknown key and wrong type of
// a file, in the user's terms, and records where each field is so that
// validation can point at it.
type decoder struct {
	file    string
	pos     positions
	keys    positions // where map keys are, for problems about a key
	probs   Problems
	anchors map[string]ast.Node
	// onlyKnown makes the decoder skip keys its type does not have, rather
	// than report them: ParseHeader reads four keys of a whole spec.
	onlyKnown bool
	// pending are the structural problems the decoder met (an unknown key,
	// a wrong type), in its words; the schema decides which are problems
	// (see shape.go), and they are reported with the decoder's wording.
	pending []Problem
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: positions{}, keys: positions{}, anchors: map[string]ast.Node{}}
}

func (d *decoder) problem(p Pos, path, format string, args ...any) {
	d.probs = append(d.probs, Problem{File: d.file, Line: p.Line, Column: p.Column, Path: path, Message: fmt.Sprintf(format, shortArgs(args)...)})
}

// structural records a problem that the schema also sees (an unknown key,
// a value of the wrong JSON type): the schema, not the decoder, decides
// whether it is one; the decoder only words it.
func (d *decoder) structural(p Pos, path, format string, args ...any) {
	d.pending = append(d.pending, Problem{File: d.file, Line: p.Line, Column: p.Column, Path: path, Message: fmt.Sprintf(format, shortArgs(args)...)})
}

// decode fills v (settable) from n; path names v in problems.
func (d *decoder) decode(path string, n ast.Node, v reflect.Value) {
	n, forceString := d.resolve(path, n)
	if n == nil {
		return
	}
	if _, null := n.(*ast.NullNode); null {
		// Null is "not given": the caller has recorded the key's place.
		return
	}
	p := nodePos(n)
	d.pos[path] = p
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		d.decode(path, n, elem.Elem())
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(path, n, v)
	case reflect.Slice:
		d.decodeSlice(path, n, v)
	case reflect.Map:
		d.decodeMap(path, n, v)
	case reflect.String:
		if s, ok := d.scalarString(path, n, forceString); ok {
			v.SetString(s)
		}
	case reflect.Int:
		if i, ok := d.scalarInt(path, n); ok {
			v.SetInt(int64(i))
		}
	case reflect.Bool:
		if b, ok := n.(*ast.BoolNode); ok {
			v.SetBool(b.Value)
		} else {
			d.structural(p, path, "%s is not a boolean; use true or false", describe(n))
		}
	default:
		// Only reachable if types.go gains a field kind this decoder does
		// not know; the schema test decodes every kind, so it would fail.
		d.problem(p, path, "winami cannot decode a %s field", v.Kind())
	}
}

// resolve looks through anchors, aliases and tags to the node that holds
// the value. forceString is set by an explicit !!str tag.
func (d *decoder) resolve(path string, n ast.Node) (_ ast.Node, forceString bool) {
	target, forceString, bad, why := resolveNode(d.anchors, n)
	if target == nil {
		d.problem(nodePos(bad), path, "%s", why)
	}
	return target, forceString
}

// resolveNode looks through anchors (recording them in anchors), aliases
// and tags to the node that holds a value: the one rule the decoder and the
// schema's instance (shape.go) read YAML by. When it finds none it returns
// the node at fault and why.
func resolveNode(anchors map[string]ast.Node, n ast.Node) (target ast.Node, forceString bool, bad ast.Node, why string) {
	for range 64 { // bounded: an alias cannot lead back to itself forever
		switch t := n.(type) {
		case *ast.AnchorNode:
			if t.Name != nil {
				anchors[t.Name.GetToken().Value] = t.Value
			}
			n = t.Value
		case *ast.AliasNode:
			name := ""
			if t.Value != nil {
				name = t.Value.GetToken().Value
			}
			target, ok := anchors[name]
			if !ok {
				return nil, false, t, fmt.Sprintf("alias *%s refers to no anchor defined before it", name)
			}
			n = target
		case *ast.TagNode:
			forceString = forceString || t.Start.Value == "!!str"
			n = t.Value
		default:
			return n, forceString, nil, ""
		}
	}
	return nil, false, n, "anchors and aliases nest too deeply"
}

// field is one yaml-tagged struct field.
type field struct {
	name     string
	index    int
	required bool // no omitempty: the key must be given
}

// yamlFields lists the yaml keys of a struct type in declaration order,
// skipping unexported fields and yaml:"-".
func yamlFields(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("yaml")
		if !sf.IsExported() || !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fs = append(fs, field{name: name, index: i, required: !strings.Contains(opts, "omitempty")})
	}
	return fs
}

func (d *decoder) decodeStruct(path string, n ast.Node, v reflect.Value) {
	pairs, ok := mappingPairs(n)
	if !ok {
		d.structural(nodePos(n), path, "%s is not a mapping; want keys %s", describe(n), fieldNames(yamlFields(v.Type())))
		return
	}
	fields := yamlFields(v.Type())
	seen := map[string]Pos{}
	for _, mv := range pairs {
		name, kp, ok := d.key(path, mv)
		if !ok {
			continue
		}
		if _, known := lookupField(fields, name); !known && d.onlyKnown {
			continue
		}
		fp := joinPath(path, name)
		if first, dup := seen[name]; dup {
			d.problem(kp, fp, "duplicate key; it is first given at line %d", first.Line)
			continue
		}
		seen[name] = kp
		f, known := lookupField(fields, name)
		if !known {
			d.structural(kp, fp, "%s", unknownKey(name, fields))
			continue
		}
		d.pos[fp], d.keys[fp] = kp, kp
		d.decode(fp, mv.Value, v.Field(f.index))
	}
}

// key returns a mapping entry's key as text, or reports why it cannot be one.
func (d *decoder) key(path string, mv *ast.MappingValueNode) (string, Pos, bool) {
	kp := nodePos(mv.Key)
	switch k := mv.Key.(type) {
	case *ast.MergeKeyNode:
		d.problem(kp, path, "merge keys (<<) are not supported; write the keys out")
		return "", kp, false
	case ast.ScalarNode:
		if _, null := k.(*ast.NullNode); !null {
			return k.GetToken().Value, kp, true
		}
	}
	d.problem(kp, path, "%s is not a valid key; keys are plain text", describe(mv.Key))
	return "", kp, false
}

func (d *decoder) decodeSlice(path string, n ast.Node, v reflect.Value) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.structural(nodePos(n), path, "%s is not a list; write [a, b] or one \"- item\" a line", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, item := range seq.Values {
		ip := fmt.Sprintf("%s[%d]", path, i)
		d.pos[ip] = nodePos(item)
		d.decode(ip, item, out.Index(i))
	}
	v.Set(out)
}

func (d *decoder) decodeMap(path string, n ast.Node, v reflect.Value) {
	pairs, ok := mappingPairs(n)
	if !ok {
		d.structural(nodePos(n), path, "%s is not a mapping; want key: value pairs", describe(n))
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(pairs))
	seen := map[string]Pos{}
	for _, mv := range pairs {
		name, kp, ok := d.key(path, mv)
		if !ok {
			continue
		}
		ep := keyPath(path, name)
		if first, dup := seen[name]; dup {
			d.problem(kp, ep, "duplicate key; it is first given at line %d", first.Line)
			continue
		}
		seen[name] = kp
		d.pos[ep], d.keys[ep] = kp, kp
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(ep, mv.Value, elem)
		out.SetMapIndex(reflect.ValueOf(name), elem)
	}
	v.Set(out)
}

// scalarString accepts text, and numbers as written (so that windows: 2022
// and version: 1.30 keep their digits; 1.30 as a float would be 1.3).
func (d *decoder) scalarString(path string, n ast.Node, forceString bool) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		return t.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	case *ast.BoolNode:
		if forceString {
			return n.GetToken().Value, true
		}
		d.structural(nodePos(n), path, "%s is a boolean, not text; quote it (\"%s\") if you mean the text", describe(n), n.GetToken().Value)
		return "", false
	}
	d.structural(nodePos(n), path, "%s is not text", describe(n))
	return "", false
}

func (d *decoder) scalarInt(path string, n ast.Node) (int, bool) {
	switch t := n.(type) {
	case *ast.IntegerNode:
		switch i := t.Value.(type) {
		case int64:
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int(i), true
			}
		case uint64:
			if i <= math.MaxInt32 {
				return int(i), true
			}
		}
		d.problem(nodePos(n), path, "%s is too large", describe(n))
		return 0, false
	case *ast.FloatNode:
		d.problem(nodePos(n), path, "%s is not a whole number", describe(n))
		return 0, false
	case *ast.StringNode:
		if _, err := strconv.Atoi(t.Value); err == nil {
			d.structural(nodePos(n), path, "%s is text, not a number; write it without quotes", describe(n))
			return 0, false
		}
	}
	d.structural(nodePos(n), path, "%s is not a number", describe(n))
	return 0, false
}

// mappingPairs returns the entries of a mapping; goccy/go-yaml gives a
// one-entry mapping as a bare MappingValueNode.
func mappingPairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch t := n.(type) {
	case *ast.MappingNode:
		return t.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}, true
	}
	return nil, false
}

// nodePos is where a node starts: a block mapping at its first key (its
// own token is the first ':'), anything else at its first token.
func nodePos(n ast.Node) Pos {
	if pairs, ok := mappingPairs(n); ok && len(pairs) > 0 {
		if m, flow := n.(*ast.MappingNode); !flow || !m.IsFlowStyle {
			return nodePos(pairs[0].Key)
		}
	}
	return tokenPos(n.GetToken())
}

func tokenPos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{Line: tk.Position.Line, Column: tk.Position.Column}
}

// describe names what the user wrote, for "X is not a Y" messages.
func describe(n ast.Node) string {
	switch t := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return quoteShort(t.Value)
	case *ast.LiteralNode:
		return quoteShort(t.Value.Value)
	case *ast.NullNode:
		return "null"
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return "this value"
}

// quoteShort quotes s, shortened so that a pasted document does not flood
// the message.
func quoteShort(s string) string {
	const limit = 60
	if r := []rune(s); len(r) > limit {
		return strconv.Quote(string(r[:limit])) + "…"
	}
	return strconv.Quote(s)
}

func lookupField(fs []field, name string) (field, bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func fieldNames(fs []field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// unknownKey words the problem of a key the type does not have: the close
// match if there is one (a case slip or a typo), else every allowed key.
func unknownKey(name string, fs []field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	// A case slip is distance 0, so it wins; else at most two edits away.
	if best := textdist.Closest(name, names, 3); best != "" {
		return "unknown key; did you mean " + best + "?"
	}
	return "unknown key; allowed keys are " + fieldNames(fs)
}

// joinPath appends a struct key to a path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// keyPath appends a map key (a tag key, a parameter name): plain keys as
// ".key", others quoted, so that the path stays readable and unambiguous.
func keyPath(path, key string) string {
	plain := key != ""
	for _, c := range key {
		if !(c == '_' || c == '-' || c == ':' || c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return joinPath(path, key)
	}
	return fmt.Sprintf("%s[%q]", path, key)
}
