package drift

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
)

// protoMagic starts every body in Kubernetes' protobuf encoding
// (application/vnd.kubernetes.protobuf); a JSON body cannot start with it.
const protoMagic = "k8s\x00"

// contentTypeProtobuf is the media type of that encoding; the envelope
// names it (or nothing) for a raw object in it.
const contentTypeProtobuf = "application/vnd.kubernetes.protobuf"

// protoBuffer is the read buffer of a page in protobuf: a node that fits
// is read where it lies in the buffer, not copied out first. A node is a
// few kilobytes; one with hundreds of images, tens.
const protoBuffer = 64 << 10

// decodeNodes reads a page of GET /api/v1/nodes in whichever encoding the
// server chose: the reply's Content-Type is not visible through client-go's
// Stream, so the body's first bytes tell, as they do for kube's own
// serializers. They are read on their own, not through a buffer of the
// whole body: the JSON decoder buffers it itself.
func decodeNodes(body io.Reader, images bool, limit int) (*corev1.NodeList, error) {
	var head [len(protoMagic)]byte
	n, err := io.ReadFull(body, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("reading the list of nodes: %w", err)
	}
	whole := io.MultiReader(bytes.NewReader(head[:n]), body)
	if string(head[:n]) == protoMagic {
		return decodeNodePageProto(whole, images, limit)
	}
	return decodeNodePage(whole, images, limit)
}

// decodeNodePageProto reads a page of nodes in Kubernetes' protobuf
// encoding, keeping exactly what decodeNodePage keeps. The encoding puts
// each field's length before it, so everything a report does not read (a
// node's images with their sizes, conditions' messages, addresses,
// capacity, managed fields) is stepped over without being looked at.
//
// The body is the magic, then a runtime.Unknown: typeMeta (1), raw (2, the
// NodeList), contentEncoding (3), contentType (4). The list is read as it
// arrives, node by node: a page is megabytes, a node kilobytes, so no
// buffer of the page is made, and each node is read while it is in the
// CPU's cache. Every string kept is copied out of the read buffer.
//
// limit, the page size asked for, sizes the list.
func decodeNodePageProto(body io.Reader, images bool, limit int) (*corev1.NodeList, error) {
	s := &protoStream{r: bufio.NewReaderSize(body, protoBuffer), left: math.MaxUint64}
	out, err := s.envelope(images, limit)
	if err != nil {
		return nil, fmt.Errorf("decoding the list of nodes: %w", err)
	}
	return out, nil
}

// envelope checks the magic and reads the runtime.Unknown, its list
// included.
func (s *protoStream) envelope(images bool, limit int) (*corev1.NodeList, error) {
	var magic [len(protoMagic)]byte
	if _, err := io.ReadFull(s.r, magic[:]); err != nil || string(magic[:]) != protoMagic {
		return nil, errors.New("not Kubernetes' protobuf encoding (no k8s\\x00 magic)")
	}
	var out *corev1.NodeList
	var kind, encoding, contentType string
	for {
		num, typ, err := s.tag()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("envelope: %w", err)
		}
		if num > 4 {
			if err := s.skip(typ); err != nil {
				return nil, fmt.Errorf("envelope field %d: %w", num, err)
			}
			continue
		}
		if typ != protowire.BytesType {
			return nil, fmt.Errorf("envelope field %d: wire type %d, want %d", num, typ, protowire.BytesType)
		}
		n, err := s.varint()
		if err != nil {
			return nil, fmt.Errorf("envelope field %d: %w", num, unexpected(err))
		}
		if num == 2 {
			if out, err = s.nodeList(n, images, limit); err != nil {
				return nil, err
			}
			continue
		}
		b, err := s.field(n)
		if err != nil {
			return nil, fmt.Errorf("envelope field %d: %w", num, err)
		}
		switch num {
		case 1: // kube writes it first: a Status is known before its bytes are read as a list
			if kind, err = typeMetaKind(b); err != nil {
				return nil, err
			}
			if kind != "NodeList" {
				return nil, fmt.Errorf("the reply is a %q, not a NodeList", kind)
			}
		case 3:
			encoding = string(b)
		case 4:
			contentType = string(b)
		}
	}
	switch {
	case kind != "NodeList":
		return nil, fmt.Errorf("the reply is a %q, not a NodeList", kind)
	case encoding != "":
		return nil, fmt.Errorf("the list has content encoding %q, which winami does not read", encoding)
	case contentType != "" && contentType != contentTypeProtobuf:
		return nil, fmt.Errorf("the list is in %q, not protobuf", contentType)
	case out == nil:
		return nil, errors.New("the envelope holds no list")
	}
	return out, nil
}

