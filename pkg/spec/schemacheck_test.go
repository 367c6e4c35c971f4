package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// A small JSON Schema (2020-12) checker for the keywords
// schema/winami.schema.json uses; loadSchema refuses any other keyword, so
// a keyword this checker would silently ignore cannot creep in.

type schemaDoc struct {
	root map[string]any
}

var knownKeywords = []string{
	"$schema", "$id", "$ref", "$defs", "title", "description", "default", "examples",
	"type", "enum", "properties", "additionalProperties", "required", "propertyNames",
	"maxProperties", "dependentRequired", "items", "minItems", "maxItems", "uniqueItems",
	"pattern", "minLength", "maxLength", "minimum", "maximum", "oneOf", "not",
}

func loadSchema(t *testing.T) *schemaDoc {
	t.Helper()
	data, err := os.ReadFile("../../schema/winami.schema.json")
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
	d := &schemaDoc{root: root}
	d.lint(t, "#", root)
	return d
}

// lint walks every subschema: known keywords only, patterns that compile,
// refs that resolve.
func (d *schemaDoc) lint(t *testing.T, at string, s map[string]any) {
	t.Helper()
	for k, v := range s {
		if !slices.Contains(knownKeywords, k) {
			t.Errorf("%s: keyword %q is not one the schema checker knows", at, k)
		}
		switch k {
		case "pattern":
			if _, err := regexp.Compile(v.(string)); err != nil {
				t.Errorf("%s: pattern: %v", at, err)
			}
		case "$ref":
			if d.ref(v.(string)) == nil {
				t.Errorf("%s: $ref %v does not resolve", at, v)
			}
		case "properties", "$defs":
			for name, sub := range v.(map[string]any) {
				d.lint(t, at+"/"+k+"/"+name, sub.(map[string]any))
			}
		case "items", "not", "propertyNames":
			d.lint(t, at+"/"+k, v.(map[string]any))
		case "additionalProperties":
			if sub, ok := v.(map[string]any); ok {
				d.lint(t, at+"/"+k, sub)
			}
		case "oneOf":
			for i, sub := range v.([]any) {
				d.lint(t, fmt.Sprintf("%s/%s/%d", at, k, i), sub.(map[string]any))
			}
		}
	}
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

// resolve follows a $ref, merging the referring schema's own keywords
// (description and the like) over nothing that matters for checking.
func (d *schemaDoc) resolve(s map[string]any) map[string]any {
	for {
		r, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s = d.ref(r)
	}
}

// validate returns the schema violations of v (a value as JSON decodes).
func (d *schemaDoc) validate(at string, s map[string]any, v any) []string {
	s = d.resolve(s)
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if ts, ok := s["type"]; ok && !typeMatches(ts, v) {
		fail("%v is not of type %v", v, ts)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		fail("%v is not one of %v", v, enum)
	}
	if not, ok := s["not"].(map[string]any); ok && len(d.validate(at, not, v)) == 0 {
		fail("matches the schema under not")
	}
	if oneOf, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range oneOf {
			if len(d.validate(at, sub.(map[string]any), v)) == 0 {
				n++
			}
		}
		if n != 1 {
			fail("matches %d of oneOf, want exactly 1", n)
		}
	}
	switch x := v.(type) {
	case string:
		n := float64(utf8.RuneCountInString(x))
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			fail("%q does not match %s", x, p)
		}
		if m, ok := s["minLength"].(float64); ok && n < m {
			fail("%q is shorter than %v", x, m)
		}
		if m, ok := s["maxLength"].(float64); ok && n > m {
			fail("%q is longer than %v", x, m)
		}
	case float64:
		if m, ok := s["minimum"].(float64); ok && x < m {
			fail("%v is below %v", x, m)
		}
		if m, ok := s["maximum"].(float64); ok && x > m {
			fail("%v is above %v", x, m)
		}
	case []any:
		if m, ok := s["minItems"].(float64); ok && float64(len(x)) < m {
			fail("fewer than %v items", m)
		}
		if m, ok := s["maxItems"].(float64); ok && float64(len(x)) > m {
			fail("more than %v items", m)
		}
		if u, _ := s["uniqueItems"].(bool); u {
			for i := range x {
				if slices.ContainsFunc(x[:i], func(e any) bool { return reflect.DeepEqual(e, x[i]) }) {
					fail("item %d repeats an earlier one", i)
				}
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				errs = append(errs, d.validate(fmt.Sprintf("%s[%d]", at, i), items, e)...)
			}
		}
	case map[string]any:
		errs = append(errs, d.validateObject(at, s, x)...)
	}
	return errs
}

func (d *schemaDoc) validateObject(at string, s map[string]any, x map[string]any) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for _, r := range asStrings(s["required"]) {
		if _, ok := x[r]; !ok {
			fail("missing required %s", r)
		}
	}
	if m, ok := s["maxProperties"].(float64); ok && float64(len(x)) > m {
		fail("more than %v properties", m)
	}
	if dr, ok := s["dependentRequired"].(map[string]any); ok {
		for k, deps := range dr {
			if _, has := x[k]; !has {
				continue
			}
			for _, dep := range asStrings(deps) {
				if _, ok := x[dep]; !ok {
					fail("%s needs %s", k, dep)
				}
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if pn, ok := s["propertyNames"].(map[string]any); ok {
			errs = append(errs, d.validate(at+"{"+k+"}", pn, k)...)
		}
		if sub, ok := props[k].(map[string]any); ok {
			errs = append(errs, d.validate(at+"."+k, sub, x[k])...)
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				fail("unknown property %s", k)
			}
		case map[string]any:
			errs = append(errs, d.validate(at+"."+k, ap, x[k])...)
		}
	}
	return errs
}

func typeMatches(ts any, v any) bool {
	types := asStrings(ts)
	if s, ok := ts.(string); ok {
		types = []string{s}
	}
	for _, t := range types {
		switch x := v.(type) {
		case string:
			if t == "string" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case float64:
			if t == "number" || t == "integer" && x == math.Trunc(x) {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case map[string]any:
			if t == "object" {
				return true
			}
		case nil:
			if t == "null" {
				return true
			}
		}
	}
	return false
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
