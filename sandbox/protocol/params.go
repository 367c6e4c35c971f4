package protocol

import (
	"bytes"
	"encoding/json"
	"maps"
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

// Filters reads Filter.N.Name / Filter.N.Value.M in index order.
func Filters(req *Request) []Filter {
	byIndex := map[int]*Filter{}
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
			f = &Filter{}
			byIndex[n] = f
		}
		if field == "Name" {
			f.Name = vals[0]
		}
	}
	var out []Filter
	for _, n := range sortedKeys(byIndex) {
		f := byIndex[n]
		f.Values = List(req, "Filter."+strconv.Itoa(n)+".Value")
		out = append(out, *f)
	}
	return out
}

func indexed(req *Request, prefix string) map[int]string {
	idx := map[int]string{}
	for key, vals := range req.Params {
		rest, ok := strings.CutPrefix(key, prefix+".")
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
