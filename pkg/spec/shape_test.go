package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// The decoder words structural problems and the schema decides them: on
// every test spec, each problem the decoder met is one the schema
// confirms, so none is lost for want of the schema's say-so.
func TestShapeAgreement(t *testing.T) {
	var files []string
	for _, c := range loadMalformed(t) {
		files = append(files, filepath.Join(c.dir, "winami.yaml"))
	}
	files = append(files, validSpecFiles(t)...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, _, unmatched, err := parse(f, data, Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range unmatched {
			t.Errorf("the decoder found %q and the schema did not", p)
		}
	}
}

func findingsOf(t *testing.T, doc string) []shapeFinding {
	t.Helper()
	f, err := parser.ParseBytes([]byte(doc), 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := validateShape(f.Docs[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The validator's findings are placed at the YAML's line and column, an
// unknown key at the key, with the decoder's field paths.
func TestValidateShapePlaces(t *testing.T) {
	doc := `apiVersion: winami/v1alpha1
kind: ImageSpec
name: p
region: us-east-1
base: {windows: 2022, edition: core}
kubernetes: {version: "1.35"}
build:
  instanceProfile: x
  instanceTypes: m5.large
  rootVolumeGiB: "80"
  extra: 1
tags:
  "a b": [1]
`
	want := map[string]shapeFinding{
		"build.instanceTypes": {pos: Pos{9, 18}, structural: true, keyword: "type", expected: "array", received: "string"},
		"build.rootVolumeGiB": {pos: Pos{10, 18}, structural: true, keyword: "type", expected: "integer", received: "string"},
		"build.extra":         {pos: Pos{11, 3}, structural: true, unknownKey: true, keyword: "schema"},
		`tags["a b"]`:         {pos: Pos{13, 10}, structural: true, keyword: "type", expected: "string", received: "array"},
	}
	got := map[string]shapeFinding{}
	for _, f := range findingsOf(t, doc) {
		if f.structural {
			path := f.path
			f.path, f.message = "", ""
			got[path] = f
		}
	}
	if len(got) != len(want) {
		t.Errorf("structural findings %+v, want %+v", got, want)
	}
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: %+v, want %+v", path, got[path], w)
		}
	}
}

// What YAML reads as a number is text where text is wanted (the decoder
// keeps the digits as written), and a key given as null is not given: the
// schema's JSON reading of both is not a structural problem.
func TestShapeFollowsTheDecodersReading(t *testing.T) {
	doc := "apiVersion: winami/v1alpha1\nkind: ImageSpec\nname:\nregion: us-east-1\n" +
		"base: {windows: 2022, edition: core, osBuild: 10.0}\nkubernetes: {version: 1.30}\nbuild: {instanceProfile: x}\ntags: {n: 1}\n"
	d := newDecoder("w.yaml")
	probs, _, _ := d.shapeProblems(findingsOf(t, doc))
	if len(probs) != 0 {
		t.Errorf("structural problems %v, want none", probs)
	}
	var required bool
	for _, f := range findingsOf(t, doc) {
		if f.path == "name" && f.keyword == "required" && !f.structural {
			required = true
		}
	}
	if !required {
		t.Error("a null name is not a required-key finding")
	}
}

// A structural problem the decoder met but the schema does not confirm is
// not reported: the schema decides.
func TestShapeProblemsNeedTheSchema(t *testing.T) {
	d := newDecoder("w.yaml")
	d.structural(Pos{3, 1}, "extra", "unknown key; did you mean name?")
	probs, _, unmatched := d.shapeProblems(nil)
	if len(probs) != 0 || len(unmatched) != 1 {
		t.Errorf("problems %v, unmatched %v; want none and one", probs, unmatched)
	}
	probs, _, unmatched = d.shapeProblems([]shapeFinding{{path: "extra", pos: Pos{3, 1}, structural: true, unknownKey: true}})
	if len(probs) != 1 || probs[0].Message != "unknown key; did you mean name?" || len(unmatched) != 0 {
		t.Errorf("problems %v, unmatched %v; want the decoder's wording", probs, unmatched)
	}
}
