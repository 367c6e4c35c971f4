// Package component is AWSTOE component documents: parsing and validating
// them (schemaVersion, phases, steps, actions, inputs), generating the ones
// winami writes, and quoting values for PowerShell.
package component

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/winami/winami/internal/textdist"
	"github.com/winami/winami/internal/textsafe"
	"github.com/winami/winami/internal/yamlinput"
	"slices"
	"strings"

	yaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Problem is one thing wrong with a document, at a 1-based line and column
// (0 when the problem has no single place).
type Problem struct {
	Line, Column int
	// Path is the field path, e.g. "phases[0].steps[2].action".
	Path    string
	Message string
}

// String is "line:col: path: message", leaving out what is unknown, on
// one line: control characters from the document are escaped.
func (p Problem) String() string { return textsafe.Escape(p.raw()) }

func (p Problem) raw() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", p.Line, p.Column)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Validate checks an AWSTOE document and returns every problem found, in
// document order; none means Image Builder and AWSTOE would accept it.
//
// The rules are AWSTOE's documented ones (see the package's README.md for
// each rule and its source): schemaVersion 1.0; phases build, validate and
// test, each named once, each with steps; steps with a name unique within
// their phase, a known action module, the inputs that module requires (and,
// for the modules winami uses, no others), onFailure Abort, Continue or
// Ignore, timeoutSeconds -1 or positive, maxAttempts of at least 1, and
// well-formed loops; parameters and constants named as AWSTOE requires;
// and every {{ reference }} naming a parameter, constant, loop or step.
func Validate(doc []byte) (problems []Problem) {
	// The YAML parser is a dependency: should some input crash it, the
	// document is still invalid, and a CLI or sandbox must not go down.
	defer func() {
		if r := recover(); r != nil {
			problems = []Problem{{Message: fmt.Sprintf("invalid YAML: the parser failed: %v", r)}}
		}
	}()
	c := &checker{anchors: map[string]ast.Node{}, aliases: &aliasState{recursive: map[string]bool{}}}
	c.validate(doc)
	slices.SortStableFunc(c.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return c.problems
}

// FileError is every problem of a component file.
type FileError struct {
	Path     string
	Problems []Problem
}

// Error lists the problems one a line, as "file:line:col: path: message",
// or "file: message" for a problem with no single place.
func (e *FileError) Error() string {
	lines := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		sep := ": "
		if p.Line > 0 {
			sep = ":"
		}
		lines = append(lines, e.Path+sep+p.String())
	}
	return strings.Join(lines, "\n")
}

// ValidateFile reads and validates a component document. It returns a
// *FileError listing every problem, or nil when the document is valid.
func ValidateFile(path string) error {
	doc, err := ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading component document: %w", err)
	}
	if problems := Validate(doc); len(problems) > 0 {
		return &FileError{Path: path, Problems: problems}
	}
	return nil
}

// checker walks one document and collects its problems.
type checker struct {
	problems []Problem
	anchors  map[string]ast.Node
	aliases  *aliasState
	// vars are the declared parameters and constants, by name, with where
	// each was declared.
	vars map[string]ast.Node
	// steps are the step names of each phase, for chained references
	// ({{ build.Download.inputs[0].destination }}).
	steps map[string]map[string]bool
}

func (c *checker) report(n ast.Node, path, format string, args ...any) {
	line, col := position(n)
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = textsafe.Shorten(s, 300) // a 5 MB value is not echoed whole
		}
	}
	c.problems = append(c.problems, Problem{Line: line, Column: col, Path: path, Message: fmt.Sprintf(format, args...)})
}

// inputLimits bound a document before the YAML parser sees it (see
// internal/yamlinput); Image Builder takes at most 16,000 characters.
var inputLimits = yamlinput.Limits{Lines: 10000, Depth: 64, Documents: 10}

// topLevelKeys are the keys of an AWSTOE document.
var topLevelKeys = []string{"name", "description", "schemaVersion", "parameters", "constants", "phases"}

