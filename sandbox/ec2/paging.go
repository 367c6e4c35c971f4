package ec2

import (
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
)

// paging is how a Describe call pages: MaxResults' bounds and what it makes
// of a NextToken. The token is the last key of the previous page, encoded:
// opaque to callers, as EC2's are.
type paging struct {
	min, max int
	// exclusiveWith is the ID list's name in EC2's error ("imageIdsSet")
	// when the call refuses IDs together with MaxResults; "" when it takes
	// both.
	exclusiveWith string
	// validKey accepts a decoded token; nil: any non-empty one.
	validKey func(key []byte) bool
	// badToken is the call's error for a token it did not issue; nil:
	// InvalidNextToken.
	badToken func() error
}

// pageRequest is a decoded MaxResults/NextToken pair of a Describe call
// that pages by key.
type pageRequest struct {
	limit int    // 0: everything
	after string // the last key of the previous page
}

// parse reads MaxResults within [min, max] and a NextToken this sandbox
// issued; withIDs says whether the request asks for IDs.
func (p *paging) parse(req *protocol.Request, withIDs bool) (pageRequest, error) {
	var pr pageRequest
	if p.exclusiveWith != "" && withIDs && req.Params.Get("MaxResults") != "" {
		return pr, protocol.Errorf("InvalidParameterCombination",
			"The parameter %s cannot be used with the parameter maxResults", p.exclusiveWith)
	}
	var err error
	if pr.limit, err = maxResults(req, p.min, p.max); err != nil {
		return pr, err
	}
	if tok := req.Params.Get("NextToken"); tok != "" {
		key, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !p.accepts(key) {
			if p.badToken != nil {
				return pr, p.badToken()
			}
			return pr, protocol.Errorf("InvalidNextToken", "The specified NextToken is not valid.")
		}
		pr.after = string(key)
	}
	return pr, nil
}

func (p *paging) accepts(key []byte) bool {
	if p.validKey != nil {
		return p.validKey(key)
	}
	return len(key) > 0
}

// pageOf cuts a key-sorted list after the previous page's key and at the
// limit; it returns the page and the token of the next one ("" at the end).
func pageOf[T any](items []T, key func(T) string, p pageRequest) ([]T, string) {
	// The first item past the previous page's key (items are sorted by it).
	start := sort.Search(len(items), func(i int) bool { return key(items[i]) > p.after })
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
