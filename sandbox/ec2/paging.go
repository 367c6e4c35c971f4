package ec2

import (
	"encoding/base64"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
)

// pageRequest is a decoded MaxResults/NextToken pair of a Describe call
// that pages by resource ID.
type pageRequest struct {
	limit int    // 0: everything
	after string // the last key of the previous page
}

// parsePageRequest reads MaxResults within [min, max] and a NextToken this
// sandbox issued. The token is the last key of the previous page, encoded:
// opaque to callers, as EC2's are.
func parsePageRequest(req *protocol.Request, min, max int) (pageRequest, error) {
	var p pageRequest
	var err error
	if p.limit, err = maxResults(req, min, max); err != nil {
		return p, err
	}
	if tok := req.Params.Get("NextToken"); tok != "" {
		key, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(key) == 0 {
			return p, protocol.Errorf("InvalidNextToken", "The specified NextToken is not valid.")
		}
		p.after = string(key)
	}
	return p, nil
}

// pageOf cuts a key-sorted list after the previous page's key and at the
// limit; it returns the page and the token of the next one ("" at the end).
func pageOf[T any](items []T, key func(T) string, p pageRequest) ([]T, string) {
	start := 0
	if p.after != "" {
		for start < len(items) && key(items[start]) <= p.after {
			start++
		}
	}
	rest := items[start:]
	if p.limit == 0 || len(rest) <= p.limit {
		return rest, ""
	}
	rest = rest[:p.limit]
	return rest, base64.RawURLEncoding.EncodeToString([]byte(key(rest[len(rest)-1])))
}

// maxResults reads MaxResults within [min, max]; 0 when it is absent.
func maxResults(req *protocol.Request, min, max int) (int, error) {
	v := req.Params.Get("MaxResults")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return 0, protocol.Errorf("InvalidParameterValue", "Invalid value '%s' for maxResults", v)
	case n < min:
		return 0, protocol.Errorf("InvalidParameterValue",
			"Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than %d.", n, min)
	case n > max:
		return 0, protocol.Errorf("InvalidParameterValue",
			"Value ( %d ) for parameter maxResults is invalid. Expecting a value less than %d.", n, max)
	}
	return n, nil
}
