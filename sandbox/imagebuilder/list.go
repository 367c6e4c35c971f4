package imagebuilder

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// Image Builder's list operations return at most 25 items a page, and 25
// when maxResults is left out.
const maxPage = 25

// filter is an Image Builder list filter: values of one filter are OR-ed,
// filters AND-ed.
type filter struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// listInput is the paging and filtering common to every list operation.
type listInput struct {
	Filters    []filter `json:"filters"`
	MaxResults *int32   `json:"maxResults"`
	NextToken  string   `json:"nextToken"`
}

// checkFilters refuses filters an operation does not know, as AWS does, and
// more than 10 of them.
func checkFilters(filters []filter, allowed ...string) error {
	if len(filters) > 10 {
		return invalidParam("filters", "At most 10 filters are allowed.")
	}
	for _, f := range filters {
		if !slices.Contains(allowed, f.Name) {
			return invalidParam("filters", "The filter name '%s' is not supported; use one of: %s.",
				f.Name, strings.Join(allowed, ", "))
		}
		if len(f.Values) == 0 || len(f.Values) > 10 {
			return invalidParam("filters", "A filter takes 1 to 10 values; '%s' has %d.", f.Name, len(f.Values))
		}
	}
	return nil
}

// matchFilters reports whether an item passes every filter; field gives the
// item's values of a filter name (several for list fields such as
// supportedOsVersion).
func matchFilters(filters []filter, field func(name string) []string) bool {
	for _, f := range filters {
		have := field(f.Name)
		if !slices.ContainsFunc(f.Values, func(v string) bool { return slices.Contains(have, v) }) {
			return false
		}
	}
	return true
}

// paginate cuts one page from items, which must be in a stable order. The
// token is the offset of the next page, opaque to the caller.
func paginate[T any](items []T, in listInput) (page []T, next string, err error) {
	size := maxPage
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxPage {
			return nil, "", invalidParam("maxResults", "'maxResults' must be between 1 and %d; got %d.", maxPage, *in.MaxResults)
		}
		size = int(*in.MaxResults)
	}
	start := 0
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		rest, ok := strings.CutPrefix(string(raw), "offset:")
		if err != nil || !ok {
			return nil, "", badToken()
		}
		start, err = strconv.Atoi(rest)
		if err != nil || start < 0 || start > len(items) {
			return nil, "", badToken()
		}
	}
	end := min(start+size, len(items))
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// one is a field of a single value for matchFilters.
func one(v string) []string { return []string{v} }
