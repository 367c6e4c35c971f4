package protocol

import (
	"bytes"
	"encoding/xml"
	"testing"
)

var xmlTextCases = []string{
	"", "plain", "a&b<c>d\"e'f", "tab\there\nnew\rline", "\x00\x01\x1f\x7f",
	"é ü 日本 \u2028", "bad \xff\xfe utf8", "\ufffd real replacement", "\xef\xbf\xbe \uffff",
	"\U0001F600 astral", "\xed\xa0\x80 surrogate", "trailing &", "<", "ends in \xc3",
}

// TestAppendXMLTextMatchesEscapeText: AppendXMLText writes what
// xml.EscapeText writes, byte for byte.
func TestAppendXMLTextMatchesEscapeText(t *testing.T) {
	for _, s := range xmlTextCases {
		var want bytes.Buffer
		_ = xml.EscapeText(&want, []byte(s))
		if got := AppendXMLText([]byte("pre:"), s); !bytes.Equal(got, append([]byte("pre:"), want.Bytes()...)) {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want.Bytes())
		}
	}
}

func FuzzAppendXMLText(f *testing.F) {
	for _, s := range xmlTextCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		_ = xml.EscapeText(&want, []byte(s))
		if got := AppendXMLText(nil, s); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q:\n got %q\nwant %q", s, got, want.Bytes())
		}
	})
}
