package protocol

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DecodeJSON decodes a JSON request body into v. A body whose fields have the
// wrong types is the caller's fault: SerializationException, as AWS answers.
func DecodeJSON(req *Request, v any) error {
	body := req.Body
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Errorf("SerializationException", "Could not deserialize the request: %v", err)
	}
	return nil
}

// List reads a query-protocol list "<prefix>.N" (EC2: ImageId.1, ImageId.2)
// in index order. For AWS query lists pass "<Name>.member".
func List(req *Request, prefix string) []string {
	idx := indexed(req, prefix)
	out := make([]string, 0, len(idx))
	for _, n := range sortedKeys(idx) {
		out = append(out, idx[n])
	}
	return out
}

// Filter is one EC2 filter: Filter.N.Name with its Filter.N.Value.M values.
type Filter struct {
	Name   string
	Values []string
}

// Filters reads Filter.N.Name / Filter.N.Value.M in index order, in one
// pass over the parameters (a pass a filter made a request of thousands of
// filters cost seconds before EC2's limit could refuse it).
func Filters(req *Request) []Filter {
	type values struct {
		name string
		vals map[int]string
	}
	byIndex := map[int]*values{}
	for key, vals := range req.Params {
		rest, ok := strings.CutPrefix(key, "Filter.")
		if !ok || len(vals) == 0 {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue
		}
		f := byIndex[n]
		if f == nil {
			f = &values{vals: map[int]string{}}
			byIndex[n] = f
		}
		if field == "Name" {
			f.name = vals[0]
			continue
		}
		if m, ok := strings.CutPrefix(field, "Value."); ok {
			if i, err := strconv.Atoi(m); err == nil && i >= 1 {
				f.vals[i] = vals[0]
			}
		}
	}
	out := make([]Filter, 0, len(byIndex))
	for _, n := range sortedKeys(byIndex) {
		f := byIndex[n]
		vs := make([]string, 0, len(f.vals))
		for _, i := range sortedKeys(f.vals) {
			vs = append(vs, f.vals[i])
		}
		out = append(out, Filter{Name: f.name, Values: vs})
	}
	return out
}

// MaxListIndex is the largest list index CheckListIndexes accepts.
const MaxListIndex = math.MaxInt32

// CheckListIndexes refuses a query request whose list indexes (the N of
// ImageId.N, Filter.N.Value.M) are not whole numbers from 1: AWS numbers
// list members from 1 and refuses a parameter it cannot read, where
// ignoring it would widen the answer (DescribeImages with only ImageId.-1
// would list every image). A name part that starts with a digit or a sign,
// or an empty one, is read as an index; other parts are member names.
func CheckListIndexes(req *Request) error {
	for key := range req.Params {
		_, rest, dotted := strings.Cut(key, ".")
		if !dotted {
			continue // a name alone
		}
		for p := range strings.SplitSeq(rest, ".") {
			if p != "" && !strings.ContainsAny(p[:1], "0123456789+-") {
				continue
			}
			if n, err := strconv.ParseUint(p, 10, 32); err != nil || n < 1 || n > MaxListIndex {
				return Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. A list index must be a whole number from 1 to %d.", p, key, MaxListIndex)
			}
		}
	}
	return nil
}

func indexed(req *Request, prefix string) map[int]string {
	idx := map[int]string{}
	prefix += "."
	for key, vals := range req.Params {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok || len(vals) == 0 {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			continue
		}
		idx[n] = vals[0]
	}
	return idx
}

func sortedKeys[V any](m map[int]V) []int {
	return slices.Sorted(maps.Keys(m))
}
