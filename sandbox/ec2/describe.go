package ec2

import (
	"regexp"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// describeSpec is one EC2 Describe* operation over items of type T. Every
// such call runs the same way (describe): its parameters are checked in a
// fixed order (parse), then, under the store's read lock, come the region,
// the asked-for IDs, the listing, the filters, the order and the page. A
// spec says only what differs: its parameters, its errors, its items. A
// spec with idParam sets malformed, exists and notFound; one with paging
// sets key.
type describeSpec[T any] struct {
	// before checks the operation's own parameters that come first (flags,
	// a location type); nil: none.
	before func(req *protocol.Request) error
	// idParam is the ID list's query name ("VpcId"); "" when the call has
	// none. malformed is the error for an ID of the wrong shape.
	idParam   string
	malformed func(id string) error
	// after checks the parameters that come after the IDs (names, owners);
	// nil: none.
	after func(req *protocol.Request) error

	// filterNames are the filters EC2 documents for the call; tagFilters
	// accepts tag:<key> besides. Any other name fails the call.
	filterNames []string
	tagFilters  bool

	// paging is how the call pages; nil: it returns everything at once.
	paging *paging

	// exists reports whether an asked-for ID names an item the caller may
	// see; notFound is the error for those that do not, in request order.
	exists   func(sc describeScope, id string) bool
	notFound func(missing []string) error
	// list is the items the call's parameters select, filters aside (the
	// asked-for IDs among them). It may fail, as on an unknown name.
	list func(sc describeScope, ids []string) ([]T, error)
	// values are an item's values for a filter name.
	values func(sc describeScope, item T, filter string) []string
	// key orders the items and is the page token; nil keeps list's order
	// (a call that does not page).
	key func(item T) string
	// render is the reply for a page of items and the next page's token.
	render func(sc describeScope, page []T, next string) any
}

// describeScope is what a spec's functions see under the store's read
// lock: the request, the world and the request's region.
type describeScope struct {
	req *protocol.Request
	w   *world.World
	r   *world.Region
}

// describeCall is a Describe* request after its parameters were checked.
type describeCall struct {
	ids     []string
	filters []protocol.Filter
	page    pageRequest
}

// describe answers one Describe* request as spec says.
func describe[T any](store *state.Store, req *protocol.Request, spec *describeSpec[T]) (any, error) {
	call, err := spec.parse(req)
	if err != nil {
		return nil, err
	}
	var out any
	err = store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		out, err = spec.answer(describeScope{req: req, w: w, r: r}, call)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parse checks the parameters in the order the sandbox has always checked
// them, which decides which error a request with several faults gets: the
// operation's own first parameters, then its IDs, the parameters after
// them, its filters and its paging. A call that refuses IDs together with
// MaxResults (DescribeImages, DescribeInstances) checks its paging right
// after its first parameters instead.
func (spec *describeSpec[T]) parse(req *protocol.Request) (describeCall, error) {
	c := describeCall{filters: protocol.Filters(req)}
	if spec.idParam != "" {
		c.ids = protocol.List(req, spec.idParam)
	}
	readPage := func() (err error) {
		if spec.paging != nil {
			c.page, err = spec.paging.parse(req, len(c.ids) > 0)
		}
		return err
	}
	pageFirst := spec.paging != nil && spec.paging.exclusiveWith != ""
	if spec.before != nil {
		if err := spec.before(req); err != nil {
			return c, err
		}
	}
	if pageFirst {
		if err := readPage(); err != nil {
			return c, err
		}
	}
	for _, id := range c.ids {
		if err := spec.malformed(id); err != nil {
			return c, err
		}
	}
	if spec.after != nil {
		if err := spec.after(req); err != nil {
			return c, err
		}
	}
	if err := checkFilters(c.filters, spec.validFilter); err != nil {
		return c, err
	}
	if !pageFirst {
		if err := readPage(); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (spec *describeSpec[T]) validFilter(name string) bool {
	if key, ok := strings.CutPrefix(name, "tag:"); ok && spec.tagFilters {
		return key != ""
	}
	return slices.Contains(spec.filterNames, name)
}

// answer is the reply to a checked call: an asked-for ID the region lacks
// fails the call; the selected items that match every filter are ordered by
// key and cut to the page.
func (spec *describeSpec[T]) answer(sc describeScope, c describeCall) (any, error) {
	var missing []string
	for _, id := range c.ids {
		if !spec.exists(sc, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, spec.notFound(missing)
	}
	items, err := spec.list(sc, c.ids)
	if err != nil {
		return nil, err
	}
	// A copy: list may return the world's own slice (the sorted
	// instances), which a reader under the read lock must not reorder.
	matched := slices.Clone(items)
	if len(c.filters) > 0 {
		matched = slices.DeleteFunc(matched, func(it T) bool {
			return !matchAll(c.filters, func(name string) []string { return spec.values(sc, it, name) })
		})
	}
	if spec.key != nil {
		slices.SortFunc(matched, func(a, b T) int { return strings.Compare(spec.key(a), spec.key(b)) })
	}
	next := ""
	if spec.paging != nil {
		matched, next = pageOf(matched, spec.key, c.page)
	}
	return spec.render(sc, matched, next), nil
}

// idShape is a malformed check: EC2's error code for an ID that does not
// match pattern; expect is the shape the message names ("vpc-"), "" where
// EC2 names none.
func idShape(pattern func() *regexp.Regexp, code, expect string) func(id string) error {
	return func(id string) error {
		switch {
		case pattern().MatchString(id):
			return nil
		case expect == "":
			return protocol.Errorf(code, `Invalid id: "%s"`, id)
		}
		return protocol.Errorf(code, `Invalid id: "%s" (expecting "%s...")`, id, expect)
	}
}

// firstMissing is a notFound that names the first missing ID only, as EC2
// does for most resources.
func firstMissing(code, format string) func(missing []string) error {
	return func(missing []string) error { return protocol.Errorf(code, format, missing[0]) }
}

// itemsOf is a page as reply items; never nil, so that a reply without
// items still encodes as an empty list.
func itemsOf[T, I any](page []T, item func(T) I) []I {
	out := make([]I, 0, len(page))
	for _, v := range page {
		out = append(out, item(v))
	}
	return out
}

// selected is the resources of a region's map that the asked-for IDs name,
// or all of them when none is asked for; in no order.
func selected[T any](all map[string]T, ids []string, idOf func(T) string) []T {
	var out []T
	for _, v := range all {
		if len(ids) == 0 || slices.Contains(ids, idOf(v)) {
			out = append(out, v)
		}
	}
	return out
}

// caller is the account that signed the request.
func (sc describeScope) caller() string { return sc.w.CallerAccount(sc.req.AccessKey) }
