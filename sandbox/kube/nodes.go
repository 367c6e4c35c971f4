package kube

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/winami/winami/sandbox/world"
)

// continueToken is the API server's continue token: base64url of this JSON,
// naming the list's resourceVersion and the key to resume from (the last
// returned name and a NUL, the next key in storage order).
type continueToken struct {
	APIVersion      string `json:"v"`
	ResourceVersion int64  `json:"rv"`
	Start           string `json:"start"`
}

const continueVersion = "meta.k8s.io/v1"

func encodeContinue(rv int64, lastName string) string {
	b, _ := json.Marshal(continueToken{APIVersion: continueVersion, ResourceVersion: rv, Start: lastName + "\x00"})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeContinue(tok string) (continueToken, error) {
	var c continueToken
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return c, fmt.Errorf("continue key is not valid: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("continue key is not valid: %w", err)
	}
	if c.APIVersion != continueVersion {
		return c, fmt.Errorf("continue key is not valid: server does not recognize this encoded key")
	}
	if c.Start == "" {
		return c, fmt.Errorf("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
	}
	return c, nil
}

// listQuery is what a list asks besides its field selector: a label
// selector, a page size (0: all), and the key a continued list resumes at
// ("" for the first page).
type listQuery struct {
	labels labels.Selector
	limit  int
	start  string
}

// readListQuery reads a list's labelSelector, limit and continue, or is the
// API server's refusal of one of them.
func readListQuery(q url.Values) (listQuery, *metav1.Status) {
	var lq listQuery
	var err error
	if lq.labels, err = labels.Parse(q.Get("labelSelector")); err != nil {
		return lq, badRequest(err.Error())
	}
	var st *metav1.Status
	if lq.limit, st = limitOf(q.Get("limit")); st != nil {
		return lq, st
	}
	if tok := q.Get("continue"); tok != "" {
		ct, err := decodeContinue(tok)
		if err != nil {
			return lq, badRequest(err.Error())
		}
		lq.start = ct.Start
	}
	return lq, nil
}

// nodeListJSON is the wire shape of a v1 NodeList (see nodeJSON).
type nodeListJSON struct {
	Kind       string       `json:"kind"`
	APIVersion string       `json:"apiVersion"`
	Metadata   listMetaJSON `json:"metadata"`
	Items      []nodeJSON   `json:"items"`
}

type listMetaJSON struct {
	ResourceVersion    string `json:"resourceVersion"`
	Continue           string `json:"continue,omitempty"`
	RemainingItemCount *int64 `json:"remainingItemCount,omitempty"`
}

// listNodes is GET /api/v1/nodes with labelSelector, limit and continue.
func (a *API) listNodes(w *bufferedReply, r *http.Request, c *world.Cluster, ni *nodeImages, m media) {
	q := r.URL.Query()
	name, st := nameFieldSelector(q.Get("fieldSelector"))
	if st != nil {
		writeStatusFor(w, r, st)
		return
	}
	lq, st := readListQuery(q)
	if st != nil {
		writeStatusFor(w, r, st)
		return
	}
	selector, limit := lq.labels, lq.limit
	start := 0
	if lq.start != "" {
		// Names are sorted: the first node at or after the start key.
		start, _ = slices.BinarySearchFunc(c.Nodes, lq.start, func(n *world.Node, key string) int {
			return strings.Compare(n.Name, key)
		})
	}
	var page []*world.Node
	i := start
	for ; i < len(c.Nodes); i++ {
		if limit > 0 && len(page) == limit {
			break
		}
		if n := c.Nodes[i]; selector.Matches(labels.Set(n.Labels)) && (name == "" || n.Name == name) {
			page = append(page, n)
		}
	}
	meta := listMetaJSON{ResourceVersion: c.ResourceVersion}
	// Like the API server, a full page with keys left in storage gets a
	// continue token, even when none of those keys would match.
	if i < len(c.Nodes) && len(page) > 0 {
		meta.Continue = encodeContinue(c.CurrentResourceVersion(), page[len(page)-1].Name)
		if selector.Empty() && name == "" {
			remaining := int64(len(c.Nodes) - i)
			meta.RemainingItemCount = &remaining
		}
	}
	switch m {
	case mediaTable:
		writeNodeTable(w, meta, page, a.now())
	case mediaProtobuf:
		w.Header().Set("Content-Type", contentTypeProtobuf)
		w.appendBody(func(b []byte) []byte { return appendNodeListProto(b, meta, page, a.now(), ni) })
	default:
		w.Header().Set("Content-Type", contentTypeJSON)
		w.appendBody(func(b []byte) []byte { return appendNodeList(b, meta, page, a.now(), ni) })
	}
}

// appendNodeList appends the JSON of a nodeListJSON of the nodes, written
// by hand as appendNode writes each node.
func appendNodeList(b []byte, meta listMetaJSON, nodes []*world.Node, now time.Time, ni *nodeImages) []byte {
	metaJSON, _ := json.Marshal(meta) // strings and an int: cannot fail
	b = slices.Grow(b, 256+len(nodes)*3072)
	b = append(b, `{"kind":"NodeList","apiVersion":"v1","metadata":`...)
	b = append(b, metaJSON...)
	b = append(b, `,"items":[`...)
	e := newNodeEncoder(now)
	for i, n := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendNode(b, n, false, ni.of(n))
	}
	return append(b, `]}`...)
}

// getNode is GET /api/v1/nodes/{name}.
func (a *API) getNode(w http.ResponseWriter, r *http.Request, c *world.Cluster, ni *nodeImages, name string, m media) {
	i, found := slices.BinarySearchFunc(c.Nodes, name, func(n *world.Node, key string) int {
		return strings.Compare(n.Name, key)
	})
	if !found {
		writeStatusFor(w, r, nodeNotFound(name))
		return
	}
	n := c.Nodes[i]
	switch m {
	case mediaTable:
		writeNodeTable(w, listMetaJSON{ResourceVersion: n.ResourceVersion}, c.Nodes[i:i+1], a.now())
	case mediaProtobuf:
		w.Header().Set("Content-Type", contentTypeProtobuf)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(appendNodeProto(nil, n, a.now(), ni.of(n)))
	default:
		w.Header().Set("Content-Type", contentTypeJSON)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(appendNode(nil, n, a.now(), true, ni.of(n)))
	}
}
