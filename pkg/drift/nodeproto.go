package drift

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// protoMagic starts every body in Kubernetes' protobuf encoding
// (application/vnd.kubernetes.protobuf); a JSON body cannot start with it.
const protoMagic = "k8s\x00"

// contentTypeProtobuf is the media type of that encoding; the envelope
// names it (or nothing) for a raw object in it.
const contentTypeProtobuf = "application/vnd.kubernetes.protobuf"

// decodeNodes reads a page of GET /api/v1/nodes in whichever encoding the
// server chose: the reply's Content-Type is not visible through client-go's
// Stream, so the body's first bytes tell, as they do for kube's own
// serializers.
func decodeNodes(body io.Reader, images bool, limit int) (*corev1.NodeList, error) {
	br := bufio.NewReader(body)
	if head, _ := br.Peek(len(protoMagic)); string(head) == protoMagic {
		return decodeNodePageProto(br, images)
	}
	return decodeNodePage(br, images, limit)
}

// decodeNodePageProto reads a page of nodes in Kubernetes' protobuf
// encoding, keeping exactly what decodeNodePage keeps. The encoding puts
// each field's length before it, so everything a report does not read (a
// node's images with their sizes, conditions' messages, addresses,
// capacity, managed fields) is stepped over without being looked at.
//
// The body is the magic, then a runtime.Unknown: typeMeta (1), raw (2, the
// NodeList), contentEncoding (3), contentType (4). The NodeList is read
// into one buffer of its announced size; every string kept is copied out
// of it, so it is garbage when this returns.
func decodeNodePageProto(body io.Reader, images bool) (*corev1.NodeList, error) {
	raw, err := readNodeListEnvelope(bufio.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("decoding the list of nodes: %w", err)
	}
	out := &corev1.NodeList{}
	if err := protoNodeList(raw, out, images); err != nil {
		return nil, fmt.Errorf("decoding the list of nodes: %w", err)
	}
	return out, nil
}

// readNodeListEnvelope checks the magic and the envelope, and returns the
// NodeList it carries. The envelope is read field by field as it arrives,
// so the list is read once, into a buffer of its own size.
func readNodeListEnvelope(r *bufio.Reader) ([]byte, error) {
	var magic [len(protoMagic)]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != protoMagic {
		return nil, errors.New("not Kubernetes' protobuf encoding (no k8s\\x00 magic)")
	}
	var raw, typeMeta, encoding, contentType []byte
	seenRaw := false
	for {
		tag, err := binary.ReadUvarint(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("envelope: %w", unexpected(err))
		}
		num, typ := protowire.DecodeTag(tag)
		if num < protowire.MinValidNumber {
			return nil, fmt.Errorf("envelope: field number %d", num)
		}
		if num > 4 {
			if err := skipStreamed(r, typ); err != nil {
				return nil, fmt.Errorf("envelope field %d: %w", num, err)
			}
			continue
		}
		if typ != protowire.BytesType {
			return nil, fmt.Errorf("envelope field %d: wire type %d, want %d", num, typ, protowire.BytesType)
		}
		v, err := readDelimited(r)
		if err != nil {
			return nil, fmt.Errorf("envelope field %d: %w", num, err)
		}
		switch num {
		case 1:
			typeMeta = v
		case 2:
			raw, seenRaw = v, true
		case 3:
			encoding = v
		case 4:
			contentType = v
		}
	}
	kind, err := typeMetaKind(typeMeta)
	if err != nil {
		return nil, err
	}
	switch {
	case kind != "NodeList":
		return nil, fmt.Errorf("the reply is a %q, not a NodeList", kind)
	case len(encoding) != 0:
		return nil, fmt.Errorf("the list has content encoding %q, which winami does not read", encoding)
	case len(contentType) != 0 && string(contentType) != contentTypeProtobuf:
		return nil, fmt.Errorf("the list is in %q, not protobuf", contentType)
	case !seenRaw:
		return nil, errors.New("the envelope holds no list")
	}
	return raw, nil
}

