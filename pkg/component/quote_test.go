package component

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// readPSLiteral reads a PowerShell single-quoted string literal at the
// start of src, as PowerShell's tokenizer does (ScanStringLiteral): any of
// the five single-quote characters opens and closes it, and two quote
// characters in a row stand for one (the second). It returns the value and
// the number of bytes the literal takes.
func readPSLiteral(src string) (value string, n int, err error) {
	r, size := utf8.DecodeRuneInString(src)
	if size == 0 || !isPSQuote(r) {
		return "", 0, errors.New("no opening quote")
	}
	var b strings.Builder
	for i := size; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(src[i])
			i++
			continue
		}
		if isPSQuote(r) {
			next, nsize := utf8.DecodeRuneInString(src[i+size:])
			if nsize == 0 || !isPSQuote(next) || (next == utf8.RuneError && nsize == 1) {
				return b.String(), i + size, nil
			}
			b.WriteString(src[i+size : i+size+nsize])
			i += size + nsize
			continue
		}
		b.WriteString(src[i : i+size])
		i += size
	}
	return "", 0, errors.New("unterminated string")
}

func TestReadPSLiteral(t *testing.T) {
	// The reader must itself be right, or the property tests prove nothing.
	cases := []struct {
		src, value string
		n          int
	}{
		{`'abc' rest`, "abc", 5},
		{`'it''s'`, "it's", 7},
		{"\u2018a\u2019", "a", 7},
		{"'a\u2019'b'", "a'b", 8}, // mixed quote characters also pair up
		{"'a\u2019 b'", "a", 5},
		{"'a\u2019\u2018b'", "a\u2018b", 10},
		{`'$(x) "y" ` + "`z'", `$(x) "y" ` + "`z", 13},
		{`''`, "", 2},
	}
	for _, c := range cases {
		v, n, err := readPSLiteral(c.src)
		if err != nil || v != c.value || n != c.n {
			t.Errorf("readPSLiteral(%q) = %q, %d, %v; want %q, %d", c.src, v, n, err, c.value, c.n)
		}
	}
	for _, bad := range []string{"", "abc", "'abc", "'a''"} {
		if _, _, err := readPSLiteral(bad); err == nil {
			t.Errorf("readPSLiteral(%q) accepted", bad)
		}
	}
}

func TestPSQuote(t *testing.T) {
	cases := map[string]string{
		"":                  "''",
		"abc":               "'abc'",
		"it's":              "'it''s'",
		"a\u2018b\u2019c":   "'a\u2018\u2018b\u2019\u2019c'",
		"\u201a\u201b":      "'\u201a\u201a\u201b\u201b'",
		`$env:X "y" ` + "`": `'$env:X "y" ` + "`'",
		"a\u201cb\uff07c":   "'a\u201cb\uff07c'", // double quotes and the fullwidth apostrophe are not single quotes to PowerShell
	}
	for in, want := range cases {
		if got := PSQuote(in); got != want {
			t.Errorf("PSQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPSLiteral(t *testing.T) {
	if got, err := PSLiteral("it's"); err != nil || got != "'it''s'" {
		t.Errorf("PSLiteral(it's) = %q, %v", got, err)
	}
	for in, mention := range map[string]string{
		"a\x00b":   "NUL (at byte 1)",
		"ab\xff":   "byte 2 is not",
		"\xe2\x80": "byte 0 is not",
	} {
		_, err := PSLiteral(in)
		if err == nil || !strings.Contains(err.Error(), mention) {
			t.Errorf("PSLiteral(%q) = %v; want an error mentioning %q", in, err, mention)
		}
	}
}

func FuzzPSQuote(f *testing.F) {
	for _, s := range []string{"", "abc", "it's", "'", "''", "\u2018\u2019\u201a\u201b", "a'\u2019'b", "\xe2\x80", "\xe2\x80\u2018", "$(x)`'\n\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := PSQuote(s)
		// Followed by more script, the literal must still end where it
		// should. (A quote right after it would be PowerShell's doubled
		// quote, so generated scripts always follow a literal with
		// something else: space, ')', ';', a newline.)
		for _, tail := range []string{"", " ; x", ")", "\n'"} {
			v, n, err := readPSLiteral(lit + tail)
			if err != nil {
				t.Fatalf("PSQuote(%q) = %q does not read back: %v", s, lit, err)
			}
			if v != s || n != len(lit) {
				t.Fatalf("PSQuote(%q) = %q reads back as %q using %d of %d bytes", s, lit, v, n, len(lit))
			}
		}
		got, err := PSLiteral(s)
		if valid := utf8.ValidString(s) && !strings.Contains(s, "\x00"); valid != (err == nil) {
			t.Fatalf("PSLiteral(%q): err = %v, valid = %v", s, err, valid)
		}
		if err == nil && got != lit {
			t.Fatalf("PSLiteral(%q) = %q, PSQuote = %q", s, got, lit)
		}
	})
}
