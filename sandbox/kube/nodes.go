package kube

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	corev1 "k8s.io/api/core/v1"

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

// listNodes is GET /api/v1/nodes with labelSelector, limit and continue.
func (a *API) listNodes(w http.ResponseWriter, r *http.Request, c *world.Cluster) {
	q := r.URL.Query()
	if q.Get("watch") == "true" || q.Get("watch") == "1" {
		writeStatus(w, methodNotAllowed("watch"))
		return
	}
	selector, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		writeStatus(w, badRequest(err.Error()))
		return
	}
	limit := 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil {
			writeStatus(w, badRequest(fmt.Sprintf("limit: Invalid value: %q: must be an integer", v)))
			return
		}
	}
	rv, _ := strconv.ParseInt(c.ResourceVersion, 10, 64)
	start := 0
	if tok := q.Get("continue"); tok != "" {
		ct, err := decodeContinue(tok)
		if err != nil {
			writeStatus(w, badRequest(err.Error()))
			return
		}
		// Names are sorted: the first node at or after the start key.
		start, _ = slices.BinarySearchFunc(c.Nodes, ct.Start, func(n *world.Node, key string) int {
			return strings.Compare(n.Name, key)
		})
	}
	list := corev1.NodeList{
		TypeMeta: metav1.TypeMeta{Kind: "NodeList", APIVersion: "v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: c.ResourceVersion},
		Items:    []corev1.Node{},
	}
	now := a.now()
	i := start
	for ; i < len(c.Nodes); i++ {
		if limit > 0 && len(list.Items) == limit {
			break
		}
		n := c.Nodes[i]
		if selector.Matches(labels.Set(n.Labels)) {
			list.Items = append(list.Items, toNode(n, now))
		}
	}
	// Like the API server, a full page with keys left in storage gets a
	// continue token, even when none of those keys would match.
	if i < len(c.Nodes) && len(list.Items) > 0 {
		list.Continue = encodeContinue(rv, list.Items[len(list.Items)-1].Name)
		if selector.Empty() {
			remaining := int64(len(c.Nodes) - i)
			list.RemainingItemCount = &remaining
		}
	}
	writeJSON(w, http.StatusOK, list)
}

// getNode is GET /api/v1/nodes/{name}.
func (a *API) getNode(w http.ResponseWriter, c *world.Cluster, name string) {
	i, found := slices.BinarySearchFunc(c.Nodes, name, func(n *world.Node, key string) int {
		return strings.Compare(n.Name, key)
	})
	if !found {
		writeStatus(w, nodeNotFound(name))
		return
	}
	node := toNode(c.Nodes[i], a.now())
	node.TypeMeta = metav1.TypeMeta{Kind: "Node", APIVersion: "v1"}
	writeJSON(w, http.StatusOK, node)
}