// maxPrealloc bounds the buffer made from a length the body announces
// before any of it has arrived; a longer field grows as it is read, so a
// lying length costs no more memory than the bytes really sent.
const maxPrealloc = 16 << 20

// readDelimited reads a length and that many bytes.
func readDelimited(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, unexpected(err)
	}
	if n <= maxPrealloc {
		v := make([]byte, n)
		if _, err := io.ReadFull(r, v); err != nil {
			return nil, unexpected(err)
		}
		return v, nil
	}
	if n > 1<<62 {
		return nil, fmt.Errorf("length %d", n)
	}
	var b bytes.Buffer
	got, err := b.ReadFrom(io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, err
	}
	if uint64(got) != n {
		return nil, io.ErrUnexpectedEOF
	}
	return b.Bytes(), nil
}

// skipStreamed steps over an envelope field winami does not know.
func skipStreamed(r *bufio.Reader, typ protowire.Type) error {
	var err error
	switch typ {
	case protowire.VarintType:
		_, err = binary.ReadUvarint(r)
	case protowire.Fixed32Type:
		_, err = r.Discard(4)
	case protowire.Fixed64Type:
		_, err = r.Discard(8)
	case protowire.BytesType:
		var n uint64
		if n, err = binary.ReadUvarint(r); err == nil {
			var m int64
			m, err = io.CopyN(io.Discard, r, int64(min(n, 1<<62)))
			if err == nil && uint64(m) != n {
				err = io.ErrUnexpectedEOF
			}
		}
	default:
		return fmt.Errorf("wire type %d", typ)
	}
	return unexpected(err)
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

// protoNodeList reads a NodeList: metadata (1), items (2).
func protoNodeList(b []byte, out *corev1.NodeList, images bool) error {
	if count := countField(b, 2); count > 0 {
		out.Items = make([]corev1.Node, 0, count)
	}
	p := pbuf{b: b, in: "NodeList"}
	for p.more() {
		switch num, typ := p.tag(); num {
		case 1: // ListMeta: resourceVersion (2), continue (3)
			m := p.sub(typ, "ListMeta")
			for m.more() {
				switch num, typ := m.tag(); num {
				case 2:
					m.str(typ, &out.ResourceVersion)
				case 3:
					m.str(typ, &out.Continue)
				default:
					m.skip(num, typ)
				}
			}
			p.join(&m)
		case 2:
			out.Items = append(out.Items, corev1.Node{})
			p.node(typ, &out.Items[len(out.Items)-1], images)
		default:
			p.skip(num, typ)
		}
	}
	return p.err
}

// countField counts the fields num of a message, to size the slice they
// are read into; a malformed message is found when it is read.
func countField(b []byte, num protowire.Number) int {
	count := 0
	for len(b) > 0 {
		n, _, l := protowire.ConsumeField(b)
		if l < 0 {
			break
		}
		if n == num {
			count++
		}
		b = b[l:]
	}
	return count
}

// node reads a Node: metadata (1), spec (2), status (3).
func (p *pbuf) node(typ protowire.Type, n *corev1.Node, images bool) {
	m := p.sub(typ, "Node")
	for m.more() {
		switch num, typ := m.tag(); num {
		case 1:
			m.nodeMeta(typ, n)
		case 2: // NodeSpec: providerID (3), unschedulable (4)
			s := m.sub(typ, "NodeSpec")
			for s.more() {
				switch num, typ := s.tag(); {
				case num == 3:
					s.str(typ, &n.Spec.ProviderID)
				case num == 4 && images:
					n.Spec.Unschedulable = s.varint(typ) != 0
				default:
					s.skip(num, typ)
				}
			}
			m.join(&s)
		case 3:
			m.nodeStatus(typ, n, images)
		default:
			m.skip(num, typ)
		}
	}
	p.join(&m)
}

// nodeMeta reads an ObjectMeta: name (1), creationTimestamp (8), labels
// (11, entries of key 1 and value 2).
func (p *pbuf) nodeMeta(typ protowire.Type, n *corev1.Node) {
	m := p.sub(typ, "ObjectMeta")
	for m.more() {
		switch num, typ := m.tag(); num {
		case 1:
			m.str(typ, &n.Name)
		case 8:
			m.time(typ, &n.CreationTimestamp)
		case 11:
			e := m.sub(typ, "labels entry")
			var key, value []byte
			for e.more() {
				switch num, typ := e.tag(); num {
				case 1:
					key = e.bytes(typ)
				case 2:
					value = e.bytes(typ)
				default:
					e.skip(num, typ)
				}
			}
			m.join(&e)
			if k := keptLabel(key); k != "" && len(value) != 0 && m.err == nil {
				if n.Labels == nil {
					n.Labels = make(map[string]string, 4)
				}
				n.Labels[k] = string(value)
			}
		default:
			m.skip(num, typ)
		}
	}
	p.join(&m)
}

// nodeStatus reads a NodeStatus: conditions (4, of type 1 and status 2),
// nodeInfo (7), images (8, of names 1).
func (p *pbuf) nodeStatus(typ protowire.Type, n *corev1.Node, images bool) {
	m := p.sub(typ, "NodeStatus")
	for m.more() {
		switch num, typ := m.tag(); {
		case num == 4:
			var c corev1.NodeCondition
			s := m.sub(typ, "NodeCondition")
			for s.more() {
				switch num, typ := s.tag(); num {
				case 1:
					c.Type = corev1.NodeConditionType(internedCondition(s.bytes(typ)))
				case 2:
					c.Status = corev1.ConditionStatus(internedCondition(s.bytes(typ)))
				default:
					s.skip(num, typ)
				}
			}
			m.join(&s)
			if n.Status.Conditions == nil {
				n.Status.Conditions = make([]corev1.NodeCondition, 0, 5) // a kubelet reports 4 or 5
			}
			n.Status.Conditions = append(n.Status.Conditions, c)
		case num == 7: // NodeSystemInfo
			info := &n.Status.NodeInfo
			s := m.sub(typ, "NodeSystemInfo")
			for s.more() {
				switch num, typ := s.tag(); num {
				case 4:
					s.str(typ, &info.KernelVersion)
				case 5:
					s.str(typ, &info.OSImage)
				case 6:
					s.str(typ, &info.ContainerRuntimeVersion)
				case 7:
					s.str(typ, &info.KubeletVersion)
				default:
					s.skip(num, typ)
				}
			}
			m.join(&s)
		case num == 8 && images:
			var im corev1.ContainerImage
			s := m.sub(typ, "ContainerImage")
			for s.more() {
				if num, typ := s.tag(); num == 1 {
					var name string
					s.str(typ, &name)
					im.Names = append(im.Names, name)
				} else {
					s.skip(num, typ)
				}
			}
			m.join(&s)
			n.Status.Images = append(n.Status.Images, im)
		default:
			m.skip(num, typ)
		}
	}
	p.join(&m)
}

// internedCondition is a condition's type or status: the usual ones are
// the package's strings, not a copy each (10,000 nodes hold 80,000).
func internedCondition(b []byte) string {
	switch string(b) {
	case string(corev1.NodeReady):
		return string(corev1.NodeReady)
	case string(corev1.NodeMemoryPressure):
		return string(corev1.NodeMemoryPressure)
	case string(corev1.NodeDiskPressure):
		return string(corev1.NodeDiskPressure)
	case string(corev1.NodePIDPressure):
		return string(corev1.NodePIDPressure)
	case string(corev1.ConditionTrue):
		return string(corev1.ConditionTrue)
	case string(corev1.ConditionFalse):
		return string(corev1.ConditionFalse)
	case string(corev1.ConditionUnknown):
		return string(corev1.ConditionUnknown)
	}
	return string(b)
}

// pbuf reads a protobuf message field by field for a caller that keeps a
// few fields and steps over the rest:
//
//	for p.more() {
//		switch num, typ := p.tag(); num {
//		case 1:
//			p.str(typ, &kept)
//		default:
//			p.skip(num, typ)
//		}
//	}
//
// As with jsonWalker, the first error sticks and every later step does
// nothing, so the caller's loops end; a nested message is read by a pbuf
// of its own (sub) whose error its parent takes over (join).
type pbuf struct {
	b   []byte
	in  string           // the message's name, for errors
	num protowire.Number // the field being read, for errors
	err error
}

// more reports whether another field follows.
func (p *pbuf) more() bool { return p.err == nil && len(p.b) > 0 }

// tag reads a field's number and wire type.
func (p *pbuf) tag() (protowire.Number, protowire.Type) {
	num, typ, n := protowire.ConsumeTag(p.b)
	if n < 0 {
		p.fail(protowire.ParseError(n))
		return 0, 0
	}
	p.b, p.num = p.b[n:], num
	return num, typ
}

// skip steps over a field's value.
func (p *pbuf) skip(num protowire.Number, typ protowire.Type) {
	if p.err != nil {
		return
	}
	n := protowire.ConsumeFieldValue(num, typ, p.b)
	if n < 0 {
		p.fail(protowire.ParseError(n))
		return
	}
	p.b = p.b[n:]
}

// bytes reads a length-delimited value, in place.
func (p *pbuf) bytes(typ protowire.Type) []byte {
	if !p.want(typ, protowire.BytesType) {
		return nil
	}
	v, n := protowire.ConsumeBytes(p.b)
	if n < 0 {
		p.fail(protowire.ParseError(n))
		return nil
	}
	p.b = p.b[n:]
	return v
}

// str reads a string into dst, copied out of the page.
func (p *pbuf) str(typ protowire.Type, dst *string) {
	if v := p.bytes(typ); p.err == nil {
		*dst = string(v)
	}
}

// varint reads a varint.
func (p *pbuf) varint(typ protowire.Type) uint64 {
	if !p.want(typ, protowire.VarintType) {
		return 0
	}
	v, n := protowire.ConsumeVarint(p.b)
	if n < 0 {
		p.fail(protowire.ParseError(n))
		return 0
	}
	p.b = p.b[n:]
	return v
}

// sub is a reader of the nested message in the field, named in.
func (p *pbuf) sub(typ protowire.Type, in string) pbuf {
	return pbuf{b: p.bytes(typ), in: in}
}

// join takes over the error of a nested message's reader.
func (p *pbuf) join(sub *pbuf) {
	if p.err == nil && sub.err != nil {
		p.err = sub.err
	}
}

// time reads a metav1.Time (seconds 1, nanos 2) as metav1.Time's own
// Unmarshal does: nothing is the zero time, and the nanoseconds are
// dropped, as JSON's RFC 3339 seconds drop them.
func (p *pbuf) time(typ protowire.Type, dst *metav1.Time) {
	m := p.sub(typ, "Time")
	if p.err != nil {
		return
	}
	if len(m.b) == 0 {
		*dst = metav1.Time{}
		return
	}
	var seconds uint64
	for m.more() {
		if num, typ := m.tag(); num == 1 {
			seconds = m.varint(typ)
		} else {
			m.skip(num, typ)
		}
	}
	if p.join(&m); p.err == nil {
		*dst = metav1.NewTime(time.Unix(int64(seconds), 0).Local())
	}
}

func (p *pbuf) want(typ, want protowire.Type) bool {
	if p.err != nil {
		return false
	}
	if typ != want {
		p.fail(fmt.Errorf("wire type %d, want %d", typ, want))
		return false
	}
	return true
}

func (p *pbuf) fail(err error) {
	p.err = fmt.Errorf("%s field %d: %w", p.in, p.num, err)
}
