package component

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzValidate checks that no document makes Validate panic, that it
// answers the same twice, and that every problem points into the document.
func FuzzValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		doc, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Add([]byte(minimal))
	f.Add([]byte(strings.Replace(minimal, "- Write-Host hello", "- {{ x }}", 1)))
	f.Add([]byte("a: &x [*x]\nb: *x\n<<: *x\n"))
	f.Add([]byte("? [a]\n: b\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		first := Validate(doc)
		if again := Validate(doc); !slices.Equal(first, again) {
			t.Fatalf("two runs differ:\n%v\n%v", first, again)
		}
		// YAML breaks lines at \n, \r\n and a lone \r.
		lines := bytes.Count(bytes.ReplaceAll(doc, []byte("\r\n"), []byte("\n")), []byte("\n")) + bytes.Count(doc, []byte("\r")) - bytes.Count(doc, []byte("\r\n")) + 1
		for _, p := range first {
			if p.Line < 0 || p.Line > lines || p.Column < 0 || p.Message == "" {
				t.Fatalf("problem %+v outside a document of %d lines", p, lines)
			}
		}
	})
}
