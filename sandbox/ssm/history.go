package ssm

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// maxHistoryResults is GetParameterHistory's page limit (and default).
const maxHistoryResults = 50

// maxLabelsPerCall is how many labels one (Un)LabelParameterVersion takes.
const maxLabelsPerCall = 10

type getParameterHistoryInput struct {
	Name           string
	WithDecryption bool
	MaxResults     *int
	NextToken      string
}

// historyEntry is one ParameterHistory of GetParameterHistory.
type historyEntry struct {
	Name             string   `json:"Name"`
	Type             string   `json:"Type"`
	Value            string   `json:"Value"`
	DataType         string   `json:"DataType"`
	Description      string   `json:"Description,omitempty"`
	Tier             string   `json:"Tier"`
	Version          int64    `json:"Version"`
	LastModifiedDate float64  `json:"LastModifiedDate"`
	LastModifiedUser string   `json:"LastModifiedUser,omitempty"`
	Labels           []string `json:"Labels"`
}

type getParameterHistoryOutput struct {
	Parameters []historyEntry `json:"Parameters"`
	NextToken  string         `json:"NextToken,omitempty"`
}

// getParameterHistory lists a parameter's kept versions, oldest first, a
// page at a time. The token carries the name and the last version served,
// so paging resumes after it even when a version is written in between.
func (s *service) getParameterHistory(ctx context.Context, req *protocol.Request) (any, error) {
	var in getParameterHistoryInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if err := checkReadName(in.Name); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.MaxResults, maxHistoryResults)
	if err != nil {
		return nil, err
	}
	var after int64
	if in.NextToken != "" {
		name, version, ok := decodeHistoryToken(in.NextToken)
		if !ok || name != in.Name {
			return nil, protocol.Errorf("InvalidNextToken", "The specified token isn't valid.")
		}
		after = version
	}
	out := getParameterHistoryOutput{Parameters: []historyEntry{}}
	err = s.store.View(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		p := r.Parameters[in.Name]
		if p == nil {
			return errParameterNotFound()
		}
		for _, v := range p.History() {
			if v.Version <= after {
				continue
			}
			if len(out.Parameters) == limit {
				out.NextToken = encodeHistoryToken(in.Name, out.Parameters[limit-1].Version)
				break
			}
			out.Parameters = append(out.Parameters, historyEntry{
				Name: p.Name, Type: v.Type, Value: shownValue(v, in.WithDecryption), DataType: v.DataType,
				Description: v.Description, Tier: v.Tier, Version: v.Version,
				LastModifiedDate: epochSeconds(v.LastModifiedDate), LastModifiedUser: v.LastModifiedUser,
				Labels: append([]string{}, v.Labels...),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func encodeHistoryToken(name string, version int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(version, 10) + ":" + name))
}

func decodeHistoryToken(tok string) (name string, version int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", 0, false
	}
	v, name, found := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(v, 10, 64)
	return name, n, found && err == nil && n > 0
}

type labelInput struct {
	Name             string
	ParameterVersion *int64
	Labels           []string
}

// checkLabelInput applies the API model's limits: 1 to 10 labels of 1 to
// 100 characters. (SSM's naming rules are not validation: a label that
// breaks them comes back in InvalidLabels.)
func checkLabelInput(in *labelInput) error {
	if err := checkWriteName(in.Name); err != nil {
		return err
	}
	list := "[" + strings.Join(in.Labels, ", ") + "]"
	switch {
	case len(in.Labels) == 0:
		return validationError(&list, "labels", "Member must have length greater than or equal to 1")
	case len(in.Labels) > maxLabelsPerCall:
		return validationError(&list, "labels", fmt.Sprintf("Member must have length less than or equal to %d", maxLabelsPerCall))
	}
	for _, l := range in.Labels {
		if l == "" || len(l) > world.MaxLabelLength {
			return validationError(&list, "labels", fmt.Sprintf(
				"Member must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1]",
				world.MaxLabelLength))
		}
	}
	if in.ParameterVersion != nil && *in.ParameterVersion < 1 {
		v := fmt.Sprint(*in.ParameterVersion)
		return validationError(&v, "parameterVersion", "Member must have value greater than or equal to 1")
	}
	return nil
}

// labelParameter runs fn on the named parameter of the caller's account.
func (s *service) labelParameter(req *protocol.Request, in *labelInput, fn func(p *world.Parameter, version int64) error) error {
	if err := checkLabelInput(in); err != nil {
		return err
	}
	return s.store.Update(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		p := r.Parameters[in.Name]
		if p == nil {
			return errParameterNotFound()
		}
		var version int64 // 0: the current version
		if in.ParameterVersion != nil {
			version = *in.ParameterVersion
		}
		return parameterError(fn(p, version))
	})
}

type labelParameterVersionOutput struct {
	InvalidLabels    []string `json:"InvalidLabels"`
	ParameterVersion int64    `json:"ParameterVersion"`
}

// labelParameterVersion attaches labels to a version (the current one when
// none is named), moving each from the version that had it.
func (s *service) labelParameterVersion(ctx context.Context, req *protocol.Request) (any, error) {
	var in labelInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	out := labelParameterVersionOutput{InvalidLabels: []string{}}
	err := s.labelParameter(req, &in, func(p *world.Parameter, version int64) error {
		v, invalid, err := p.Label(version, in.Labels)
		out.ParameterVersion, out.InvalidLabels = v, append(out.InvalidLabels, invalid...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type unlabelParameterVersionOutput struct {
	RemovedLabels []string `json:"RemovedLabels"`
	InvalidLabels []string `json:"InvalidLabels"`
}

// unlabelParameterVersion removes labels from a version; ParameterVersion
// is required here.
func (s *service) unlabelParameterVersion(ctx context.Context, req *protocol.Request) (any, error) {
	var in labelInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if in.ParameterVersion == nil {
		return nil, validationError(nil, "parameterVersion", "Member must not be null")
	}
	out := unlabelParameterVersionOutput{RemovedLabels: []string{}, InvalidLabels: []string{}}
	err := s.labelParameter(req, &in, func(p *world.Parameter, version int64) error {
		removed, invalid, err := p.Unlabel(version, in.Labels)
		out.RemovedLabels = append(out.RemovedLabels, removed...)
		out.InvalidLabels = append(out.InvalidLabels, invalid...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
