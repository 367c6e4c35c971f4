package ssm

import (
	"context"
	"fmt"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// maxNamesPerCall is GetParameters' limit.
const maxNamesPerCall = 10

type getParameterInput struct {
	Name           string
	WithDecryption bool
}

func (s *service) getParameter(ctx context.Context, req *protocol.Request) (any, error) {
	var in getParameterInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	var out wireParameter
	err := s.store.View(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		p, found, err := lookup(r, in.Name)
		if err != nil {
			return err
		}
		if !found {
			return errParameterNotFound()
		}
		out = p.wire(r.Name, in.WithDecryption)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"Parameter": out}, nil
}

type getParametersInput struct {
	Names          []string
	WithDecryption bool
}

type getParametersOutput struct {
	InvalidParameters []string        `json:"InvalidParameters"`
	Parameters        []wireParameter `json:"Parameters"`
}

func (s *service) getParameters(ctx context.Context, req *protocol.Request) (any, error) {
	var in getParametersInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if len(in.Names) == 0 || len(in.Names) > maxNamesPerCall {
		list := "[" + strings.Join(in.Names, ", ") + "]"
		constraint := "Member must have length greater than or equal to 1"
		if len(in.Names) > maxNamesPerCall {
			constraint = fmt.Sprintf("Member must have length less than or equal to %d", maxNamesPerCall)
		}
		return nil, validationError(&list, "names", constraint)
	}
	out := getParametersOutput{InvalidParameters: []string{}, Parameters: []wireParameter{}}
	err := s.store.View(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, name := range in.Names {
			if seen[name] {
				continue
			}
			seen[name] = true
			// A name that is malformed or names nothing is reported, not
			// failed: probing many names in one call is what GetParameters is for.
			p, found, err := lookup(r, name)
			if err != nil || !found {
				out.InvalidParameters = append(out.InvalidParameters, name)
				continue
			}
			out.Parameters = append(out.Parameters, p.wire(r.Name, in.WithDecryption))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// selected is a parameter as one reference (name with optional selector)
// picks it: the version the selector names.
type selected struct {
	param    *world.Parameter
	version  world.ParameterVersion
	selector string
}

func (p selected) wire(regionName string, decrypt bool) wireParameter {
	out := toWire(regionName, p.param, p.version, decrypt)
	out.Selector = p.selector
	return out
}

// lookup finds the parameter version a reference names: "name", "name:N"
// (a kept version) or "name:label". A version that is not kept is
// ParameterVersionNotFound; a label on no version is not found, as AWS
// answers it.
func lookup(r *world.Region, ref string) (selected, bool, error) {
	name, sel := splitSelector(ref)
	if err := checkReadName(name); err != nil {
		return selected{}, false, err
	}
	p := r.Parameters[name]
	if p == nil {
		return selected{}, false, nil
	}
	v, ok, err := p.Select(sel)
	if err != nil || !ok {
		return selected{}, false, parameterError(err)
	}
	return selected{param: p, version: v, selector: sel}, true, nil
}