// nodeList reads a NodeList of n bytes: metadata (1), items (2).
func (s *protoStream) nodeList(n uint64, images bool, limit int) (*corev1.NodeList, error) {
	if err := s.take(n); err != nil {
		return nil, err
	}
	outer := s.left
	s.left = n
	out := &corev1.NodeList{}
	for s.left > 0 {
		num, typ, err := s.tag()
		if err != nil {
			return nil, fmt.Errorf("NodeList: %w", unexpected(err))
		}
		if num != 1 && num != 2 {
			if err := s.skip(typ); err != nil {
				return nil, fmt.Errorf("NodeList field %d: %w", num, err)
			}
			continue
		}
		if typ != protowire.BytesType {
			return nil, fmt.Errorf("NodeList field %d: wire type %d, want %d", num, typ, protowire.BytesType)
		}
		l, err := s.varint()
		if err != nil {
			return nil, fmt.Errorf("NodeList field %d: %w", num, unexpected(err))
		}
		b, err := s.field(l)
		if err != nil {
			return nil, fmt.Errorf("NodeList field %d: %w", num, err)
		}
		if num == 1 {
			if err := protoListMeta(b, out); err != nil {
				return nil, err
			}
			continue
		}
		if out.Items == nil {
			out.Items = make([]corev1.Node, 0, min(max(limit, 0), 1000))
		}
		out.Items = append(out.Items, corev1.Node{})
		if err := protoNode(b, &out.Items[len(out.Items)-1], images); err != nil {
			return nil, fmt.Errorf("node %d: %w", len(out.Items)-1, err)
		}
	}
	s.left = outer
	return out, nil
}

// protoStream reads a protobuf message as it arrives, for the fields
// around the nodes; each node is read whole (field) and walked by pbuf.
type protoStream struct {
	r *bufio.Reader
	// left is what is left of the message being read; a field longer is
	// an error, not a read into what follows.
	left uint64
	// pending is the length of the field last returned in place, still
	// in r's buffer until the next read.
	pending int
	// scratch holds a field longer than r's buffer.
	scratch []byte
}

// settle lets go of the field last returned.
func (s *protoStream) settle() {
	if s.pending > 0 {
		_, _ = s.r.Discard(s.pending) // it was peeked: it is there
		s.pending = 0
	}
}

// take counts n bytes off the message being read.
func (s *protoStream) take(n uint64) error {
	if n > s.left {
		return fmt.Errorf("a field of %d bytes where %d are left", n, s.left)
	}
	s.left -= n
	return nil
}

// varint reads a varint; io.EOF if the body ends before it.
func (s *protoStream) varint() (uint64, error) {
	s.settle()
	b, err := s.r.Peek(int(min(s.left, binary.MaxVarintLen64)))
	v, n := protowire.ConsumeVarint(b)
	switch {
	case n >= 0:
	case len(b) == 0 && err == io.EOF:
		return 0, io.EOF
	case err != nil:
		return 0, unexpected(err)
	default:
		return 0, protowire.ParseError(n)
	}
	s.left -= uint64(n)
	_, _ = s.r.Discard(n)
	return v, nil
}

// tag reads a field's number and wire type; io.EOF if the body ends
// before it.
func (s *protoStream) tag() (protowire.Number, protowire.Type, error) {
	v, err := s.varint()
	if err != nil {
		return 0, 0, err
	}
	num, typ := protowire.DecodeTag(v)
	if num < protowire.MinValidNumber {
		return 0, 0, fmt.Errorf("field number %d", num)
	}
	return num, typ, nil
}

// field reads n bytes, valid until the next read: in place when they fit
// in the read buffer, else in scratch.
func (s *protoStream) field(n uint64) ([]byte, error) {
	s.settle()
	if err := s.take(n); err != nil {
		return nil, err
	}
	if n <= uint64(s.r.Size()) {
		b, err := s.r.Peek(int(n))
		if err != nil {
			return nil, unexpected(err)
		}
		s.pending = int(n)
		return b, nil
	}
	// Grown as the bytes arrive, so a length that lies costs no more than
	// what was sent.
	s.scratch = s.scratch[:0]
	for uint64(len(s.scratch)) < n {
		step := int(min(n-uint64(len(s.scratch)), 1<<20))
		s.scratch = slices.Grow(s.scratch, step)
		got, err := io.ReadFull(s.r, s.scratch[len(s.scratch):len(s.scratch)+step])
		s.scratch = s.scratch[:len(s.scratch)+got]
		if err != nil {
			return nil, unexpected(err)
		}
	}
	return s.scratch, nil
}

// skip steps over a field's value. Groups are refused: no Kubernetes
// encoder writes them.
func (s *protoStream) skip(typ protowire.Type) error {
	var n uint64
	switch typ {
	case protowire.VarintType:
		_, err := s.varint()
		return unexpected(err)
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	case protowire.BytesType:
		var err error
		if n, err = s.varint(); err != nil {
			return unexpected(err)
		}
	default:
		return fmt.Errorf("wire type %d", typ)
	}
	s.settle()
	if err := s.take(n); err != nil {
		return err
	}
	for n > 0 {
		step := int(min(n, 1<<30))
		if _, err := s.r.Discard(step); err != nil {
			return unexpected(err)
		}
		n -= uint64(step)
	}
	return nil
}

// unexpected is err, with a body that ends mid-field called so.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// typeMetaKind is the kind of a TypeMeta: apiVersion (1), kind (2).
func typeMetaKind(b []byte) (string, error) {
	p := pbuf{b: b, in: "TypeMeta"}
	var kind string
	for p.more() {
		num, typ := p.tag()
		if num == 2 {
			p.str(typ, &kind)
		} else {
			p.skip(num, typ)
		}
	}
	return kind, p.err
}
