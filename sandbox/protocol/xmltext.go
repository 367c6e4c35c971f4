package protocol

import "unicode/utf8"

// plainXML marks the bytes xml.EscapeText copies as they are: printable
// ASCII other than the five it escapes.
var plainXML = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\'' && c != '&' && c != '<' && c != '>'
	}
	return t
}()

// AppendXMLText appends s escaped exactly as xml.EscapeText escapes it
// (quotes, apostrophes, tabs and line ends as character references, and
// what XML cannot hold as U+FFFD), without its copy of s into a []byte and
// its writes through an io.Writer: the hand-written replies of thousands of
// items call it for every value. TestAppendXMLTextMatchesEscapeText keeps
// the two equal.
func AppendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		// Copy the run of bytes that need no escaping in one append.
		j := i
		for j < len(s) && plainXML[s[j]] {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		switch c := s[i]; c {
		case '"':
			b = append(b, "&#34;"...)
		case '\'':
			b = append(b, "&#39;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '\t':
			b = append(b, "&#x9;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		default:
			if c < utf8.RuneSelf { // another control character
				b = append(b, "\uFFFD"...)
				break
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if !inXMLCharRange(r) || (r == utf8.RuneError && size == 1) {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return b
}

// inXMLCharRange is XML 1.0's Char production, as encoding/xml reads it.
func inXMLCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