func (c *checker) validate(doc []byte) {
	doc, err := yamlinput.Prepare(doc, inputLimits)
	if err != nil {
		line := 0
		if le := (*yamlinput.Error)(nil); errors.As(err, &le) {
			line = le.Line
		}
		c.problems = append(c.problems, Problem{Line: line, Column: min(line, 1), Message: err.Error()})
		return
	}
	file, err := parser.ParseBytes(doc, 0)
	if err != nil {
		c.syntaxError(doc, err)
		return
	}
	var root ast.Node
	for _, body := range yamlinput.Documents(file) {
		if root != nil {
			c.report(body, "", "a component is one YAML document; found another (remove the --- separator)")
			break
		}
		root = body
	}
	if root == nil {
		c.problems = append(c.problems, Problem{Message: "the document is empty; a component needs schemaVersion and phases"})
		return
	}
	c.collectAnchors(root)
	root = c.deref(root)
	top, ok := c.mapping(root, root, "", "a mapping of name, description, schemaVersion, parameters, constants and phases")
	if !ok {
		return
	}
	c.checkKeys(top, "", topLevelKeys)
	for _, key := range []string{"name", "description"} {
		if e, ok := lookup(top, key); ok {
			c.scalarField(e, key)
		}
	}
	c.schemaVersion(root, top)
	c.vars = map[string]ast.Node{}
	if e, ok := lookup(top, "parameters"); ok {
		c.variables(e, "parameters", "parameter", []string{"type", "default", "description"}, "default")
	}
	if e, ok := lookup(top, "constants"); ok {
		c.variables(e, "constants", "constant", []string{"type", "value"}, "value")
	}
	phases, ok := lookup(top, "phases")
	if !ok {
		c.report(root, "", `missing required key "phases"`)
		return
	}
	c.phases(phases)
}

// syntaxError reports what the YAML parser rejected, where it did.
func (c *checker) syntaxError(doc []byte, err error) {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil || ye.GetToken().Position == nil {
		c.problems = append(c.problems, Problem{Message: "invalid YAML: " + err.Error()})
		return
	}
	pos := ye.GetToken().Position
	msg := "invalid YAML: " + ye.GetMessage()
	// An unquoted {{ reference }} is a flow mapping to YAML, the commonest
	// way to break a component; say so.
	if line := lineOf(doc, pos.Line); strings.Contains(line, "{{") {
		msg += "; a value holding a {{ reference }} must be quoted, e.g. '{{ Name }}'"
	}
	c.problems = append(c.problems, Problem{Line: pos.Line, Column: pos.Column, Message: msg})
}

// lineOf is the nth line of a document; YAML breaks lines at \n, \r\n
// and a lone \r.
func lineOf(doc []byte, n int) string {
	text := strings.ReplaceAll(strings.ReplaceAll(string(doc), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// checkKeys reports keys a mapping may not have.
func (c *checker) checkKeys(es []entry, path string, allowed []string) {
	for _, e := range es {
		if !slices.Contains(allowed, e.key) {
			msg := fmt.Sprintf("unknown key %q; allowed: %s", e.key, strings.Join(allowed, ", "))
			if s := suggest(e.key, allowed); s != "" {
				msg = fmt.Sprintf("unknown key %q; did you mean %q?", e.key, s)
			}
			c.report(e.keyAt, join(path, e.key), "%s", msg)
		}
	}
}

// scalarField checks that a key holds a single value, not a list or mapping.
func (c *checker) scalarField(e entry, path string) (string, bool) {
	s, ok := scalar(e.value)
	if !ok {
		c.report(orAt(e.value, e.keyAt), path, "must be a string, found %s", describe(e.value))
	}
	return s, ok
}

func (c *checker) schemaVersion(root ast.Node, top []entry) {
	e, ok := lookup(top, "schemaVersion")
	if !ok {
		c.report(root, "", `missing required key "schemaVersion" (AWSTOE documents are schemaVersion: 1.0)`)
		return
	}
	// 1.0 is written unquoted in AWS's own documents, where YAML reads a
	// number; the source text is what AWSTOE compares.
	if s, ok := scalar(e.value); !ok || s != "1.0" {
		c.report(orAt(e.value, e.keyAt), "schemaVersion", "must be 1.0, found %s", describe(e.value))
	}
}

// join appends a key to a field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// suggest is the allowed word closest to a misspelt one: the same but for
// case, at most two edits away, or sharing a long ending
// (RunPowerShell, ExecutePowerShell).
func suggest(word string, allowed []string) string {
	if best := textdist.Closest(word, allowed, 3); best != "" {
		return best // a case slip is distance 0
	}
	lw := strings.ToLower(word)
	var best string
	bestSuffix := 5 // shorter shared endings ("File", "Folder") say nothing
	for _, a := range allowed {
		if n := commonSuffix(lw, strings.ToLower(a)); n > bestSuffix {
			best, bestSuffix = a, n
		}
	}
	return best
}

func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}
