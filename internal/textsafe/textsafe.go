// Package textsafe makes untrusted strings safe to show on a terminal and in
// line-oriented output. Spec keys, component documents, node-reported
// fields and endpoint replies can hold newlines, carriage returns, NUL or
// ANSI escape sequences that would forge lines, split records or drive the
// terminal; JSON and the Prometheus format escape these by themselves,
// tables, -o text and messages do not.
package textsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL, C1, and the
// Unicode format characters that reorder text) written as a Go escape:
// \n, \r, \t, \x1b, \u202e. Other text is unchanged.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && isInvalidAt(s, i):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Shorten cuts s to at most max runes, saying how much was left out, so
// that a 5 MB value does not fill a terminal inside an error message.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	return string(runes[:max]) + fmt.Sprintf("…(%d more characters)", len(runes)-max)
}

func needsEscape(s string) bool {
	for i, r := range s {
		if unsafeRune(r) || r == '\n' || r == '\r' || r == '\t' || (r == utf8.RuneError && isInvalidAt(s, i)) {
			return true
		}
	}
	return false
}

// unsafeRune reports control and bidirectional formatting characters.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || (unicode.Is(unicode.Cf, r) && r != '\u200d') // keep ZWJ (emoji)
}

func isInvalidAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r == utf8.RuneError && size == 1
}

// Lines escapes each line of s as Escape does, keeping the line breaks
// (messages such as a spec's problems are one a line), and cuts each line
// to max runes.
func Lines(s string, max int) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = Shorten(Escape(strings.TrimSuffix(l, "\r")), max)
	}
	return strings.Join(lines, "\n")
}
