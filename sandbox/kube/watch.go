package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/winami/winami/sandbox/world"
)

// A watch (GET <collection>?watch=true) streams the cluster's change log
// (world.KubeEvent) as the API server streams its watch cache: one JSON
// event a line, {"type":…,"object":…}, until the client goes away or
// timeoutSeconds pass. The world has no way to call out when it changes
// (it is plain data behind a lock, changed by every service), so a watch
// looks at the log every watchPoll: cheap, a read lock and a comparison.

const (
	defaultWatchPoll     = 100 * time.Millisecond
	defaultBookmarkEvery = time.Minute
	// initialEventsEnd marks the bookmark that ends the initial events of
	// a watch with sendInitialEvents=true.
	initialEventsEnd = "k8s.io/initial-events-end"
)

// watchable is what a watch needs of one resource.
type watchable struct {
	resource   string // world.KubeEvent.Resource
	kind       string // for bookmarks
	apiVersion string
	// current are the objects now, as events (for the initial ADDED ones).
	current func(c *world.Cluster) []world.KubeEvent
	// encode is an event's object as JSON, with kind and apiVersion.
	encode func(e world.KubeEvent, ni *nodeImages, now time.Time) []byte
	// table is the object as a one-row Table, or nil when the resource has
	// no server-side printing.
	table func(e world.KubeEvent, now time.Time) any
	// fieldLabels, when set, are the fields a watch may select objects by
	// (fieldsOf gives an event's object's); otherwise only metadata.name.
	fieldLabels []string
	fieldsOf    func(e world.KubeEvent) fields.Set
	// namespace, when set, is the only namespace watched (the event
	// objects' PodKey prefix).
	namespace string
}

// watchEvent is one line of a watch stream.
type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// watchRequest holds a watch's parameters.
type watchRequest struct {
	selector      labels.Selector
	fields        fields.Selector // for a resource with fieldLabels
	name          string          // fieldSelector metadata.name=
	rv            int64
	fromNow       bool // resourceVersion "" or "0": the current objects first
	initialEvents bool // sendInitialEvents=true
	bookmarks     bool
	timeout       time.Duration
	table         bool
}

func parseWatch(r *http.Request, res watchable) (watchRequest, *metav1.Status) {
	q := r.URL.Query()
	var wr watchRequest
	var err error
	if wr.selector, err = labels.Parse(q.Get("labelSelector")); err != nil {
		return wr, badRequest(err.Error())
	}
	var st *metav1.Status
	if res.fieldLabels != nil {
		if wr.fields, st = fieldSelectorOf(q.Get("fieldSelector"), res.fieldLabels); st != nil {
			return wr, st
		}
	} else if wr.name, st = nameFieldSelector(q.Get("fieldSelector")); st != nil {
		return wr, st
	}
	wr.bookmarks = q.Get("allowWatchBookmarks") == "true"
	if v := q.Get("timeoutSeconds"); v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs < 0 {
			return wr, badRequest(fmt.Sprintf("timeoutSeconds: Invalid value: %q", v))
		}
		wr.timeout = time.Duration(secs) * time.Second
	}
	if q.Get("sendInitialEvents") == "true" {
		// The API server's validation of a watch-list request.
		if q.Get("resourceVersionMatch") != string(metav1.ResourceVersionMatchNotOlderThan) {
			return wr, invalid("sendInitialEvents", "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
		}
		if !wr.bookmarks {
			return wr, invalid("sendInitialEvents", "allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true")
		}
		wr.initialEvents = true
	}
	switch v := q.Get("resourceVersion"); v {
	case "", "0":
		wr.fromNow = true
	default:
		rv, err := strconv.ParseInt(v, 10, 64)
		if err != nil || rv < 0 {
			return wr, badRequest(fmt.Sprintf("resourceVersion: Invalid value: %q: must be a non-negative integer", v))
		}
		wr.rv = rv
		// With sendInitialEvents the current state comes first, whatever
		// version the client names (it must be no newer than the server's).
		wr.fromNow = wr.initialEvents
	}
	return wr, nil
}

// nameFieldSelector reads the one field selector the sandbox supports on
// every resource, metadata.name=N (kubectl get RESOURCE NAME --watch sends
// it).
func nameFieldSelector(s string) (string, *metav1.Status) {
	if s == "" {
		return "", nil
	}
	for _, prefix := range []string{"metadata.name==", "metadata.name="} {
		if name, ok := cutPrefix(s, prefix); ok {
			return name, nil
		}
	}
	return "", badRequest(fmt.Sprintf("field label not supported: %s", s))
}

