package yamlinput

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

func TestCheck(t *testing.T) {
	l := Limits{Lines: 100, Depth: 8, Documents: 3}
	for name, c := range map[string]struct {
		data    string
		measure string
		line    int
	}{
		"ok":            {"a: [1, {b: [2]}]\n---\nc: 1\n", "", 0},
		"deep":          {"a: " + strings.Repeat("[", 9) + strings.Repeat("]", 9), "nesting depth of [ and {", 1},
		"closed":        {strings.Repeat("a: [[[[]]]]\n", 50), "", 0},
		"lines":         {strings.Repeat("a: 1\n", 100), "lines", 101},
		"documents":     {strings.Repeat("---\na: 1\n", 4), "documents", 7},
		"dashes in key": {"---x: 1\n--- # c\n----\n", "", 0},
	} {
		err := Check([]byte(c.data), l)
		var le *Error
		switch {
		case c.measure == "" && err != nil:
			t.Errorf("%s: Check = %v; want nil", name, err)
		case c.measure != "" && (!errors.As(err, &le) || le.Measure != c.measure || le.Line != c.line):
			t.Errorf("%s: Check = %v; want %s crossed at line %d", name, err, c.measure, c.line)
		}
	}
}

func TestPrepareStripsBOM(t *testing.T) {
	data, err := Prepare([]byte("\xef\xbb\xbfname: x\n"), Limits{})
	if err != nil || string(data) != "name: x\n" {
		t.Fatalf("Prepare = %q, %v", data, err)
	}
}

func TestDocumentsSkipsDirectives(t *testing.T) {
	f, err := parser.ParseBytes([]byte("%YAML 1.2\n---\nname: x\n---\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if docs := Documents(f); len(docs) != 1 {
		t.Fatalf("Documents = %d bodies; want the one mapping", len(docs))
	}
}
