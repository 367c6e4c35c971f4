package textsafe

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode ✓": "plain text, ünïcode ✓",
		"a\nb\rc\td":            `a\nb\rc\td`,
		"\x1b[31mred\x1b[0m":    `\x1b[31mred\x1b[0m`,
		"nul\x00del\x7f":        `nul\x00del\x7f`,
		"c1\u0085":              `c1\x85`,
		"bidi\u202eevil":        `bidi\u202eevil`,
		"bad utf8 \xff":         `bad utf8 \xff`,
		"v1.35.2-eks-3f1c2e7":   "v1.35.2-eks-3f1c2e7",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(Escape(in), "\n\r\t\x00\x1b") {
			t.Errorf("Escape(%q) still holds a control character", in)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := Shorten("short", 10); got != "short" {
		t.Errorf("Shorten = %q", got)
	}
	got := Shorten(strings.Repeat("é", 5_000_000), 100)
	if !strings.HasSuffix(got, "…(4999900 more characters)") || len([]rune(got)) > 130 {
		t.Errorf("Shorten of 5M characters = %d runes ending %q", len([]rune(got)), got[len(got)-30:])
	}
}

func TestLines(t *testing.T) {
	got := Lines("one\r\ntwo \x1b[2J\n"+strings.Repeat("x", 50), 20)
	want := "one\ntwo \\x1b[2J\n" + strings.Repeat("x", 20) + "…(30 more characters)"
	if got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}
