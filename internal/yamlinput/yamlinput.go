// Package yamllimit bounds YAML input before a parser sees it. The YAML
// parser winami uses (goccy/go-yaml) spends time and memory that grow with
// the square of some shapes of input — deeply nested flow collections, one
// mapping with very many entries, very many documents — so a small hostile
// file can take gigabytes. Real specs, component documents and Karpenter
// manifests are far from these limits; a file past them gets an error that
// names the limit and the line where it was crossed.
package yamlinput

import (
	"bytes"
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Documents returns the bodies of a parsed file's documents, leaving out
// empty ones and directives (%YAML 1.2 before ---), which the parser
// returns as documents of their own.
func Documents(f *ast.File) []ast.Node {
	var out []ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if _, ok := d.Body.(*ast.DirectiveNode); ok {
			continue
		}
		out = append(out, d.Body)
	}
	return out
}

// Limits bound one file. Zero means no limit for that measure.
type Limits struct {
	// Lines is the most lines the file may have.
	Lines int
	// Depth is the deepest nesting of flow collections ([ and {).
	Depth int
	// Documents is the most YAML documents (--- separators) the file may hold.
	Documents int
}

// Error says which limit a file crossed, and where.
type Error struct {
	Line    int
	Measure string // "lines", "nesting depth of [ and {", "documents"
	Limit   int
}

func (e *Error) Error() string {
	return fmt.Sprintf("more %s than the %d winami reads (line %d): such a file is not a real spec, component or manifest, and parsing it would take too long",
		e.Measure, e.Limit, e.Line)
}

// bom is the UTF-8 byte order mark some editors (Notepad) write first.
var bom = []byte("\xef\xbb\xbf")

// Prepare strips a leading byte order mark (YAML allows one; the parser
// would read it as part of the first key) and checks data against l.
func Prepare(data []byte, l Limits) ([]byte, error) {
	data = bytes.TrimPrefix(data, bom)
	return data, Check(data, l)
}

// Check measures data in one pass. Brackets are counted wherever they are,
// quoted or not: that can only overstate the depth, and no real file comes
// near the limit either way.
func Check(data []byte, l Limits) error {
	line, depth, docs := 1, 0, 0
	lineStart := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if lineStart && c == '-' && bytes.HasPrefix(data[i:], []byte("---")) &&
			(i+3 == len(data) || data[i+3] == ' ' || data[i+3] == '\n' || data[i+3] == '\r' || data[i+3] == '\t') {
			docs++
			if l.Documents > 0 && docs > l.Documents {
				return &Error{Line: line, Measure: "documents", Limit: l.Documents}
			}
		}
		lineStart = false
		switch c {
		case '\n':
			line++
			lineStart = true
			if l.Lines > 0 && line > l.Lines {
				return &Error{Line: line, Measure: "lines", Limit: l.Lines}
			}
		case '[', '{':
			depth++
			if l.Depth > 0 && depth > l.Depth {
				return &Error{Line: line, Measure: "nesting depth of [ and {", Limit: l.Depth}
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
