// Package awstoe is the sandbox's own reading of AWSTOE component documents:
// whether Image Builder and AWSTOE would accept one. It is written from AWS's
// documentation of the document format (EC2 Image Builder User Guide: the
// component document framework, variables, looping constructs, and the
// action modules AWSTOE supports), not from winami's validator, so that the
// two can disagree: a shared corpus of documents (testdata/awstoe-corpus)
// holds both to the same verdicts.
//
// It judges documents, it does not lint them: it stops caring about a step
// once it has found what is wrong with it, and it leaves unchecked what AWS
// does not document as an error (unknown input names, platform support of a
// module, the operators of Assert and if).
package awstoe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	yaml "github.com/goccy/go-yaml"
)

// Problem is one reason a document would be refused, at a field path such as
// phases[0].steps[1].inputs.
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Phases Image Builder runs: build and validate while building, test while
// testing. AWSTOE itself knows others, but Image Builder never runs them.
var phaseNames = []string{"build", "validate", "test"}

// failureActions are the values of a step's onFailure.
var failureActions = []string{"Abort", "Continue", "Ignore"}

var topLevelKeys = []string{"name", "description", "schemaVersion", "parameters", "constants", "phases"}

var stepKeys = []string{"name", "action", "inputs", "onFailure", "timeoutSeconds", "maxAttempts", "loop", "if"}

// maxVisits bounds the walk over a document: YAML aliases can make a 16 KB
// document stand for billions of values.
const maxVisits = 200000

// Check returns why AWS would refuse the document, or nothing when it would
// accept it.
func Check(data []byte) (problems []Problem) {
	defer func() {
		// The YAML library is not the sandbox's: should it panic on some
		// input, that document is refused and the sandbox stays up.
		if r := recover(); r != nil {
			problems = []Problem{{Message: fmt.Sprintf("the document is not valid YAML (%v)", r)}}
		}
	}()
	c := &checker{vars: map[string]bool{}, steps: map[string]map[string]bool{}}
	c.check(data)
	return c.problems
}

type checker struct {
	problems []Problem
	vars     map[string]bool            // parameters and constants
	steps    map[string]map[string]bool // step names by phase
	visits   int
}

func (c *checker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) check(data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root any
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			c.fail("", "the document is empty")
			return
		}
		c.fail("", "the document is not valid YAML: %s", firstLine(err.Error()))
		return
	}
	var more any
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		c.fail("", "a component document is a single YAML document")
		return
	}
	top, ok := root.(map[string]any)
	if !ok {
		c.fail("", "the document must be a mapping with schemaVersion and phases")
		return
	}
	for k := range top {
		if !slices.Contains(topLevelKeys, k) {
			c.fail(k, "unknown top-level key")
		}
	}
	c.schemaVersion(top)
	c.variables(top["parameters"], "parameters", "default")
	c.variables(top["constants"], "constants", "value")
	c.phases(top["phases"])
}

func (c *checker) schemaVersion(top map[string]any) {
	v, ok := top["schemaVersion"]
	if !ok {
		c.fail("schemaVersion", "is required")
		return
	}
	// Written 1.0 unquoted, YAML reads a number; quoted, a string.
	switch v := v.(type) {
	case float64:
		if v == 1.0 {
			return
		}
	case string:
		if v == "1.0" {
			return
		}
	}
	c.fail("schemaVersion", "must be 1.0, not %v", v)
}

// variables checks parameters or constants: a list of one-entry mappings,
// name to properties.
func (c *checker) variables(v any, path, valueKey string) {
	if v == nil {
		return
	}
	list, ok := v.([]any)
	if !ok {
		c.fail(path, "must be a list")
		return
	}
	for i, item := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		entry, ok := item.(map[string]any)
		if !ok || len(entry) != 1 {
			c.fail(p, "must be a mapping of one name to its properties")
			continue
		}
		for name, props := range entry {
			if !validVariableName(name) {
				c.fail(p, "name %q must be 3 to 128 letters, digits, hyphens or underscores", name)
			}
			if c.vars[name] {
				c.fail(p, "%q is declared twice", name)
			}
			c.vars[name] = true
			m, ok := props.(map[string]any)
			if !ok {
				c.fail(p+"."+name, "must be a mapping with type")
				continue
			}
			if m["type"] != "string" {
				c.fail(p+"."+name+".type", "must be string")
			}
			if valueKey == "value" && m["value"] == nil {
				c.fail(p+"."+name+".value", "a constant needs a value")
			}
		}
	}
}

func validVariableName(s string) bool {
	if len(s) < 3 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (c *checker) phases(v any) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		c.fail("phases", "must list at least one phase")
		return
	}
	// Step names first, so that a step may refer to any phase's step.
	type phase struct {
		path, name string
		steps      []any
	}
	var phases []phase
	for i, item := range list {
		p := fmt.Sprintf("phases[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			c.fail(p, "must be a mapping with name and steps")
			continue
		}
		name, _ := m["name"].(string)
		switch {
		case !slices.Contains(phaseNames, name):
			c.fail(p+".name", "must be one of %s, not %v", strings.Join(phaseNames, ", "), m["name"])
			continue
		case c.steps[name] != nil:
			c.fail(p+".name", "phase %q appears twice", name)
			continue
		}
		steps, ok := m["steps"].([]any)
		if !ok || len(steps) == 0 {
			c.fail(p+".steps", "must list at least one step")
			continue
		}
		for k := range m {
			if k != "name" && k != "steps" {
				c.fail(p+"."+k, "unknown key of a phase")
			}
		}
		c.steps[name] = map[string]bool{}
		for j, s := range steps {
			sp := fmt.Sprintf("%s.steps[%d]", p, j)
			sm, _ := s.(map[string]any)
			sn, ok := sm["name"].(string)
			if !ok || sn == "" {
				c.fail(sp+".name", "is required")
				continue
			}
			if c.steps[name][sn] {
				c.fail(sp+".name", "step %q appears twice in phase %s", sn, name)
			}
			c.steps[name][sn] = true
		}
		phases = append(phases, phase{path: p, name: name, steps: steps})
	}
	for _, ph := range phases {
		for j, s := range ph.steps {
			c.step(s, fmt.Sprintf("%s.steps[%d]", ph.path, j))
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
