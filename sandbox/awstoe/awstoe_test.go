package awstoe

import (
	"strings"
	"testing"
)

// A problem names the field it is about: the sandbox's build failure
// reasons name the step from it.
func TestProblemPaths(t *testing.T) {
	doc := `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Fine
        action: Reboot
      - name: Copy
        action: CopyFile
        inputs:
          - source: a
`
	got := Check([]byte(doc))
	if len(got) != 1 || got[0].Path != "phases[0].steps[1].inputs[0].destination" {
		t.Fatalf("problems %v, want one at phases[0].steps[1].inputs[0].destination", got)
	}
	if s := got[0].String(); !strings.Contains(s, "is required") {
		t.Errorf("String() = %q", s)
	}
}

// Aliases that expand a small document into billions of values are refused
// in bounded time, not walked.
func TestAliasExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("schemaVersion: 1.0\nx0: &a0 ['{{ nope }}', '{{ nope }}']\n")
	prev := "a0"
	for i := 1; i < 30; i++ {
		name := "a" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		b.WriteString("x" + name + ": &" + name + " [*" + prev + ", *" + prev + "]\n")
		prev = name
	}
	b.WriteString("phases:\n  - name: build\n    steps:\n      - name: Run\n        action: Assert\n        inputs: *" + prev + "\n")
	got := Check([]byte(b.String()))
	if !strings.Contains(fmtProblems(got), "too many values") {
		t.Fatalf("problems %v, want the expansion refused", got)
	}
}

func fmtProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}
