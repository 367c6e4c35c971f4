package spec

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/winami/winami/internal/yamlinput"
	"github.com/winami/winami/pkg/inputfile"
)

// Load reads, decodes, defaults and validates the spec at path. Its error
// is Problems (every problem of the file, one a line) or, when the file
// cannot be read, the read error.
func Load(path string) (*Spec, error) { return LoadWith(path, Options{}) }

// inputLimits bound a spec before the YAML parser sees it (see
// internal/yamlinput): real specs have tens of lines.
var inputLimits = yamlinput.Limits{Lines: 10000, Depth: 64, Documents: 10}

// MaxSpecBytes is the largest spec file winami reads; real specs are a few
// KiB, and the YAML parser's cost grows faster than the input.
const MaxSpecBytes = 1 << 20

// LoadWith is Load with the caller's options.
func LoadWith(path string, opts Options) (*Spec, error) {
	data, err := inputfile.Read(path, MaxSpecBytes)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	return ParseWith(path, data, opts)
}

// Parse decodes data strictly (unknown keys and wrong types are problems),
// applies defaults, then validates. file names the spec in problems and is
// the base of relative component files. On problems it returns them all,
// in document order, as Problems.
func Parse(file string, data []byte) (*Spec, error) { return ParseWith(file, data, Options{}) }

// ParseWith is Parse with the caller's options.
func ParseWith(file string, data []byte, opts Options) (*Spec, error) {
	s, probs, _, err := parse(file, data, opts)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return s, nil
}

// parse is ParseWith, also returning the decoder's structural problems
// that the schema did not confirm (for TestShapeAgreement). err is not
// about the file: the embedded schema failed to compile.
func parse(file string, data []byte, opts Options) (_ *Spec, probs, unmatched Problems, err error) {
	s := &Spec{File: file, opts: opts}
	d := newDecoder(file)
	root, ok := d.document(data)
	if !ok {
		return nil, d.probs, nil, nil
	}
	d.decode("", root, reflect.ValueOf(s).Elem())
	// The schema decides the shape: unknown keys, wrong types, and its
	// rules on values (shape.go).
	findings, err := validateShape(root)
	if err != nil {
		return nil, nil, nil, err
	}
	structural, rules, unmatched := d.shapeProblems(findings)
	probs = append(d.probs, structural...)
	// A wrong type leaves a field at its zero value; validating that value
	// would add a second, misleading problem for the same field.
	s.pos, s.keys = d.pos, d.keys
	s.ApplyDefaults()
	skip := map[string]bool{}
	for _, p := range probs {
		skip[p.Path] = true
	}
	probs = append(probs, s.validate(skip)...)
	probs = mergeRules(file, probs, rules)
	probs.sort()
	return s, probs, unmatched, nil
}

// document parses data and returns the one document's root mapping, or
// reports why there is none.
func (d *decoder) document(data []byte) (_ ast.Node, ok bool) {
	// The YAML parser is a dependency: should some input crash it, the
	// file is still invalid, and the CLI must say so rather than go down.
	defer func() {
		if r := recover(); r != nil {
			d.problem(Pos{}, "", "invalid YAML: the parser failed: %v", r)
			ok = false
		}
	}()
	// Duplicate keys are reported by the decoder, with every other problem,
	// rather than ending the parse.
	data, err := yamlinput.Prepare(data, inputLimits)
	if err != nil {
		var le *yamlinput.Error
		if errors.As(err, &le) {
			d.problem(Pos{Line: le.Line, Column: 1}, "", "%v", err)
		} else {
			d.problem(Pos{}, "", "%v", err)
		}
		return nil, false
	}
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			d.problem(tokenPos(yerr.GetToken()), "", "invalid YAML: %s", yerr.GetMessage())
		} else {
			d.problem(Pos{}, "", "invalid YAML: %v", err)
		}
		return nil, false
	}
	var root ast.Node
	for _, body := range yamlinput.Documents(f) {
		if root != nil {
			d.problem(nodePos(body), "", "a spec file holds one YAML document; this is a second one")
			return nil, false
		}
		root = body
	}
	if root == nil {
		d.problem(Pos{}, "", "the file is empty; a spec needs at least name, region, base, kubernetes and build (see docs/spec.md)")
		return nil, false
	}
	return root, true
}

// Position returns where the field at path (e.g. "build.instanceProfile")
// is in the spec file, or, when it is not in the file, where its nearest
// present parent is; the zero Pos for a Spec not read from a file.
func (s *Spec) Position(path string) Pos { return s.pos.at(path) }

// inFile reports whether the spec file holds the field at path, so that
// an explicit zero (targetSnapshots: 0) is told apart from a field left
// out. It is false for every field of a Spec not read from a file.
func (s *Spec) inFile(path string) bool {
	_, ok := s.pos[path]
	return ok
}

// Problemf makes a Problem about the field at path, placed in the spec
// file, for checks made after Parse (preflight, plan) that want to point
// the user at the line to change.
func (s *Spec) Problemf(path, format string, args ...any) Problem {
	p := s.Position(path)
	return Problem{File: s.File, Line: p.Line, Column: p.Column, Path: path, Message: fmt.Sprintf(format, args...)}
}
