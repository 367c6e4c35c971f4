package spec

import (
	"strings"
	"testing"
	"time"
)

const minimalSpec = "apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: x\nregion: us-east-1\nbase: {windows: 2022, edition: core}\nkubernetes: {version: \"1.35\"}\nbuild: {instanceProfile: winami-build}\n"

// TestParseAcceptsWhatEditorsWrite: a byte order mark (Notepad) and a
// %YAML directive are valid YAML, not an unknown key or a second document.
func TestParseAcceptsWhatEditorsWrite(t *testing.T) {
	for name, data := range map[string]string{
		"BOM":       "\xef\xbb\xbf" + minimalSpec,
		"directive": "%YAML 1.2\n---\n" + minimalSpec,
	} {
		if _, err := Parse("w.yaml", []byte(data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParseBoundsInput: shapes that make the YAML parser's cost grow with
// the square of the input are refused before it sees them, quickly.
func TestParseBoundsInput(t *testing.T) {
	var tags strings.Builder
	tags.WriteString(minimalSpec + "tags:\n")
	for i := range 80000 {
		tags.WriteString("  k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ": v\n")
	}
	for name, c := range map[string]struct{ data, want string }{
		"one big mapping": {tags.String(), "more lines than the 10000"},
		"nested brackets": {minimalSpec + "tags: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "nesting depth of [ and { than the 64"},
		"documents":       {strings.Repeat("---\na: 1\n", 3000), "more documents than the 10"},
	} {
		start := time.Now()
		_, err := Parse("w.yaml", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Parse = %v; want %q", name, err, c.want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

// TestProblemsStayOnTheirLine: a key holding a newline and ANSI escapes
// cannot forge problem lines or drive the terminal, and a huge value is
// not echoed whole.
func TestProblemsStayOnTheirLine(t *testing.T) {
	data := strings.Replace(minimalSpec, "region: us-east-1", "region: "+strings.Repeat("v", 5<<20), 1) +
		"\"evil\\n/etc/x.yaml:1:1: name: \\e[32mall good\\e[0m\": 1\n"
	_, err := Parse("w.yaml", []byte(data))
	if err == nil {
		t.Fatal("Parse accepted the spec")
	}
	msg := err.Error()
	if n := strings.Count(msg, "\n"); n != 1 {
		t.Errorf("2 problems on %d lines:\n%s", n+1, msg)
	}
	if strings.ContainsRune(msg, 0x1b) || !strings.Contains(msg, `\x1b[32m`) {
		t.Errorf("the escape is not escaped:\n%q", msg)
	}
	if len(msg) > 4000 || !strings.Contains(msg, "more characters)") {
		t.Errorf("a 5 MB value is echoed: %d bytes of problems", len(msg))
	}
}
