package kube

import (
	"net/http"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox/world"
)

// Kubernetes' protobuf encoding of nodes, as kube-apiserver writes it for
// application/vnd.kubernetes.protobuf: the magic "k8s\x00", then a
// runtime.Unknown whose raw bytes are the object. The field numbers are
// those of k8s.io/api/core/v1 and apimachinery's generated.proto; fields are
// written as their generated Marshal writes them (every non-optional field,
// empty or not; map entries in key order), so that the bytes are those the
// API server would send. TestNodeProtoMatchesGeneratedMarshal keeps them so.
// Written by hand for the reason appendNode is.

// protoMagic starts every protobuf-encoded Kubernetes object.
const protoMagic = "k8s\x00"

// Field numbers of runtime.Unknown.
const (
	unknownTypeMeta        = 1
	unknownRaw             = 2
	unknownContentEncoding = 3
	unknownContentType     = 4
)

// appendUnknown appends the magic and a runtime.Unknown of the given type
// whose raw bytes are what raw appends; rawSize is a guess of their size,
// which saves moving them when it is right to within a power of 128.
func appendUnknown(b []byte, apiVersion, kind string, rawSize int, raw func([]byte) []byte) []byte {
	b = append(b, protoMagic...)
	b = protowire.AppendTag(b, unknownTypeMeta, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(2+len(apiVersion)+2+len(kind)))
	b = appendStringField(b, 1, apiVersion)
	b = appendStringField(b, 2, kind)
	b, start := openMessage(b, unknownRaw, rawSize)
	b = raw(b)
	b = closeMessage(b, start, rawSize)
	b = appendStringField(b, unknownContentEncoding, "")
	return appendStringField(b, unknownContentType, "")
}

// openMessage appends field num's tag and room for a length of the size
// guessed (1 to 4 bytes); the message follows, and closeMessage ends it.
func openMessage(b []byte, num protowire.Number, guess int) ([]byte, int) {
	b = append(b, byte(num)<<3|byte(protowire.BytesType))
	room := protowire.SizeVarint(uint64(guess))
	b = append(b, make([]byte, room)...)
	return b, len(b)
}

// closeMessage writes the length of the message that began at start, and
// moves the message when its length takes more or fewer bytes than the
// room left for it.
func closeMessage(b []byte, start, guess int) []byte {
	n := len(b) - start
	room, need := protowire.SizeVarint(uint64(guess)), protowire.SizeVarint(uint64(n))
	if need > room {
		b = append(b, make([]byte, need-room)...)
	}
	if need != room {
		copy(b[start-room+need:], b[start:start+n])
		b = b[:start-room+need+n]
	}
	protowire.AppendVarint(b[:start-room], uint64(n))
	return b
}

// Every field number here is below 16: a tag is one byte.

func appendStringField(b []byte, num protowire.Number, s string) []byte {
	b = append(b, byte(num)<<3|byte(protowire.BytesType))
	return append(appendVarint(b, uint64(len(s))), s...)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	return appendVarint(append(b, byte(num)<<3|byte(protowire.VarintType)), v)
}

// appendVarint is protowire.AppendVarint with the one-byte case inlined:
// most lengths and values here are below 128.
func appendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// appendTimeField appends a metav1.Time: whole seconds (its nanos are
// always 0, as the JSON form has none); the zero time is an empty message.
func appendTimeField(b []byte, num protowire.Number, t time.Time) []byte {
	b = append(b, byte(num)<<3|byte(protowire.BytesType))
	if t.IsZero() {
		return append(b, 0)
	}
	secs := uint64(t.Unix())
	b = appendVarint(b, uint64(1+protowire.SizeVarint(secs)+2))
	b = appendVarintField(b, 1, secs)
	return appendVarintField(b, 2, 0)
}

// nodeProtoEncoder writes the protobuf of the nodes of one reply, keeping
// from node to node what nodeEncoder keeps.
type nodeProtoEncoder struct {
	beat                      time.Time
	labelKeys, annotationKeys []string
}

