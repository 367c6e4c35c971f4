package component

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// psQuotes are the characters PowerShell's tokenizer treats as a single
// quote (CharExtensions.IsSingleQuote): the ASCII apostrophe and the four
// typographic single quotes. Doubling only U+0027 would let a U+2019 in a
// value close the literal.
const psQuotes = "'\u2018\u2019\u201a\u201b"

func isPSQuote(r rune) bool { return strings.ContainsRune(psQuotes, r) }

// PSQuote returns s as a single-quoted PowerShell string literal: inside
// one, PowerShell expands nothing ($, `, " are plain text) and the only
// special characters are the single quotes, each of which is doubled.
//
// Bytes that are not valid UTF-8 are copied as they are; use PSLiteral
// for values that must also be safe to write into a script file.
func PSQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+size])
		if size > 1 || r != utf8.RuneError {
			if isPSQuote(r) {
				b.WriteString(s[i : i+size])
			}
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// PSLiteral is PSQuote for values that go into a script: it refuses NUL
// (which ends a string in the Win32 APIs a script passes it to) and
// invalid UTF-8 (which the script's reader would replace or misread).
func PSLiteral(s string) (string, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return "", fmt.Errorf("%q: a PowerShell value may not contain NUL (at byte %d)", s, i)
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", fmt.Errorf("%q: a PowerShell value must be valid UTF-8 (byte %d is not)", s, i)
			}
			i += size
		}
		return "", errors.New("invalid UTF-8")
	}
	return PSQuote(s), nil
}
