package drift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/internal/kubelist"
)

// decodeNodePage reads one page of GET /api/v1/nodes, keeping of each node
// what a report reads: name, creation time, the four labels it groups by,
// the provider ID, four fields of the node info and the conditions' type
// and status; with images, also spec.unschedulable and the names of
// status.images (a rollout's verification). Everything else is skipped
// unread by walking the JSON's tokens: a node is kilobytes of JSON (every
// image on it, addresses, capacity, managed fields), and decoding even a
// lean struct through reflection, then copying it into a Node, cost 1.5
// times this walk.
//
// The page is read as it arrives; limit, the page size asked for, sizes
// the list.
func decodeNodePage(body io.Reader, images bool, limit int) (*corev1.NodeList, error) {
	w := &jsonWalker{dec: jsontext.NewDecoder(body, kubelist.Lenient())}
	out := &corev1.NodeList{}
	if w.open('{') {
		for w.next('}') {
			switch string(w.name()) {
			case "metadata":
				if w.open('{') {
					for w.next('}') {
						switch string(w.name()) {
						case "continue":
							w.str(&out.Continue)
						case "resourceVersion":
							w.str(&out.ResourceVersion)
						default:
							w.skip()
						}
					}
				}
			case "items":
				if w.open('[') {
					out.Items = make([]corev1.Node, 0, min(max(limit, 0), 1000))
					for w.next(']') {
						out.Items = append(out.Items, corev1.Node{})
						w.node(&out.Items[len(out.Items)-1], images)
					}
				}
			default:
				w.skip()
			}
		}
	}
	if w.fail == nil {
		if _, end := w.dec.ReadToken(); end != io.EOF {
			w.fail = errors.New("more after the list")
		}
	}
	if w.fail != nil {
		return nil, fmt.Errorf("decoding the list of nodes: %w", w.fail)
	}
	return out, nil
}

func (w *jsonWalker) node(n *corev1.Node, images bool) {
	if !w.open('{') {
		return
	}
	for w.next('}') {
		switch string(w.name()) {
		case "metadata":
			w.nodeMeta(n)
		case "spec":
			if w.open('{') {
				for w.next('}') {
					switch string(w.name()) {
					case "providerID":
						w.str(&n.Spec.ProviderID)
					case "unschedulable":
						if images {
							w.boolean(&n.Spec.Unschedulable)
						} else {
							w.skip()
						}
					default:
						w.skip()
					}
				}
			}
		case "status":
			w.nodeStatus(n, images)
		default:
			w.skip()
		}
	}
}

func (w *jsonWalker) nodeMeta(n *corev1.Node) {
	if !w.open('{') {
		return
	}
	for w.next('}') {
		switch string(w.name()) {
		case "name":
			w.str(&n.Name)
		case "creationTimestamp":
			var created string
			w.str(&created)
			// As metav1.Time reads it; a time that does not parse is left
			// zero, as before.
			if t, err := time.Parse(time.RFC3339, created); err == nil {
				n.CreationTimestamp = metav1.NewTime(t.Local())
			}
		case "labels":
			if !w.open('{') {
				break
			}
			for w.next('}') {
				key := keptLabel(w.name())
				if key == "" {
					w.skip()
					continue
				}
				var v string
				if w.str(&v); v != "" {
					if n.Labels == nil {
						n.Labels = make(map[string]string, 4)
					}
					n.Labels[key] = v
				}
			}
		default:
			w.skip()
		}
	}
}

// interned reads a condition's type or status: the usual ones are the
// package's strings, not a copy each (10,000 nodes hold 80,000 of them).
func (w *jsonWalker) interned(dst *string) {
	if w.fail != nil || w.dec.PeekKind() != '"' {
		w.str(dst)
		return
	}
	raw, err := w.dec.ReadValue()
	if err != nil {
		w.fail = err
		return
	}
	switch b := w.unquote(raw); string(b) {
	case string(corev1.NodeReady):
		*dst = string(corev1.NodeReady)
	case string(corev1.NodeMemoryPressure):
		*dst = string(corev1.NodeMemoryPressure)
	case string(corev1.NodeDiskPressure):
		*dst = string(corev1.NodeDiskPressure)
	case string(corev1.NodePIDPressure):
		*dst = string(corev1.NodePIDPressure)
	case string(corev1.ConditionTrue):
		*dst = string(corev1.ConditionTrue)
	case string(corev1.ConditionFalse):
		*dst = string(corev1.ConditionFalse)
	case string(corev1.ConditionUnknown):
		*dst = string(corev1.ConditionUnknown)
	default:
		*dst = string(b)
	}
}

// keptLabel is the label a report reads by that name, or "".
func keptLabel(name []byte) string {
	switch string(name) {
	case labelOS:
		return labelOS
	case labelWindowsBuild:
		return labelWindowsBuild
	case labelNodegroup:
		return labelNodegroup
	case labelNodepool:
		return labelNodepool
	}
	return ""
}