func newNodeProtoEncoder(now time.Time) *nodeProtoEncoder {
	return &nodeProtoEncoder{beat: now.Add(-heartbeat)}
}

// nodeSizeGuess is about the size of a node's protobuf (and of its
// status's): two-byte lengths.
const nodeSizeGuess = 2048

// appendNode appends the v1.Node message of toNode(n, now, images).
func (e *nodeProtoEncoder) appendNode(b []byte, n *world.Node, images []containerImageJSON) []byte {
	// at is where the message in the making begins (one inside a loop).
	var at int
	b, meta := openMessage(b, 1, 512)
	b = appendStringField(b, 1, n.Name)
	b = appendStringField(b, 2, "") // generateName
	b = appendStringField(b, 3, "") // namespace
	b = appendStringField(b, 4, "") // selfLink
	b = appendStringField(b, 5, n.UID)
	b = appendStringField(b, 6, n.ResourceVersion)
	b = appendVarintField(b, 7, 0) // generation
	b = appendTimeField(b, 8, n.CreationTimestamp)
	b = appendMapField(b, 11, n.Labels, &e.labelKeys)
	b = appendMapField(b, 12, n.Annotations, &e.annotationKeys)
	b = closeMessage(b, meta, 512)

	b, spec := openMessage(b, 2, 64)
	b = appendStringField(b, 1, "") // podCIDR
	b = appendStringField(b, 2, "") // externalID
	b = appendStringField(b, 3, n.ProviderID)
	unschedulable := uint64(0)
	if n.Unschedulable {
		unschedulable = 1
	}
	b = appendVarintField(b, 4, unschedulable)
	for _, t := range n.Taints {
		b, at = openMessage(b, 5, 64)
		b = appendStringField(b, 1, t.Key)
		b = appendStringField(b, 2, t.Value)
		b = appendStringField(b, 3, t.Effect)
		b = closeMessage(b, at, 64)
	}
	b = closeMessage(b, spec, 64)

	b, status := openMessage(b, 3, nodeSizeGuess)
	b = appendResourcesProto(b, 1, n) // capacity
	b = appendResourcesProto(b, 2, n) // allocatable
	b = appendStringField(b, 3, "")   // phase
	texts := conditionTexts(n.Ready)
	for _, c := range texts {
		b, at = openMessage(b, 4, 100)
		b = appendStringField(b, 1, c.Type)
		b = appendStringField(b, 2, c.Status)
		b = appendTimeField(b, 3, e.beat)
		b = appendTimeField(b, 4, n.ReadySince)
		b = appendStringField(b, 5, c.Reason)
		b = appendStringField(b, 6, c.Message)
		b = closeMessage(b, at, 100)
	}
	b = appendAddress(b, "InternalIP", n.InternalIP)
	b = appendAddress(b, "Hostname", n.Name)
	b = appendAddress(b, "InternalDNS", n.Name)
	// daemonEndpoints: a kubeletEndpoint of port 0.
	b = append(b, 6<<3|byte(protowire.BytesType), 4, 1<<3|byte(protowire.BytesType), 2, 1<<3|byte(protowire.VarintType), 0)
	b, info := openMessage(b, 7, 100)
	b = appendStringField(b, 1, "") // machineID
	b = appendStringField(b, 2, "") // systemUUID
	b = appendStringField(b, 3, "") // bootID
	b = appendStringField(b, 4, n.KernelVersion)
	b = appendStringField(b, 5, n.OSImage)
	b = appendStringField(b, 6, n.ContainerRuntimeVersion)
	b = appendStringField(b, 7, n.KubeletVersion)
	b = appendStringField(b, 8, "") // kubeProxyVersion
	b = appendStringField(b, 9, n.OperatingSystem)
	b = appendStringField(b, 10, n.Architecture)
	b = closeMessage(b, info, 100)
	for _, img := range images {
		b, at = openMessage(b, 8, 100)
		for _, name := range img.Names {
			b = appendStringField(b, 1, name)
		}
		b = appendVarintField(b, 2, uint64(img.SizeBytes))
		b = closeMessage(b, at, 100)
	}
	return closeMessage(b, status, nodeSizeGuess)
}

