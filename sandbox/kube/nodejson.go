package kube

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/winami/winami/sandbox/world"
)

// nodeEncoder writes the JSON of the nodes of one reply. What it keeps
// from node to node spares each node work that is the same for all: the
// heartbeat time (the reply's clock), and the sorted keys of the labels
// and annotations, which the nodes of a cluster mostly share.
type nodeEncoder struct {
	beat                      string
	labelKeys, annotationKeys []string
}

func newNodeEncoder(now time.Time) *nodeEncoder {
	return &nodeEncoder{beat: rfc3339(now.Add(-heartbeat))}
}

// appendNode appends the JSON of toNode(n, now) as encoding/json writes it
// (keys in struct order, map keys sorted, HTML characters escaped), by hand:
// reflection costs twenty microseconds a node, too much for lists of ten
// thousand. TestAppendNodeMatchesEncodingJSON keeps the two equal.
func appendNode(b []byte, n *world.Node, now time.Time, typed bool, images []containerImageJSON) []byte {
	return newNodeEncoder(now).appendNode(b, n, typed, images)
}

func (e *nodeEncoder) appendNode(b []byte, n *world.Node, typed bool, images []containerImageJSON) []byte {
	since := rfc3339(n.ReadySince)
	b = append(b, '{')
	if typed {
		b = append(b, `"kind":"Node","apiVersion":"v1",`...)
	}
	b = append(b, `"metadata":{"name":`...)
	b = appendString(b, n.Name)
	b = append(b, `,"uid":`...)
	b = appendString(b, n.UID)
	b = append(b, `,"resourceVersion":`...)
	b = appendString(b, n.ResourceVersion)
	b = append(b, `,"creationTimestamp":`...)
	b = appendTime(b, n.CreationTimestamp)
	if len(n.Labels) > 0 {
		b = append(b, `,"labels":`...)
		b = appendMap(b, n.Labels, &e.labelKeys)
	}
	if len(n.Annotations) > 0 {
		b = append(b, `,"annotations":`...)
		b = appendMap(b, n.Annotations, &e.annotationKeys)
	}
	b = append(b, `},"spec":{`...)
	sep := false
	if n.ProviderID != "" {
		b = append(b, `"providerID":`...)
		b = appendString(b, n.ProviderID)
		sep = true
	}
	if n.Unschedulable {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"unschedulable":true`...)
		sep = true
	}
	if len(n.Taints) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"taints":[`...)
		for i, t := range n.Taints {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"key":`...)
			b = appendString(b, t.Key)
			if t.Value != "" {
				b = append(b, `,"value":`...)
				b = appendString(b, t.Value)
			}
			b = append(b, `,"effect":`...)
			b = appendString(b, t.Effect)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `},"status":{"capacity":`...)
	b = appendResources(b, n)
	b = append(b, `,"allocatable":`...)
	b = appendResources(b, n)
	b = append(b, `,"conditions":[`...)
	for i, c := range conditions(n, e.beat, since) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":`...)
		b = appendString(b, c.Type)
		b = append(b, `,"status":`...)
		b = appendString(b, c.Status)
		b = append(b, `,"lastHeartbeatTime":`...)
		b = appendString(b, c.LastHeartbeatTime)
		b = append(b, `,"lastTransitionTime":`...)
		b = appendString(b, c.LastTransitionTime)
		b = append(b, `,"reason":`...)
		b = appendString(b, c.Reason)
		b = append(b, `,"message":`...)
		b = appendString(b, c.Message)
		b = append(b, '}')
	}
	b = append(b, `],"addresses":[{"type":"InternalIP","address":`...)
	b = appendString(b, n.InternalIP)
	b = append(b, `},{"type":"Hostname","address":`...)
	b = appendString(b, n.Name)
	b = append(b, `},{"type":"InternalDNS","address":`...)
	b = appendString(b, n.Name)
	b = append(b, `}],"nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":`...)
	b = appendString(b, n.KernelVersion)
	b = append(b, `,"osImage":`...)
	b = appendString(b, n.OSImage)
	b = append(b, `,"containerRuntimeVersion":`...)
	b = appendString(b, n.ContainerRuntimeVersion)
	b = append(b, `,"kubeletVersion":`...)
	b = appendString(b, n.KubeletVersion)
	b = append(b, `,"operatingSystem":`...)
	b = appendString(b, n.OperatingSystem)
	b = append(b, `,"architecture":`...)
	b = appendString(b, n.Architecture)
	b = append(b, '}')
	if len(images) > 0 {
		b = append(b, `,"images":[`...)
		for i, img := range images {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"names":[`...)
			for j, name := range img.Names {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, name)
			}
			b = append(b, `],"sizeBytes":`...)
			b = strconv.AppendInt(b, img.SizeBytes, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, `}}`...)
}

func appendResources(b []byte, n *world.Node) []byte {
	b = append(b, `{"cpu":`...)
	b = appendString(b, n.CPU)
	b = append(b, `,"memory":`...)
	b = appendString(b, n.Memory)
	b = append(b, `,"pods":`...)
	b = appendString(b, n.Pods)
	return append(b, '}')
}

// appendMap appends m as a JSON object, keys in order. *keys is the key
// order of the map last written with it: it is used as it is when it holds
// exactly m's keys (as many, each one in m), and m's keys are sorted into
// it otherwise.
func appendMap(b []byte, m map[string]string, keys *[]string) []byte {
	sortKeys(m, keys)
	b = append(b, '{')
	for i, k := range *keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// sortKeys makes *keys m's keys in order, unless they are already.
func sortKeys(m map[string]string, keys *[]string) {
	if !sameKeys(*keys, m) {
		*keys = (*keys)[:0]
		for k := range m {
			*keys = append(*keys, k)
		}
		slices.Sort(*keys)
	}
}

// sameKeys reports whether keys, which has no repeats, are m's keys.
func sameKeys(keys []string, m map[string]string) bool {
	if len(keys) != len(m) {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// appendTime appends t as a JSON string of rfc3339(t), which has nothing
// to escape.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// safeJSON marks the bytes encoding/json copies as they are.
var safeJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string with encoding/json's escaping.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		// Copy the run of bytes that need no escaping in one append.
		j := i
		for j < len(s) && safeJSON[s[j]] {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = strconv.AppendInt(b, int64(r&0xf), 16)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
