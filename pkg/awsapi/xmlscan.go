package awsapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// xmlScanner splits an AWS query-protocol reply into tags, each with the
// text before it, without building anything it is not asked for: the few
// fields a lean decoder keeps are copied out, the rest is stepped over by
// index in a window of the reply. It reads what AWS sends (elements, a
// declaration, namespaces, entity and character references, CDATA and
// comments), not the whole of XML: no DTDs.
type xmlScanner struct {
	r   io.Reader
	buf []byte // the window: what was read and not yet consumed, from pos
	pos int    // where the next tag's text begins
	eof bool   // r is read to its end
	// text is the text before a tag when it was gathered across CDATA or
	// comments (or across a window's refill).
	text []byte
	tag  xmlTag // the tag next read last
	name []byte // the name of the element skip steps over
}

// newXMLScanner reads r through a window of size bytes, which grows only
// for a tag or text longer than that.
func newXMLScanner(r io.Reader, size int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 0, size)}
}

// xmlTag is a tag in the window, by offsets: the scanner writes no
// pointers per tag, which cost a write barrier each while the collector
// runs. It is valid until the scanner's next call.
type xmlTag struct {
	end         bool // </name>
	selfClosing bool // <name/>
	// The name as written, prefix and all (its end tag is </name>), is
	// buf[name:nameEnd]; without its prefix, buf[local:nameEnd].
	name, local, nameEnd int
	// The text before the tag, still escaped, CDATA unwrapped, is
	// buf[before:beforeEnd], or x.text when gathered.
	before, beforeEnd int
	gathered          bool
}

// tagName is the name of the tag read last, prefix and all.
func (x *xmlScanner) tagName() []byte { return x.buf[x.tag.name:x.tag.nameEnd] }

// tagLocal is the name of the tag read last, without its prefix.
func (x *xmlScanner) tagLocal() []byte { return x.buf[x.tag.local:x.tag.nameEnd] }

// tagText is the text before the tag read last.
func (x *xmlScanner) tagText() []byte {
	if x.tag.gathered {
		return x.text
	}
	return x.buf[x.tag.before:x.tag.beforeEnd]
}

// plainNameByte is the bytes of a name, prefix aside, that the fast path
// of next takes as they are: an ASCII letter, digit, '-', '_', '.', or a
// byte of a multi-byte UTF-8 rune.
var plainNameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c >= 0x80
	}
	return t
}()

// errMore is markup that runs past the window: read on and look again.
var errMore = errors.New("the window ends inside markup")

// more moves what is not consumed, from pos, to the front of the window
// and fills the rest, growing the window when that is full: markup the
// window cuts is looked at again once a window, not once a read. It
// reports whether anything was read: false at the end of the reply. A
// read error is returned as it is, for the caller to tell from a
// malformed reply.
func (x *xmlScanner) more() (bool, error) {
	if x.eof {
		return false, nil
	}
	n := copy(x.buf[:cap(x.buf)], x.buf[x.pos:])
	x.buf, x.pos = x.buf[:n], 0
	if n == cap(x.buf) {
		x.buf = slices.Grow(x.buf, n)
	}
	for len(x.buf) < cap(x.buf) {
		m, err := x.r.Read(x.buf[len(x.buf):cap(x.buf)])
		x.buf = x.buf[:len(x.buf)+m]
		if err == io.EOF {
			x.eof = true
			break
		}
		if err != nil {
			return false, err
		}
	}
	return len(x.buf) > n, nil
}

// next reads the next start or end tag into x.tag, or returns io.EOF
// after the last.
func (x *xmlScanner) next() error {
	x.text = x.text[:0]
	gathered := false // the text is in x.text, not only in the window
	for {
		rest := x.buf[x.pos:]
		lt := bytes.IndexByte(rest, '<')
		err := errMore
		if lt >= 0 {
			text := rest[:lt]
			at := x.pos + lt + 1 // just past '<'
			var markup bool
			if x.plainTag(at) {
				err = nil
			} else if markup, err = x.otherTag(at, text); markup {
				gathered = true // CDATA, a comment, a declaration: the text goes on
				continue
			}
			if err == nil {
				x.tag.before, x.tag.beforeEnd, x.tag.gathered = at-1-len(text), at-1, gathered
				if gathered {
					x.text = append(x.text, text...)
				}
				return nil
			}
		}
		if err != errMore {
			return err
		}
		// The window ends before the tag does; what was read of the text is
		// kept, as the window moves, by pos.
		more, err := x.more()
		if err != nil {
			return err
		}
		if more {
			continue
		}
		rest = x.buf[x.pos:]
		x.pos = len(x.buf)
		if lt >= 0 {
			return errors.New("a reply cut short inside a tag")
		}
		if len(bytes.TrimSpace(x.text)) > 0 || len(bytes.TrimSpace(rest)) > 0 {
			return errors.New("text after the last element, or a reply cut short")
		}
		return io.EOF
	}
}