// appendResourcesProto appends a ResourceList field: map entries in key order,
// each value a resource.Quantity message (its string).
func appendResourcesProto(b []byte, num protowire.Number, n *world.Node) []byte {
	for _, r := range [...]struct{ name, quantity string }{{"cpu", n.CPU}, {"memory", n.Memory}, {"pods", n.Pods}} {
		var entry, q int
		b, entry = openMessage(b, num, 32)
		b = appendStringField(b, 1, r.name)
		b, q = openMessage(b, 2, 16)
		b = appendStringField(b, 1, r.quantity)
		b = closeMessage(b, q, 16)
		b = closeMessage(b, entry, 32)
	}
	return b
}

func appendAddress(b []byte, typ, address string) []byte {
	b, at := openMessage(b, 5, 64)
	b = appendStringField(b, 1, typ)
	b = appendStringField(b, 2, address)
	return closeMessage(b, at, 64)
}

// appendMapField appends m's entries in key order (see appendMap for keys).
func appendMapField(b []byte, num protowire.Number, m map[string]string, keys *[]string) []byte {
	if len(m) == 0 {
		return b
	}
	sortKeys(m, keys)
	for _, k := range *keys {
		v := m[k]
		b = append(b, byte(num)<<3|byte(protowire.BytesType))
		b = appendVarint(b, uint64(1+protowire.SizeBytes(len(k))+1+protowire.SizeBytes(len(v))))
		b = appendStringField(b, 1, k)
		b = appendStringField(b, 2, v)
	}
	return b
}

// appendNodeListProto appends the protobuf of a v1 NodeList of the nodes.
func appendNodeListProto(b []byte, meta listMetaJSON, nodes []*world.Node, now time.Time, ni *nodeImages) []byte {
	e := newNodeProtoEncoder(now)
	return appendUnknown(b, "v1", "NodeList", 64+len(nodes)*(nodeSizeGuess+512), func(b []byte) []byte {
		var at int
		b, lm := openMessage(b, 1, 64)
		b = appendStringField(b, 1, "") // selfLink
		b = appendStringField(b, 2, meta.ResourceVersion)
		b = appendStringField(b, 3, meta.Continue)
		if meta.RemainingItemCount != nil {
			b = appendVarintField(b, 4, uint64(*meta.RemainingItemCount))
		}
		b = closeMessage(b, lm, 64)
		for _, n := range nodes {
			b, at = openMessage(b, 2, nodeSizeGuess)
			b = e.appendNode(b, n, ni.of(n))
			b = closeMessage(b, at, nodeSizeGuess)
		}
		return b
	})
}

// appendNodeProto appends the protobuf of one v1 Node.
func appendNodeProto(b []byte, n *world.Node, now time.Time, images []containerImageJSON) []byte {
	e := newNodeProtoEncoder(now)
	return appendUnknown(b, "v1", "Node", nodeSizeGuess, func(b []byte) []byte { return e.appendNode(b, n, images) })
}

// writeProtoStatus writes a Status in protobuf, as the API server answers
// errors to a client that prefers protobuf.
func writeProtoStatus(w http.ResponseWriter, s *metav1.Status) {
	raw, err := s.Marshal()
	if err != nil {
		writeStatus(w, internalError(err))
		return
	}
	w.Header().Set("Content-Type", contentTypeProtobuf)
	w.WriteHeader(int(s.Code))
	_, _ = w.Write(appendUnknown(nil, "v1", "Status", len(raw), func(b []byte) []byte { return append(b, raw...) }))
}
