package imageref

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const base = "mcr.microsoft.com/windows/servercore"

// hostile are references an attacker (or a careless spec) could write to
// break out of the PowerShell literal, a command line or a path. Each must
// be rejected with an error that names the part at fault (mention, as it
// appears quoted with strconv.Quote).
var hostile = []struct{ in, mention string }{
	{base + ":ltsc2022'; Remove-Item C:\\ -Recurse; '", `ltsc2022'; Remove-Item`},
	{base + `:ltsc2022"`, `"ltsc2022\""`},
	{base + ":ltsc`2022", "ltsc`2022"},
	{base + ":$(Invoke-Expression evil)", `$(Invoke-Expression evil)`},
	{base + ":${env:PATH}", `${env:PATH}`},
	{base + ":$env:USERNAME", `"servercore:$env"`},
	{base + ":a;b", `"a;b"`},
	{base + ":a&b", `"a&b"`},
	{base + ":a|b", `"a|b"`},
	{base + ":a>b", `"a>b"`},
	{base + ":a<b", `"a<b"`},
	{base + ":ltsc2022\nWrite-Host pwned", `"ltsc2022\nWrite-Host pwned"`},
	{base + ":ltsc2022\r", `"\r" after`},
	{base + ":ltsc\x002022", `"ltsc\x002022"`},
	{base + ":ltsc\t2022", `"ltsc\t2022"`},
	{base + ":ltsc\u20182022", "ltsc\u20182022"},
	{base + ":ltsc\u20192022", "ltsc\u20192022"},
	{base + ":ltsc\u201a2022", "ltsc\u201a2022"},
	{base + ":ltsc\u201b2022", "ltsc\u201b2022"},
	{base + ":ltsc\u201c2022", "ltsc\u201c2022"},
	{base + ":ltsc\u201d2022", "ltsc\u201d2022"},
	{base + ":ltsc\uff072022", "ltsc\uff072022"},
	{base + ":ltsc\u200b2022", `"ltsc\u200b2022"`},
	{"mcr.microsoft.com/windows\u200d/servercore:ltsc2022", `"windows\u200d"`},
	{base + ":ltsc2022\ufeff", `"ltsc2022\ufeff"`},
	{base + ":" + strings.Repeat("a", 5000), "5037 bytes long"},
	{"mcr.microsoft.com/" + strings.Repeat("a/", 200) + "b", "at most 255"},
	{"-rf", `"-rf"`},
	{"--user", `"--user"`},
	{"--user=AWS:x mcr.microsoft.com/r", `"--user=AWS:x mcr.microsoft.com"`},
	{"mcr.microsoft.com/../../etc/passwd", `component ".."`},
	{"mcr.microsoft.com/windows/./servercore", `component "."`},
	{"mcr.microsoft.com/Windows/ServerCore:ltsc2022", `component "Windows"`},
	{"", "empty"},
	{" " + base + ":ltsc2022", `" " before`},
	{base + ":ltsc2022 ", `" " after`},
	{"mcr.microsoft.com;calc.exe/r:1", `label "com;calc"`},
	{"mcr.microsoft.com/r:1@sha256:" + strings.Repeat("a", 63) + "'", "must be 64 lowercase hex"},
	{"mcr.microsoft.com/r:1@sha256:$(whoami)", `"$(whoami)"`},
	{"mcr.microsoft.com\\windows/r:1", `"mcr.microsoft.com\\windows"`},
	{"\xff\xfe/r:1", `"\xff\xfe"`},
	{"mcr.microsoft.com/r:\xc3\x28", `"\xc3("`},
	{"'mcr.microsoft.com/r:1'", `tag "1'"`},
	{"mcr.microsoft.com/r@sha256:" + strings.Repeat("a", 64) + "#", `must be 64 lowercase hex`},
}

func TestInjectionCorpus(t *testing.T) {
	if len(hostile) < 30 {
		t.Fatalf("the corpus has %d references; the issue asks for at least 30", len(hostile))
	}
	for _, c := range hostile {
		r, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted %+v", c.in, r)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.mention) {
			t.Errorf("Parse(%s):\n  %s\nshould mention %s", shorten(c.in), msg, c.mention)
		}
		// The message itself must be safe to print: one line, valid UTF-8.
		if strings.ContainsAny(msg, "\n\r\x00") || !utf8.ValidString(msg) {
			t.Errorf("Parse(%q): the message is not one clean line: %q", c.in, msg)
		}
		if len(msg) > 600 {
			t.Errorf("Parse(%q): a %d-byte message", c.in, len(msg))
		}
	}
}

// allowed is every character the grammar can accept anywhere in a reference.
func allowed(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/:@[]", r)
}

func FuzzParse(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.in)
	}
	for _, s := range []string{
		base + ":ltsc2022",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0@" + d256,
		"[::1]:5000/a__b/c-d:t", "localhost/r", "docker.io/library/busybox@" + d512,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if r != (Ref{}) {
				t.Fatalf("Parse(%q) failed but returned %+v", s, r)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x00") || !utf8.ValidString(msg) {
				t.Fatalf("Parse(%q): unclean message %q", s, msg)
			}
			return
		}
		if got := r.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if again, err := Parse(r.String()); err != nil || again != r {
			t.Fatalf("reparse of %q: %+v, %v", s, again, err)
		}
		for i, c := range s {
			if !allowed(c) {
				t.Fatalf("Parse accepted %q with %s at byte %d", s, strconv.QuoteRune(c), i)
			}
		}
		if r.Registry == "" || r.Repository == "" || strings.HasPrefix(s, "-") {
			t.Fatalf("Parse(%q) accepted an incomplete reference %+v", s, r)
		}
	})
}
