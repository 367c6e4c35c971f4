package ssm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// maxPathResults is GetParametersByPath's page limit (and default).
const maxPathResults = 10

type stringFilter struct {
	Key    string
	Option string
	Values []string
}

type getParametersByPathInput struct {
	Path             string
	Recursive        bool
	ParameterFilters []stringFilter
	WithDecryption   bool
	MaxResults       *int
	NextToken        string
}

type getParametersByPathOutput struct {
	Parameters []wireParameter `json:"Parameters"`
	NextToken  string          `json:"NextToken,omitempty"`
}

// pageToken is what a NextToken carries: the query it belongs to and the
// last name returned. Names are served in sorted order, so paging resumes
// after that name and stays stable when parameters come and go in between.
type pageToken struct {
	Path      string `json:"p"`
	Recursive bool   `json:"r"`
	After     string `json:"a"`
}

func (s *service) getParametersByPath(ctx context.Context, req *protocol.Request) (any, error) {
	var in getParametersByPathInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if err := checkPath(in.Path); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.MaxResults, maxPathResults)
	if err != nil {
		return nil, err
	}
	if err := checkPathFilters(in.ParameterFilters); err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		tok, ok := decodeToken(in.NextToken)
		if !ok || tok.Path != in.Path || tok.Recursive != in.Recursive {
			return nil, protocol.Errorf("InvalidNextToken", "The specified token isn't valid.")
		}
		after = tok.After
	}
	out := getParametersByPathOutput{Parameters: []wireParameter{}}
	err = s.store.View(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		names := underPath(r, in.Path, in.Recursive)
		i, _ := slices.BinarySearch(names, after)
		if after != "" && i < len(names) && names[i] == after {
			i++
		}
		for ; i < len(names); i++ {
			p := r.Parameters[names[i]]
			if !matchesFilters(p, in.ParameterFilters) {
				continue
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeToken(pageToken{Path: in.Path, Recursive: in.Recursive, After: names[i-1]})
				break
			}
			out.Parameters = append(out.Parameters, toWire(r.Name, p, p.ParameterVersion, in.WithDecryption))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// underPath lists, sorted, the names below path: one level down, or every
// level when recursive. Public parameters live in AWS's global namespace and
// are found only under /aws; the account's only elsewhere. A name without a
// leading slash is a root-level name ("a" is "/a").
func underPath(r *world.Region, path string, recursive bool) []string {
	prefix := strings.TrimSuffix(path, "/") + "/"
	public := strings.HasPrefix(prefix, "/aws/")
	var names []string
	for name, p := range r.Parameters {
		if (p.OwnerAccount == "") != public {
			continue
		}
		full := name
		if !strings.HasPrefix(full, "/") {
			full = "/" + full
		}
		rest, ok := strings.CutPrefix(full, prefix)
		if !ok || rest == "" || (!recursive && strings.Contains(rest, "/")) {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// checkPathFilters accepts the filters GetParametersByPath takes: Type,
// KeyId, Label and tag:<key>.
func checkPathFilters(filters []stringFilter) error {
	for _, f := range filters {
		switch {
		case f.Key == "Type", f.Key == "KeyId", f.Key == "Label", strings.HasPrefix(f.Key, "tag:"):
		default:
			return protocol.Errorf("InvalidFilterKey",
				"The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId].", f.Key)
		}
		if len(f.Values) == 0 {
			return protocol.Errorf("InvalidFilterValue",
				"The following filter values are missing : null for filter key %s.", f.Key)
		}
		switch f.Option {
		case "", "Equals", "BeginsWith":
		default:
			return protocol.Errorf("InvalidFilterOption",
				"The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", f.Option)
		}
	}
	return nil
}

// matchesFilters applies the filters; all must hold, any value of one will do.
func matchesFilters(p *world.Parameter, filters []stringFilter) bool {
	for _, f := range filters {
		var have string
		var ok bool
		switch {
		case f.Key == "Type":
			have, ok = p.Type, true
		case f.Key == "KeyId":
			have, ok = "alias/aws/ssm", p.Type == "SecureString"
		case strings.HasPrefix(f.Key, "tag:"):
			have, ok = p.Tags[strings.TrimPrefix(f.Key, "tag:")]
		}
		if !ok || !slices.ContainsFunc(f.Values, func(v string) bool {
			if f.Option == "BeginsWith" {
				return strings.HasPrefix(have, v)
			}
			return have == v
		}) {
			return false
		}
	}
	return true
}

// pageLimit is a MaxResults of 1 to max, max when not given (the API
// model's range, checked as AWS's request validation does).
func pageLimit(maxResults *int, max int) (int, error) {
	if maxResults == nil {
		return max, nil
	}
	limit := *maxResults
	v := fmt.Sprint(limit)
	switch {
	case limit < 1:
		return 0, validationError(&v, "maxResults", "Member must have value greater than or equal to 1")
	case limit > max:
		return 0, validationError(&v, "maxResults", fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return limit, nil
}

func encodeToken(t pageToken) string {
	b, _ := json.Marshal(t) // strings and a bool always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (pageToken, bool) {
	var t pageToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.After == "" {
		return pageToken{}, false
	}
	return t, true
}