// plainTag reads, at i just past '<', a tag without attributes or spaces,
// <name>, </name> or <name/>: most tags of a reply, read in one pass over
// their bytes. It declines any other (false), for otherTag to read.
func (x *xmlScanner) plainTag(i int) bool {
	b := x.buf
	endTag := i < len(b) && b[i] == '/'
	if endTag {
		i++
	}
	start, local := i, i
	for ; i < len(b); i++ {
		c := b[i]
		if plainNameByte[c] {
			continue
		}
		if c != ':' {
			break
		}
		if local == start {
			local = i + 1 // the prefix ends at the first ':'
		}
	}
	if i >= len(b) || i == start || local == i {
		return false
	}
	end := i
	switch b[i] {
	case '>':
	case '/':
		if endTag || i+1 >= len(b) || b[i+1] != '>' {
			return false
		}
		i++
	default:
		return false
	}
	t := &x.tag
	t.end, t.selfClosing = endTag, i != end
	t.name, t.local, t.nameEnd = start, local, end
	x.pos = i + 1
	return true
}

// leafText reads on, after a start tag, an element's text and end tag
// when that is all it holds, written plainly (</name>): ok false, having
// read nothing, for any other content, or one the window cuts.
func (x *xmlScanner) leafText() (text []byte, ok bool) {
	rest := x.buf[x.pos:]
	lt := bytes.IndexByte(rest, '<')
	name := x.buf[x.tag.name:x.tag.nameEnd]
	gt := lt + 2 + len(name)
	if lt < 0 || gt >= len(rest) || rest[lt+1] != '/' || rest[gt] != '>' || !bytes.Equal(rest[lt+2:gt], name) {
		return nil, false
	}
	x.pos += gt + 1
	return rest[:lt], true
}

// otherTag reads, at i just past '<', what plainTag declines: CDATA, a
// comment or a declaration (markup true: the text before it, and CDATA's,
// is added to x.text), or a tag with attributes or spaces. errMore is
// markup the window cuts.
func (x *xmlScanner) otherTag(i int, text []byte) (markup bool, err error) {
	b := x.buf
	switch {
	case bytes.HasPrefix(b[i:], []byte("![CDATA[")):
		from := i + len("![CDATA[")
		n := bytes.Index(b[from:], []byte("]]>"))
		if n < 0 {
			return false, errMore
		}
		x.text = append(x.text, text...)
		x.text = append(x.text, escapeCDATA(b[from:from+n])...)
		x.pos = from + n + len("]]>")
		return true, nil
	case bytes.HasPrefix(b[i:], []byte("!--")), bytes.HasPrefix(b[i:], []byte("?")):
		end, err := markupEnd(b, i)
		if err != nil {
			return false, err
		}
		x.text = append(x.text, text...)
		x.pos = end
		return true, nil
	case bytes.HasPrefix(b[i:], []byte("!")):
		gt := bytes.IndexByte(b[i:], '>')
		if gt < 0 {
			return false, errMore
		}
		return false, fmt.Errorf("unsupported markup <%s>", b[i:i+gt])
	}
	gt := tagEnd(b, i)
	if gt < 0 {
		return false, errMore
	}
	if x.tag, err = parseTag(b, i, gt); err != nil {
		return false, err
	}
	x.pos = gt + 1
	return false, nil
}

// markupEnd is where the comment or processing instruction (an XML
// declaration) at i, just past '<', ends.
func markupEnd(b []byte, i int) (int, error) {
	from, close := i+len("!--"), []byte("-->")
	if b[i] == '?' {
		from, close = i+1, []byte("?>")
	}
	n := bytes.Index(b[from:], close)
	if n < 0 {
		return 0, errMore
	}
	return from + n + len(close), nil
}