// fieldSelectorOf reads a field selector over the fields a resource lets
// its objects be selected by, or is the API server's refusal of it.
func fieldSelectorOf(s string, supported []string) (fields.Selector, *metav1.Status) {
	sel, err := fields.ParseSelector(s)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	for _, req := range sel.Requirements() {
		if !slices.Contains(supported, req.Field) {
			return nil, badRequest(fmt.Sprintf("field label not supported: %s", req.Field))
		}
	}
	return sel, nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// serveWatch streams a watch of one resource of a cluster.
func (a *API) serveWatch(w http.ResponseWriter, r *http.Request, region, cluster string, res watchable) {
	// Watches stream JSON only, Tables where the resource has them.
	m, ok := negotiateReply(w, r, offers{table: res.table != nil})
	if !ok {
		return
	}
	wr, st := parseWatch(r, res)
	wr.table = m == mediaTable
	if st != nil {
		writeStatus(w, st)
		return
	}
	ctx := r.Context()
	if wr.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wr.timeout)
		defer cancel()
	}
	var first []watchEvent
	last, found, expired := int64(0), false, false
	_ = a.store.View(func(wd *world.World) error {
		c := wd.Cluster(region, cluster)
		if c == nil {
			return nil
		}
		found = true
		if wr.fromNow {
			last = c.CurrentResourceVersion()
			ni := newNodeImages(wd, region)
			for _, e := range res.current(c) {
				if ev, ok := a.visible(res, wr, e, ni); ok {
					first = append(first, ev)
				}
			}
			if wr.initialEvents {
				first = append(first, a.bookmark(res, last, true))
			}
			return nil
		}
		last = wr.rv
		_, ok := c.EventsSince(last)
		expired = !ok
		if expired {
			first = append(first, tooOld(last, c.OldestWatchable()))
		}
		return nil
	})
	if !found {
		writeNotFoundPage(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(evs []watchEvent) bool {
		for _, ev := range evs {
			line, _ := json.Marshal(ev)
			if _, err := w.Write(append(line, '\n')); err != nil {
				return false
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	if !send(first) || expired {
		return
	}
	poll := time.NewTicker(a.watchPoll)
	defer poll.Stop()
	bookmark := time.NewTicker(a.bookmarkEvery)
	defer bookmark.Stop()
	for {
		select {
		case <-a.stopWatches:
			return
		case <-ctx.Done():
			// Before a watch times out, a last bookmark tells the client
			// where to resume.
			if wr.bookmarks && r.Context().Err() == nil {
				send([]watchEvent{a.bookmark(res, last, false)})
			}
			return
		case <-bookmark.C:
			if wr.bookmarks && !send([]watchEvent{a.bookmark(res, last, false)}) {
				return
			}
		case <-poll.C:
			// A client that only watches must see replacements in flight
			// move on (node group updates, Karpenter's drift).
			if err := world.CatchUpReplacements(a.store, a.now()); err != nil {
				a.logger.Debug("sandbox kubernetes watch: catching up replacements", "error", err)
			}
			evs, gone := a.since(region, cluster, res, wr, &last)
			if !send(evs) || gone {
				return
			}
		}
	}
}

// since collects the visible events after *last and moves *last on; gone
// reports that the stream must end (the log moved past it, or the
// cluster is no more).
func (a *API) since(region, cluster string, res watchable, wr watchRequest, last *int64) (evs []watchEvent, gone bool) {
	_ = a.store.View(func(wd *world.World) error {
		c := wd.Cluster(region, cluster)
		if c == nil {
			gone = true
			return nil
		}
		events, ok := c.EventsSince(*last)
		if !ok {
			evs, gone = []watchEvent{tooOld(*last, c.OldestWatchable())}, true
			return nil
		}
		ni := newNodeImages(wd, region)
		for _, e := range events {
			if e.Resource != res.resource {
				continue
			}
			if ev, ok := a.visible(res, wr, e, ni); ok {
				evs = append(evs, ev)
			}
		}
		if cur := c.CurrentResourceVersion(); cur > *last {
			*last = cur
		}
		return nil
	})
	return evs, gone
}

// visible is the event as the watcher sees it through its selectors: a
// change that makes an object stop (start) matching the label selector is
// DELETED (ADDED), as the API server's watch filters report it.
func (a *API) visible(res watchable, wr watchRequest, e world.KubeEvent, ni *nodeImages) (watchEvent, bool) {
	if wr.name != "" && e.Name != wr.name {
		return watchEvent{}, false
	}
	if res.namespace != "" && !strings.HasPrefix(e.Name, res.namespace+"/") {
		return watchEvent{}, false
	}
	if wr.fields != nil && !wr.fields.Empty() && !wr.fields.Matches(res.fieldsOf(e)) {
		return watchEvent{}, false
	}
	var objLabels map[string]string
	switch {
	case e.Node != nil:
		objLabels = e.Node.Labels
	case e.Pod != nil:
		objLabels = e.Pod.Labels
	default:
		objLabels = world.ObjectLabels(e.Object)
	}
	now := wr.selector.Matches(labels.Set(objLabels))
	typ := e.Type
	if typ == world.EventModified && !wr.selector.Empty() {
		before := wr.selector.Matches(labels.Set(e.PrevLabels))
		switch {
		case before && !now:
			typ, now = world.EventDeleted, true
		case !before && now:
			typ = world.EventAdded
		}
	}
	if !now {
		return watchEvent{}, false
	}
	if wr.table && res.table != nil {
		raw, _ := json.Marshal(res.table(e, a.now()))
		return watchEvent{Type: typ, Object: raw}, true
	}
	return watchEvent{Type: typ, Object: res.encode(e, ni, a.now())}, true
}

// bookmark is a BOOKMARK event: an object of the kind with only its
// resourceVersion (and the end-of-initial-events annotation).
func (a *API) bookmark(res watchable, rv int64, initialEnd bool) watchEvent {
	meta := map[string]any{"resourceVersion": strconv.FormatInt(rv, 10)}
	if initialEnd {
		meta["annotations"] = map[string]string{initialEventsEnd: "true"}
	}
	raw, _ := json.Marshal(map[string]any{"kind": res.kind, "apiVersion": res.apiVersion, "metadata": meta})
	return watchEvent{Type: "BOOKMARK", Object: raw}
}

// tooOld is the ERROR event the watch cache sends for a resourceVersion
// older than what it keeps: 410 Expired; the client lists again.
func tooOld(rv, oldest int64) watchEvent {
	st := failure(http.StatusGone, metav1.StatusReasonExpired, fmt.Sprintf("too old resource version: %d (%d)", rv, oldest))
	raw, _ := json.Marshal(st)
	return watchEvent{Type: "ERROR", Object: raw}
}

// nodeWatch is the watch of nodes.
func nodeWatch(a *API) watchable {
	return watchable{
		resource: "nodes", kind: "Node", apiVersion: "v1",
		current: func(c *world.Cluster) []world.KubeEvent {
			evs := make([]world.KubeEvent, len(c.Nodes))
			for i, n := range c.Nodes {
				evs[i] = world.KubeEvent{Type: world.EventAdded, Resource: "nodes", Name: n.Name, Node: n}
			}
			return evs
		},
		encode: func(e world.KubeEvent, ni *nodeImages, now time.Time) []byte {
			return appendNode(nil, e.Node, now, true, ni.of(e.Node))
		},
		table: func(e world.KubeEvent, now time.Time) any {
			return nodeTable(listMetaJSON{ResourceVersion: e.Node.ResourceVersion}, []*world.Node{e.Node}, now)
		},
	}
}

// podWatch is the watch of the pods of a namespace, or of all ("").
// Pods change when their node leaves the cluster (world.Cluster's
// evictPodsOf: DELETED, and ADDED for their controllers' new ones) and when
// a node joins (its DaemonSet pods, ADDED).
func podWatch(namespace string) watchable {
	return watchable{
		resource: "pods", kind: "Pod", apiVersion: "v1", namespace: namespace,
		current: func(c *world.Cluster) []world.KubeEvent {
			evs := make([]world.KubeEvent, 0, len(c.Pods))
			for _, p := range c.Pods {
				if orphaned(c, p) {
					continue
				}
				evs = append(evs, world.KubeEvent{Type: world.EventAdded, Resource: "pods", Name: p.Key(), Pod: p})
			}
			return evs
		},
		encode: func(e world.KubeEvent, _ *nodeImages, _ time.Time) []byte {
			p := toPod(e.Pod)
			p.Kind, p.APIVersion = "Pod", "v1"
			raw, _ := json.Marshal(p)
			return raw
		},
		fieldLabels: podFieldLabels,
		fieldsOf:    func(e world.KubeEvent) fields.Set { return podFields(toPod(e.Pod)) },
	}
}
