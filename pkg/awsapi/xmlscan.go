package awsapi

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlScanner splits an AWS query-protocol reply into tags, each with the
// text before it, without building anything it is not asked for: the few
// fields a lean decoder keeps are copied out, the rest is skipped over in
// the reader's buffer. It reads what AWS sends (elements, a declaration,
// namespaces, entity and character references, CDATA and comments), not
// the whole of XML: no DTDs.
type xmlScanner struct {
	r       *bufio.Reader
	scratch []byte // a tag or text longer than the reader's buffer
	text    []byte // the text before the tag, gathered across CDATA and comments
}

// xmlTag is valid until the scanner's next call.
type xmlTag struct {
	end         bool   // </name>
	selfClosing bool   // <name/>
	local       []byte // element name without its prefix
	before      []byte // the text before the tag, still escaped, CDATA unwrapped
}

// next returns the next start or end tag, or io.EOF after the last.
func (x *xmlScanner) next() (xmlTag, error) {
	x.text = x.text[:0]
	gathered := false // the text is in x.text, not in chunk
	for {
		// One read gives the text and the tag after it: "text<tag>".
		chunk, err := x.readThrough('>')
		if err == io.EOF && len(bytes.TrimSpace(append(x.text, chunk...))) > 0 {
			return xmlTag{}, errors.New("text after the last element, or a reply cut short")
		}
		if err != nil {
			return xmlTag{}, err // io.EOF, or reading the reply failed
		}
		lt := bytes.IndexByte(chunk, '<')
		if lt < 0 { // a '>' in text
			x.text, gathered = append(x.text, chunk...), true
			continue
		}
		text, tag := chunk[:lt], chunk[lt+1:]
		if !tagComplete(tag) {
			// Copied first: reading on moves the reader's buffer.
			x.text, gathered = append(x.text, text...), true
			if tag, err = x.readRestOfTag(tag); err != nil {
				return xmlTag{}, err
			}
			text = nil
		}
		tag = tag[:len(tag)-1]
		switch {
		case bytes.HasPrefix(tag, []byte("![CDATA[")):
			x.text = append(x.text, text...)
			x.text, gathered = append(x.text, escapeCDATA(tag[len("![CDATA["):len(tag)-len("]]")])...), true
			continue
		case bytes.HasPrefix(tag, []byte("!--")), bytes.HasPrefix(tag, []byte("?")):
			x.text, gathered = append(x.text, text...), true
			continue
		case bytes.HasPrefix(tag, []byte("!")):
			return xmlTag{}, fmt.Errorf("unsupported markup <%s>", tag)
		}
		t, err := parseTag(tag)
		if gathered {
			t.before = append(x.text, text...)
		} else {
			t.before = text // still in the reader's buffer, valid until the next read
		}
		return t, err
	}
}

// skip reads past the end of the element whose start tag was read last,
// without looking at what it holds: the tags are only counted, never
// parsed. Most of an EC2 reply is such elements.
func (x *xmlScanner) skip() error {
	for depth := 1; depth > 0; {
		chunk, err := x.readThrough('>')
		if err == io.EOF {
			return errors.New("a reply cut short inside an element")
		}
		if err != nil {
			return err
		}
		lt := bytes.IndexByte(chunk, '<')
		if lt < 0 {
			continue // a '>' in text
		}
		tag := chunk[lt+1:]
		if !tagComplete(tag) {
			if tag, err = x.readRestOfTag(tag); err != nil {
				return err
			}
		}
		tag = tag[:len(tag)-1]
		switch {
		case len(tag) == 0:
			return errors.New("an element without a name")
		case tag[0] == '/':
			depth--
		case bytes.HasPrefix(tag, []byte("!--")), bytes.HasPrefix(tag, []byte("![CDATA[")), tag[0] == '?':
		case tag[0] == '!':
			return fmt.Errorf("unsupported markup <%s>", tag)
		case tag[len(tag)-1] != '/':
			depth++
		}
	}
	return nil
}

// readThrough reads up to and including delim; a run longer than the
// reader's buffer is gathered in scratch.
func (x *xmlScanner) readThrough(delim byte) ([]byte, error) {
	b, err := x.r.ReadSlice(delim)
	if err != bufio.ErrBufferFull {
		return b, err
	}
	x.scratch = append(x.scratch[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = x.r.ReadSlice(delim)
		x.scratch = append(x.scratch, b...)
	}
	return x.scratch, err
}

// readRestOfTag reads on until the tag begun in part is whole: a '>'
// inside a quoted attribute value, a comment or a CDATA section does not
// end it.
func (x *xmlScanner) readRestOfTag(part []byte) ([]byte, error) {
	tag := append([]byte(nil), part...)
	for !tagComplete(tag) {
		b, err := x.readThrough('>')
		if err == io.EOF {
			return nil, errors.New("a reply cut short inside a tag")
		}
		if err != nil {
			return nil, err
		}
		tag = append(tag, b...)
	}
	return tag, nil
}

// tagComplete reports whether b, which ends in '>', is a whole tag.
func tagComplete(b []byte) bool {
	if len(b) > 0 && b[0] == '!' {
		switch {
		case bytes.HasPrefix(b, []byte("!--")):
			return len(b) >= len("!---->") && bytes.HasSuffix(b, []byte("-->"))
		case bytes.HasPrefix(b, []byte("![CDATA[")):
			return bytes.HasSuffix(b, []byte("]]>"))
		}
	}
	if bytes.IndexByte(b, '"') < 0 && bytes.IndexByte(b, '\'') < 0 {
		return true
	}
	return bytes.Count(b, []byte{'"'})%2 == 0 && bytes.Count(b, []byte{'\''})%2 == 0
}

// parseTag reads a start or end tag: its local name and whether it closes
// itself. Attributes (a namespace declaration) are not read.
func parseTag(tag []byte) (xmlTag, error) {
	var tok xmlTag
	if len(tag) > 0 && tag[0] == '/' {
		tok.end = true
		tag = tag[1:]
	} else if len(tag) > 0 && tag[len(tag)-1] == '/' {
		tok.selfClosing = true
		tag = tag[:len(tag)-1]
	}
	name := tag
	for i, c := range tag {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			name = tag[:i]
			break
		}
	}
	if len(name) == 0 {
		return xmlTag{}, errors.New("an element without a name")
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	tok.local = name
	return tok, nil
}

// escapeCDATA escapes a CDATA section's '&', so the text it joins can be
// unescaped as a whole.
func escapeCDATA(b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 {
		return b
	}
	return bytes.ReplaceAll(b, []byte("&"), []byte("&amp;"))
}

// unescapeXML appends b to dst with the five named entities and character
// references resolved.
func unescapeXML(dst, b []byte) ([]byte, error) {
	out := dst
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		b = b[i+1:]
		j := bytes.IndexByte(b, ';')
		if j < 0 {
			return nil, errors.New("an unterminated entity reference")
		}
		ref := string(b[:j])
		b = b[j+1:]
		switch ref {
		case "amp":
			out = append(out, '&')
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			r, err := charRef(ref)
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}

// charRef reads "#NN" or "#xHH".
func charRef(ref string) (rune, error) {
	num, base := strings.CutPrefix(ref, "#x")
	b := 16
	if !base {
		var ok bool
		if num, ok = strings.CutPrefix(ref, "#"); !ok {
			return 0, fmt.Errorf("unknown entity &%s;", ref)
		}
		b = 10
	}
	n, err := strconv.ParseUint(num, b, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, fmt.Errorf("invalid character reference &%s;", ref)
	}
	return rune(n), nil
}