// tagEnd is the index of the '>' that ends the tag at i: a '>' in a quoted
// attribute value does not. It is -1 for a tag the window cuts.
func tagEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		switch b[i] {
		case '>':
			return i
		case '"', '\'':
			n := bytes.IndexByte(b[i+1:], b[i])
			if n < 0 {
				return -1
			}
			i += 1 + n
		}
	}
	return -1
}

// skip steps past the end of the element just opened, named x.tag.name,
// without looking at what it holds but for the end tag, markup that may
// hide '<' or '>' (comments, CDATA), and elements of the same name nested
// in it. Most of an EC2 reply is such elements, most of them a line of
// text.
func (x *xmlScanner) skip() error {
	x.name = append(x.name[:0], x.tagName()...) // the window moves
	depth := 0                                  // elements named name open inside the skipped one
	for {
		err := x.skipWindow(&depth)
		if err != errMore {
			return err
		}
		more, err := x.more()
		if err != nil {
			return err
		}
		if !more {
			return errors.New("a reply cut short inside an element")
		}
	}
}

// skipWindow is skip within the window: errMore, with pos where to look
// again, when the end is not in it.
func (x *xmlScanner) skipWindow(depth *int) error {
	b, name := x.buf, x.name
	for {
		lt := bytes.IndexByte(b[x.pos:], '<')
		if lt < 0 {
			x.pos = len(b)
			return errMore
		}
		i := x.pos + lt + 1
		if i >= len(b) {
			x.pos = i - 1
			return errMore
		}
		switch c := b[i]; {
		case c == '/':
			end, ok := nameAt(b, i+1, name)
			for ok && end < len(b) && isSpace(b[end]) {
				end++
			}
			switch {
			case ok && end >= len(b), !ok && len(b)-i-1 < len(name):
				x.pos = i - 1
				return errMore
			case ok && b[end] == '>':
				x.pos = end + 1
				if *depth == 0 {
					return nil
				}
				*depth--
				continue
			}
		case c == '!' && bytes.HasPrefix(b[i:], []byte("![CDATA[")):
			n := bytes.Index(b[i:], []byte("]]>"))
			if n < 0 {
				x.pos = i - 1
				return errMore
			}
			x.pos = i + n + len("]]>")
			continue
		case c == '!' && bytes.HasPrefix(b[i:], []byte("!--")), c == '?':
			end, err := markupEnd(b, i)
			if err != nil {
				x.pos = i - 1
				return err
			}
			x.pos = end
			continue
		case c == '!':
			gt := bytes.IndexByte(b[i:], '>')
			if gt < 0 || len(b)-i < len("![CDATA[") {
				x.pos = i - 1
				return errMore
			}
			return fmt.Errorf("unsupported markup <%s>", b[i:i+gt])
		case c == '>' || isSpace(c):
			return errors.New("an element without a name")
		default:
			end, ok := nameAt(b, i, name)
			if !ok && len(b)-i < len(name) || ok && end >= len(b) {
				x.pos = i - 1
				return errMore
			}
			if ok && (b[end] == '>' || b[end] == '/' || isSpace(b[end])) {
				gt := tagEnd(b, end)
				if gt < 0 {
					x.pos = i - 1
					return errMore
				}
				if b[gt-1] != '/' {
					*depth++
				}
				x.pos = gt + 1
				continue
			}
		}
		x.pos = i
	}
}

// nameAt reports whether name is written at b[i:], and where it ends.
func nameAt(b []byte, i int, name []byte) (int, bool) {
	end := i + len(name)
	return end, end <= len(b) && bytes.Equal(b[i:end], name)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// parseTag reads the tag b[i:gt], one with attributes or spaces: its
// name and whether it closes itself. Attributes (a namespace declaration)
// are not read.
func parseTag(b []byte, i, gt int) (xmlTag, error) {
	var tok xmlTag
	if i < gt && b[i] == '/' {
		tok.end = true
		i++
	} else if i < gt && b[gt-1] == '/' {
		tok.selfClosing = true
		gt--
	}
	end := gt
	for j := i; j < gt; j++ {
		if isSpace(b[j]) {
			end = j
			break
		}
	}
	if end == i {
		return xmlTag{}, errors.New("an element without a name")
	}
	tok.name, tok.local, tok.nameEnd = i, i, end
	if c := bytes.IndexByte(b[i:end], ':'); c >= 0 {
		tok.local = i + c + 1
	}
	return tok, nil
}
