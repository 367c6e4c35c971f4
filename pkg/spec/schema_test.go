package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestSchemaMatchesTypes keeps schema/winami.schema.json and the Go types
// in step: every yaml key has a schema property and every property a
// key, recursively; required keys (no omitempty) agree; every object is
// closed (additionalProperties: false); leaf types agree.
func TestSchemaMatchesTypes(t *testing.T) {
	d := loadSchema(t)
	d.compareType(t, "", reflect.TypeFor[Spec](), d.root)
}

func (d *schemaDoc) compareType(t *testing.T, path string, typ reflect.Type, s map[string]any) {
	t.Helper()
	s = d.resolve(s)
	at := path
	if at == "" {
		at = "(root)"
	}
	switch typ.Kind() {
	case reflect.Pointer:
		d.compareType(t, path, typ.Elem(), s)
	case reflect.Struct:
		if !typeListed(s, "object") || s["additionalProperties"] != false {
			t.Errorf("%s: schema is not a closed object (type object, additionalProperties false)", at)
		}
		props, _ := s["properties"].(map[string]any)
		var goKeys, goRequired []string
		for _, f := range yamlFields(typ) {
			goKeys = append(goKeys, f.name)
			if f.required {
				goRequired = append(goRequired, f.name)
			}
			sub, ok := props[f.name].(map[string]any)
			if !ok {
				t.Errorf("%s: yaml key %q has no schema property", at, f.name)
				continue
			}
			d.compareType(t, joinPath(path, f.name), typ.Field(f.index).Type, sub)
		}
		for name := range props {
			if !slices.Contains(goKeys, name) {
				t.Errorf("%s: schema property %q is no yaml key of %s", at, name, typ.Name())
			}
		}
		schemaRequired := asStrings(s["required"])
		sort.Strings(goRequired)
		sort.Strings(schemaRequired)
		if !slices.Equal(goRequired, schemaRequired) {
			t.Errorf("%s: required keys: Go %v, schema %v", at, goRequired, schemaRequired)
		}
	case reflect.Slice:
		if !typeListed(s, "array") {
			t.Errorf("%s: schema type is %v, want array", at, s["type"])
		}
		items, _ := s["items"].(map[string]any)
		d.compareType(t, path+"[]", typ.Elem(), items)
	case reflect.Map:
		ap, _ := s["additionalProperties"].(map[string]any)
		if !typeListed(s, "object") || ap == nil {
			t.Errorf("%s: schema is not an object with additionalProperties for the values", at)
			return
		}
		d.compareType(t, path+"{}", typ.Elem(), ap)
	case reflect.String:
		if !typeListed(s, "string") {
			t.Errorf("%s: schema type is %v, want string", at, s["type"])
		}
	case reflect.Int:
		if !typeListed(s, "integer") {
			t.Errorf("%s: schema type is %v, want integer", at, s["type"])
		}
	case reflect.Bool:
		if !typeListed(s, "boolean") {
			t.Errorf("%s: schema type is %v, want boolean", at, s["type"])
		}
	default:
		t.Errorf("%s: Go kind %s has no schema counterpart in this test", at, typ.Kind())
	}
}

func typeListed(s map[string]any, want string) bool {
	switch ts := s["type"].(type) {
	case string:
		return ts == want
	case []any:
		return slices.Contains(asStrings(ts), want)
	}
	return false
}

// yamlToJSON turns a YAML document into the values JSON decoding gives,
// which is what editors check against the schema.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func validSpecFiles(t *testing.T) []string {
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid specs in testdata/valid: %v", err)
	}
	return append(files, "../../examples/winami.yaml")
}

// TestValidSpecs: the example and the valid test specs pass both winami
// and the schema.
func TestValidSpecs(t *testing.T) {
	d := loadSchema(t)
	for _, f := range validSpecFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := Load(f); err != nil {
				t.Errorf("Load: %v", err)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if errs := d.validate(yamlToJSON(t, data)); len(errs) > 0 {
				t.Errorf("schema rejects it:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// TestSchemaOnMalformed: the schema rejects the malformed specs marked
// "schema: reject" and accepts those whose problem is beyond a schema
// ("schema: accept"), so that editors neither miss what they can see nor
// flag a spec that only winami can judge.
func TestSchemaOnMalformed(t *testing.T) {
	d := loadSchema(t)
	for _, c := range loadMalformed(t) {
		if c.schema != "reject" && c.schema != "accept" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(c.dir, "winami.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			errs := d.validate(yamlToJSON(t, data))
			if c.schema == "reject" && len(errs) == 0 {
				t.Errorf("the schema accepts it")
			}
			if c.schema == "accept" && len(errs) > 0 {
				t.Errorf("the schema rejects it:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// TestSchemaDefaults: each schema default that applies to a small spec is
// what ApplyDefaults sets.
func TestSchemaDefaults(t *testing.T) {
	d := loadSchema(t)
	s := &Spec{Name: "n", Region: "us-east-1", Base: Base{Windows: "2022", Edition: "core"},
		Kubernetes:   Kubernetes{Version: "1.35"},
		Cache:        &Cache{Images: []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}},
		Build:        Build{InstanceProfile: "p"},
		Distribution: Distribution{FastLaunch: &FastLaunch{Enabled: true}},
		Schedule:     &Schedule{Cron: exampleCron},
	}
	s.ApplyDefaults()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	checked := d.compareDefaults(t, "", d.root, got)
	sort.Strings(checked)
	want := []string{
		"base.eksOptimized", "base.eksOptimized.release", "build.instanceTypes", "build.requireIMDSv2",
		"build.rootVolumeGiB", "build.terminateOnFailure",
		"cache.parallelPulls", "cache.pin", "cache.verify", "distribution.amiName",
		"distribution.fastLaunch.maxParallelLaunches", "distribution.fastLaunch.targetSnapshots",
		"schedule.onlyWhenDependenciesUpdated",
	}
	if !slices.Equal(checked, want) {
		t.Errorf("defaults checked: %v\nwant %v", checked, want)
	}
}

// compareDefaults walks the schema's properties along the value v and
// compares each default with v's value; a false default matches an
// omitted bool (omitempty).
func (d *schemaDoc) compareDefaults(t *testing.T, path string, s map[string]any, v any) []string {
	t.Helper()
	var checked []string
	s = d.resolve(s)
	if def, ok := s["default"]; ok {
		checked = append(checked, path)
		if !reflect.DeepEqual(def, v) && !(def == false && v == nil) {
			t.Errorf("%s: schema default %v, ApplyDefaults gives %v", path, def, v)
		}
	}
	obj, _ := v.(map[string]any)
	props, _ := s["properties"].(map[string]any)
	for name, sub := range props {
		val, present := obj[name]
		subS := d.resolve(sub.(map[string]any))
		if !present && subS["default"] == nil && !typeListed(subS, "object") {
			continue
		}
		if obj == nil {
			continue
		}
		checked = append(checked, d.compareDefaults(t, joinPath(path, name), subS, val)...)
	}
	return checked
}

// yamlUnmarshalLoose is yamlToJSON without failing the test: some
// malformed specs are not YAML at all.
func yamlUnmarshalLoose(data []byte, out *any) error {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
