package drift

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// protoListMeta reads a ListMeta: resourceVersion (2), continue (3).
func protoListMeta(b []byte, out *corev1.NodeList) error {
	m := pbuf{b: b, in: "ListMeta"}
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
	return m.err
}

// protoNode reads a Node: metadata (1), spec (2), status (3). Every string
// kept is copied out of b.
func protoNode(b []byte, n *corev1.Node, images bool) error {
	m := pbuf{b: b, in: "Node"}
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
	return m.err
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
	// Every field read here has a number below 16: its tag is one byte,
	// read without a call.
	if len(p.b) > 0 && p.b[0] < 0x80 && p.b[0] >= 1<<3 {
		t := p.b[0]
		p.b, p.num = p.b[1:], protowire.Number(t>>3)
		return p.num, protowire.Type(t & 7)
	}
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
	if typ == protowire.BytesType {
		p.bytes(typ)
		return
	}
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
	// Most strings are shorter than 128 bytes: a length of one byte.
	if len(p.b) > 0 && p.b[0] < 0x80 && int(p.b[0]) < len(p.b) {
		n := int(p.b[0]) + 1
		v := p.b[1:n]
		p.b = p.b[n:]
		return v
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
