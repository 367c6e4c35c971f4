package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// The schema, read as data (for the structural tests of schema_test.go)
// and compiled by a second maintained JSON Schema (2020-12) validator,
// santhosh-tekuri/jsonschema, as editors would use it: winami validates
// with kaptinlin/jsonschema (shape.go), and this one, independent of it,
// checks that winami reports everything the schema finds. It stays in
// tests: its package initialisation compiles every draft's metaschema
// (about 3 ms and 1.7 MB at each start of winami), which the CLI's
// start-up budget cannot pay.

type schemaDoc struct {
	root     map[string]any
	compiled *jsonschema.Schema
}

func loadSchema(t *testing.T) *schemaDoc {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", root["$schema"])
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("winami.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	// Compiling checks the schema against the draft's metaschema: a
	// misspelt keyword value, a bad pattern or a dangling $ref fails here.
	compiled, err := c.Compile("winami.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return &schemaDoc{root: root, compiled: compiled}
}

// validate returns the schema violations of v (a value as JSON decodes),
// one "path: message" each, from the leaves of the validator's error tree.
func (d *schemaDoc) validate(v any) []string {
	err := d.compiled.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+": "+e.Error())
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

func (d *schemaDoc) ref(r string) map[string]any {
	name, ok := strings.CutPrefix(r, "#/$defs/")
	if !ok {
		return nil
	}
	defs, _ := d.root["$defs"].(map[string]any)
	s, _ := defs[name].(map[string]any)
	return s
}

// resolve follows a $ref (the structural tests compare types, not the
// referring schema's description).
func (d *schemaDoc) resolve(s map[string]any) map[string]any {
	for {
		r, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s = d.ref(r)
	}
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// fieldPath turns a JSON pointer's segments into winami's field path
// ("build.instanceTypes[1]", `tags["cost center"]`), walking the instance
// v to tell list indices from map keys.
func fieldPath(v any, segments []string) string {
	path := ""
	for _, seg := range segments {
		switch x := v.(type) {
		case []any:
			i := 0
			for _, c := range seg {
				i = i*10 + int(c-'0')
			}
			path += "[" + seg + "]"
			if i < len(x) {
				v = x[i]
			}
		case map[string]any:
			path = keyPath(path, seg)
			v = x[seg]
		}
	}
	return path
}

func keyPaths(at string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = joinPath(at, k)
	}
	return out
}

// related: one path is the other or lies inside it.
func related(a, b string) bool {
	inside := func(p, parent string) bool {
		return parent == "" || p == parent || strings.HasPrefix(p, parent+".") || strings.HasPrefix(p, parent+"[")
	}
	return inside(a, b) || inside(b, a)
}

// TestSchemaProblemsHaveAPlace: for every malformed spec, each violation
// the JSON Schema validator finds is also a problem winami reports, at
// file:line:col, on the same field (or one inside it, or its parent): the
// schema and winami's checks agree on where a spec is wrong, and every
// schema error maps back to a place in the file.
func TestSchemaProblemsHaveAPlace(t *testing.T) {
	d := loadSchema(t)
	for _, c := range loadMalformed(t) {
		t.Run(c.name, func(t *testing.T) {
			file := c.dir + "/winami.yaml"
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if yamlErr := yamlUnmarshalLoose(data, &v); yamlErr != nil {
				t.Skipf("not YAML a JSON Schema validator can read: %v", yamlErr)
			}
			_, perr := Load(file)
			var probs Problems
			errors.As(perr, &probs)
			err = d.compiled.Validate(v)
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				return
			}
			var walk func(e *jsonschema.ValidationError)
			walk = func(e *jsonschema.ValidationError) {
				if len(e.Causes) > 0 {
					for _, c := range e.Causes {
						walk(c)
					}
					return
				}
				at := fieldPath(v, e.InstanceLocation)
				// Errors about keys name them: the problem is at the key.
				paths := []string{at}
				switch k := e.ErrorKind.(type) {
				case *kind.Required:
					paths = keyPaths(at, k.Missing)
				case *kind.AdditionalProperties:
					paths = keyPaths(at, k.Properties)
				case *kind.DependentRequired:
					paths = keyPaths(at, k.Missing)
				}
			next:
				for _, path := range paths {
					for _, p := range probs {
						if related(p.Path, path) && (p.Line > 0 || p.Path == "") {
							continue next
						}
					}
					t.Errorf("the schema finds %q at %s; winami reports nothing there:\n%v", e.Error(), path, perr)
				}
			}
			walk(ve)
		})
	}
}
