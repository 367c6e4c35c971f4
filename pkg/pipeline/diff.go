package pipeline

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// AttrDiff is one attribute that differs: its path (as in the API, e.g.
// "instanceTypes" or "distributions[0].amiDistributionConfiguration.name")
// and the old and new values (absent when there is none).
type AttrDiff struct {
	Path string `json:"path"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
}

// diffFields compares the named top-level fields of two API values (SDK
// structs of the same shape: a Create input and a Get output) and returns
// each differing leaf. Empty values (nil, "", [], {}) count as absent, since
// AWS leaves out what was never set.
func diffFields(current, desired any, fields ...string) []AttrDiff {
	cur, want := plain(current), plain(desired)
	var out []AttrDiff
	for _, f := range fields {
		out = append(out, diffValues(lowerFirst(f), cur[f], want[f])...)
	}
	return out
}

// plain turns an SDK value into maps, lists and scalars through JSON.
func plain(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	return m
}

func diffValues(path string, old, new any) []AttrDiff {
	old, new = prune(old), prune(new)
	om, oIsMap := old.(map[string]any)
	nm, nIsMap := new.(map[string]any)
	if oIsMap && nIsMap {
		var out []AttrDiff
		keys := slices.Sorted(maps.Keys(om))
		for k := range nm {
			if _, ok := om[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, diffValues(path+"."+lowerFirst(k), om[k], nm[k])...)
		}
		return out
	}
	ol, oIsList := old.([]any)
	nl, nIsList := new.([]any)
	if oIsList && nIsList && len(ol) == len(nl) && containsMaps(ol) {
		var out []AttrDiff
		for i := range ol {
			out = append(out, diffValues(fmt.Sprintf("%s[%d]", path, i), ol[i], nl[i])...)
		}
		return out
	}
	if reflect.DeepEqual(old, new) {
		return nil
	}
	return []AttrDiff{{Path: path, Old: old, New: new}}
}

// prune drops empty values, recursively, so "never set" and "empty" agree.
func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if p := prune(e); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, prune(e))
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

func containsMaps(l []any) bool {
	for _, e := range l {
		if _, ok := e.(map[string]any); ok {
			return true
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s) == s {
		return strings.ToLower(s)
	}
	return strings.ToLower(s[:1]) + s[1:]
}
