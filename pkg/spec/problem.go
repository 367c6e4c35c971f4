package spec

import (
	"cmp"
	"fmt"
	"github.com/winami/winami/internal/textsafe"
	"slices"
	"strings"
)

// Problem is one thing wrong with a spec, where it is and why.
type Problem struct {
	File string
	// Line and Column are 1-based; 0 when the problem has no place in a
	// file (a Spec built in Go rather than parsed).
	Line, Column int
	// Path is the field path: "distribution.fastLaunch.maxParallelLaunches",
	// with list indices as "build.instanceTypes[1]".
	Path    string
	Message string
}

// String renders "winami.yaml:12:14: path: message", leaving out what is
// unknown, on one line: control characters from the file (a key holding a
// newline or an ANSI escape) are escaped, so a spec cannot forge lines.
func (p Problem) String() string { return textsafe.Escape(p.raw()) }

func (p Problem) raw() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem of a spec, in document order. It is the error
// Parse and Load return, so that a user fixes a file in one round.
type Problems []Problem

// Error renders one problem a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sort puts problems in document order; problems without a place go last,
// and ties keep the order in which they were found.
func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// Pos is a 1-based line and column in the spec file.
type Pos struct{ Line, Column int }

// positions maps field paths to where their values are in the file. A
// path whose value is null maps to its key, so that "required" problems
// point at the key the user left empty.
type positions map[string]Pos

// at returns where path is, or else where its nearest present ancestor
// is: a problem about a missing key points at the mapping that lacks it.
func (m positions) at(path string) Pos {
	for {
		if p, ok := m[path]; ok {
			return p
		}
		if path == "" {
			return Pos{}
		}
		path = parentPath(path)
	}
}

// parentPath strips the last element of a path: "a.b[2]" -> "a.b" -> "a" -> "".
func parentPath(path string) string {
	if strings.HasSuffix(path, `"]`) {
		// A quoted map key (see keyPath) may itself hold '.' or '['; %q
		// escapes its quotes, so the last `["` opens it.
		return path[:strings.LastIndex(path, `["`)]
	}
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// maxValueRunes is how much of a value from the file a message quotes.
const maxValueRunes = 300

// shortArgs cuts the string arguments of a message to maxValueRunes, so a
// 5 MB value is not echoed whole.
func shortArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = textsafe.Shorten(s, maxValueRunes)
		}
		out[i] = a
	}
	return out
}
