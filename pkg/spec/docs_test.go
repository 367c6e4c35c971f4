package spec

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsCoverEveryKey: docs/spec.md names every key of the spec (as
// `key` or `parent.key`), so a new field cannot go undocumented.
func TestDocsCoverEveryKey(t *testing.T) {
	doc, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for _, f := range yamlFields(typ) {
			path := joinPath(prefix, f.name)
			parent := prefix[strings.LastIndexByte(prefix, '.')+1:]
			if !strings.Contains(string(doc), "`"+f.name+"`") && !strings.Contains(string(doc), "`"+joinPath(parent, f.name)+"`") {
				t.Errorf("docs/spec.md does not name %s", path)
			}
			ft := typ.Field(f.index).Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(path, ft)
			}
		}
	}
	walk("", reflect.TypeFor[Spec]())
}

// TestDocsErrorExample: the error output shown in docs/spec.md is what
// testdata/malformed/several_problems.txtar really gives.
func TestDocsErrorExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, c := range loadMalformed(t) {
		if c.name == "several_problems" {
			want = c.want
		}
	}
	if want == "" || !strings.Contains(string(doc), "```\n"+want+"```\n") {
		t.Errorf("docs/spec.md does not show several_problems' output:\n%s", want)
	}
}
