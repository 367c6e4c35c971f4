package imagebuilder

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Shared request plumbing of the resource operations: each resource file
// keeps only its checks, world changes and answer shapes, so the rules Image
// Builder applies alike to every resource (idempotency, ARN parameters,
// not-found and dependency errors, filters and paging) are written once.

// mutate runs a create or update under the write lock, once per client
// token (idempotent), and answers with the request's ID. prepare, when not
// nil, runs first, outside the idempotency record: it is what a repeated
// token must not skip (checks of the world, advancing builds).
func (s *service) mutate(req *protocol.Request, token string, in any,
	prepare func(sc *scope, now time.Time) error, create func(sc *scope, now time.Time) (any, error)) (any, error) {
	var out map[string]any
	err := s.update(req, func(sc *scope) error {
		now := s.now().UTC()
		if prepare != nil {
			if err := prepare(sc, now); err != nil {
				return err
			}
		}
		var err error
		out, err = idempotent(sc.ib, req.Operation, token, in, now, func() (any, error) { return create(sc, now) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return withRequestID(out, req.RequestID), nil
}

// createNamed makes a versionless resource (a configuration or a pipeline)
// of a name under the write lock: its ARN must be new. made builds it,
// after checking what it refers to.
func createNamed[T any](sc *scope, items map[string]*T, kind, typeName, name string, made func(arn string) (*T, error)) (string, error) {
	arn := makeARN(sc.r.Name, sc.account(), kind, name, "", 0)
	if items[arn] != nil {
		return "", alreadyExists(typeName, arn)
	}
	v, err := made(arn)
	if err != nil {
		return "", err
	}
	items[arn] = v
	return arn, nil
}

// checkARN checks a required ARN parameter: want says which ARNs it takes,
// what names them in the error ("a component build version").
func checkARN(param, arn, what string, want func(a resourceARN) bool) error {
	if arn == "" {
		return missingParam(param)
	}
	if a, ok := parseARN(arn); !ok || !want(a) {
		return invalidParam(param, "'%s' must be the ARN of %s.", param, what)
	}
	return nil
}

// checkKindARN checks a required versionless ARN of a kind.
func checkKindARN(param, arn, kind string) error {
	return checkARN(param, arn, "a "+strings.ReplaceAll(kind, "-", " "), func(a resourceARN) bool {
		return a.Kind == kind && !a.HasVersion
	})
}

// getByARN answers a Get of a versionless resource (a configuration or a
// pipeline) named by the query parameter param. With settle, due builds are
// advanced first, for answers that show builds (a pipeline's last run).
func getByARN[T, Out any](s *service, req *protocol.Request, param, kind string, settle bool,
	items func(*world.ImageBuilder) map[string]*T, answer func(sc *scope, v *T) Out) (any, error) {
	arn := req.Query.Get(param)
	if err := checkKindARN(param, arn, kind); err != nil {
		return nil, err
	}
	if settle {
		if err := s.settle(req); err != nil {
			return nil, err
		}
	}
	var out Out
	err := s.view(req, func(sc *scope) error {
		v := items(sc.ib)[arn]
		if v == nil {
			return notFound(arn)
		}
		out = answer(sc, v)
		return nil
	})
	return out, err
}

// remove deletes the resource arn of items under the write lock. It must
// exist and, when owner is not nil, be the caller's; inUse, when not nil,
// reports another resource depending on it, which AWS refuses to orphan.
func remove[T any](s *service, req *protocol.Request, arn string, items func(*world.ImageBuilder) map[string]*T,
	owner func(*T) string, inUse func(sc *scope, v *T) bool) error {
	return s.update(req, func(sc *scope) error {
		m := items(sc.ib)
		v := m[arn]
		if v == nil || (owner != nil && owner(v) != sc.account()) {
			return notFound(arn)
		}
		if inUse != nil && inUse(sc, v) {
			return dependency(arn)
		}
		delete(m, arn)
		return nil
	})
}

// anyOf reports whether some value of m passes f.
func anyOf[T any](m map[string]*T, f func(*T) bool) bool {
	for _, v := range m {
		if f(v) {
			return true
		}
	}
	return false
}

// fields are the filters a list operation takes, by name, each giving an
// item's values of it (several for list fields such as supportedOsVersion).
type fields[T any] map[string]func(*T) []string

// check refuses filters the operation does not take; the names it lists
// are sorted, as the operations' lists have always been.
func (fs fields[T]) check(filters []filter) error {
	return checkFilters(filters, slices.Sorted(maps.Keys(fs))...)
}

// match reports whether v passes every filter (checked ones only).
func (fs fields[T]) match(filters []filter, v *T) bool {
	return matchFilters(filters, func(name string) []string { return fs[name](v) })
}

// nameFilter is the only filter of the configuration lists.
func nameFilter[T any](name func(*T) string) fields[T] {
	return fields[T]{"name": func(v *T) []string { return one(name(v)) }}
}

// collect is the values of m that keep passes, in cmp's order (a total
// order, so that pages are stable).
func collect[T any](m map[string]*T, keep func(*T) bool, cmp func(a, b *T) int) []*T {
	var all []*T
	for _, v := range m {
		if keep(v) {
			all = append(all, v)
		}
	}
	slices.SortFunc(all, cmp)
	return all
}

// newest keeps, of the values of m that keep passes, the greatest by cmp of
// each key: the newest build of each version, or of each name.
func newest[T any](m map[string]*T, keep func(*T) bool, key func(*T) string, cmp func(a, b *T) int) map[string]*T {
	out := map[string]*T{}
	for _, v := range m {
		if !keep(v) {
			continue
		}
		k := key(v)
		if cur := out[k]; cur == nil || cmp(v, cur) > 0 {
			out[k] = v
		}
	}
	return out
}

// answerPage cuts a page of sorted items and converts it for the answer. The
// page is never nil: an empty list is answered as [], not null.
func answerPage[T, S any](all []T, in listInput, conv func(T) S) ([]S, string, error) {
	page, next, err := paginate(all, in)
	if err != nil {
		return nil, "", err
	}
	out := make([]S, 0, len(page))
	for _, v := range page {
		out = append(out, conv(v))
	}
	return out, next, nil
}

// byARN orders resources by ARN.
func byARN[T any](arn func(*T) string) func(a, b *T) int {
	return func(a, b *T) int { return strings.Compare(arn(a), arn(b)) }
}

// ofVersion reports a build a List...BuildVersions call lists: with want (a
// version ARN, wildcards allowed), a build of that version the caller may
// read; without, any build the account owns, as AWS does since September
// 2025.
func ofVersion(sc *scope, want resourceARN, owner, name, version string) bool {
	if want.Kind == "" {
		return owner == sc.account()
	}
	return visible(sc, owner) && accountOf(owner) == want.Account &&
		arnName(name) == want.Name && want.Version.matches(mustVersion(version))
}