func (w *jsonWalker) nodeStatus(n *corev1.Node, images bool) {
	if !w.open('{') {
		return
	}
	for w.next('}') {
		switch string(w.name()) {
		case "nodeInfo":
			w.nodeInfo(&n.Status.NodeInfo)
		case "conditions":
			if !w.open('[') {
				break
			}
			n.Status.Conditions = make([]corev1.NodeCondition, 0, 5) // a kubelet reports 4 or 5
			for w.next(']') {
				var c corev1.NodeCondition
				if w.open('{') {
					for w.next('}') {
						switch string(w.name()) {
						case "type":
							w.interned((*string)(&c.Type))
						case "status":
							w.interned((*string)(&c.Status))
						default:
							w.skip()
						}
					}
				}
				n.Status.Conditions = append(n.Status.Conditions, c)
			}
		case "images":
			if images {
				w.images(n)
			} else {
				w.skip()
			}
		default:
			w.skip()
		}
	}
}

func (w *jsonWalker) nodeInfo(info *corev1.NodeSystemInfo) {
	if !w.open('{') {
		return
	}
	for w.next('}') {
		switch string(w.name()) {
		case "kubeletVersion":
			w.str(&info.KubeletVersion)
		case "kernelVersion":
			w.str(&info.KernelVersion)
		case "osImage":
			w.str(&info.OSImage)
		case "containerRuntimeVersion":
			w.str(&info.ContainerRuntimeVersion)
		default:
			w.skip()
		}
	}
}

// images keeps the names of status.images, not their sizes.
func (w *jsonWalker) images(n *corev1.Node) {
	if !w.open('[') {
		return
	}
	for w.next(']') {
		var im corev1.ContainerImage
		if w.open('{') {
			for w.next('}') {
				if string(w.name()) != "names" {
					w.skip()
					continue
				}
				for ok := w.open('['); ok && w.next(']'); {
					var s string
					w.str(&s)
					im.Names = append(im.Names, s)
				}
			}
		}
		n.Status.Images = append(n.Status.Images, im)
	}
}

// jsonWalker reads JSON token by token for a caller that keeps a few
// members and skips the rest:
//
//	if w.open('{') {
//		for w.next('}') {
//			switch string(w.name()) {
//			case "kept":
//				w.str(&kept)
//			default:
//				w.skip()
//			}
//		}
//	}
//
// The first error sticks: every later step does nothing, open and next
// report false, so the caller's loops end; the caller reads w.fail once.
// A name is valid until the walker reads on.
type jsonWalker struct {
	dec     *jsontext.Decoder
	scratch []byte
	fail    error
}

// open reads an opening '{' or '['; false for null (an empty object or
// array: nothing more to read) and after an error.
func (w *jsonWalker) open(kind jsontext.Kind) bool {
	if w.fail != nil {
		return false
	}
	switch k := w.dec.PeekKind(); k {
	case kind:
		_, w.fail = w.dec.ReadToken()
		return w.fail == nil
	case 'n', 0: // null, or the decoder's own error
		_, w.fail = w.dec.ReadToken()
	default:
		w.fail = fmt.Errorf("%s at %s, want %s", k, w.dec.StackPointer(), kind)
	}
	return false
}

// next reports whether another member or element follows; at the closing
// delimiter it reads it and reports false.
func (w *jsonWalker) next(closing jsontext.Kind) bool {
	if w.fail != nil {
		return false
	}
	if w.dec.PeekKind() == closing {
		_, w.fail = w.dec.ReadToken()
		return false
	}
	return true
}

// name reads a member's name.
func (w *jsonWalker) name() []byte {
	if w.fail != nil {
		return nil
	}
	raw, err := w.dec.ReadValue()
	if err != nil {
		w.fail = err
		return nil
	}
	return w.unquote(raw)
}

// str reads a string into dst; null leaves it as it is.
func (w *jsonWalker) str(dst *string) {
	if w.fail != nil {
		return
	}
	switch k := w.dec.PeekKind(); k {
	case '"':
		raw, err := w.dec.ReadValue()
		if err != nil {
			w.fail = err
			return
		}
		*dst = string(w.unquote(raw))
	case 'n', 0:
		_, w.fail = w.dec.ReadToken()
	default:
		w.fail = fmt.Errorf("%s at %s, want a string", k, w.dec.StackPointer())
	}
}

// boolean reads true or false into dst; null leaves it as it is.
func (w *jsonWalker) boolean(dst *bool) {
	if w.fail != nil {
		return
	}
	switch k := w.dec.PeekKind(); k {
	case 't', 'f', 'n', 0:
		var tok jsontext.Token
		if tok, w.fail = w.dec.ReadToken(); w.fail == nil && k != 'n' {
			*dst = tok.Bool()
		}
	default:
		w.fail = fmt.Errorf("%s at %s, want true or false", k, w.dec.StackPointer())
	}
}

// skip reads a value it does not keep.
func (w *jsonWalker) skip() {
	if w.fail == nil {
		w.fail = w.dec.SkipValue()
	}
}

// unquote is a string token's text: in place when it has no escapes.
func (w *jsonWalker) unquote(raw jsontext.Value) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var err error
	if w.scratch, err = jsontext.AppendUnquote(w.scratch[:0], raw); err != nil {
		w.fail = err
	}
	return w.scratch
}
