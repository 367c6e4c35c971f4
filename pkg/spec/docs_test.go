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

// TestDocsErrorExample: the error outputs shown in docs/spec.md are what
// testdata/malformed/several_problems.txtar and header_missing.txtar
// really give.
func TestDocsErrorExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"several_problems": "", "header_missing": ""}
	for _, c := range loadMalformed(t) {
		if _, ok := want[c.name]; ok {
			want[c.name] = c.want
		}
	}
	for name, w := range want {
		if w == "" || !strings.Contains(string(doc), "```\n"+w+"```\n") {
			t.Errorf("docs/spec.md does not show %s' output:\n%s", name, w)
		}
	}
}
