package ssm

import (
	"context"
	"fmt"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Value limits per tier.
const (
	maxStandardValue = 4096
	maxAdvancedValue = 8192
)

type tag struct {
	Key   string
	Value string
}

type putParameterInput struct {
	Name        string
	Value       *string
	Type        string
	Description string
	Overwrite   bool
	Tags        []tag
	Tier        string
	DataType    string
}

type putParameterOutput struct {
	Tier    string `json:"Tier"`
	Version int64  `json:"Version"`
}

func (s *service) putParameter(ctx context.Context, req *protocol.Request) (any, error) {
	var in putParameterInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if err := checkPut(&in); err != nil {
		return nil, err
	}
	var out putParameterOutput
	err := s.store.Update(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		p := r.Parameters[in.Name]
		switch {
		case p != nil && !in.Overwrite:
			return protocol.Errorf("ParameterAlreadyExists",
				"The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		case p == nil && in.Type == "":
			return protocol.Errorf("ValidationException", "A parameter type is required when you create a parameter.")
		case p == nil:
			p = &world.Parameter{Name: in.Name, OwnerAccount: w.AccountID, ParameterVersion: world.ParameterVersion{DataType: "text"}}
		}
		// What the request leaves out stays as the current version has it.
		v := p.ParameterVersion
		if in.Type != "" {
			v.Type = in.Type
		}
		if in.DataType != "" {
			v.DataType = in.DataType
		}
		if in.Description != "" {
			v.Description = in.Description
		}
		v.Value, v.Tier = *in.Value, in.Tier
		v.LastModifiedDate = s.now().UTC()
		v.LastModifiedUser = w.CallerARN(w.CallerAccount(req.AccessKey), r.Name)
		if err := p.Write(v); err != nil {
			return parameterError(err)
		}
		if len(in.Tags) > 0 {
			p.Tags = map[string]string{}
			for _, t := range in.Tags {
				p.Tags[t.Key] = t.Value
			}
		}
		r.Parameters[in.Name] = p
		out = putParameterOutput{Tier: p.Tier, Version: p.Version}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkPut validates a PutParameter request before it touches the world and
// settles the tier: Intelligent-Tiering picks Standard when the value fits.
func checkPut(in *putParameterInput) error {
	if err := checkWriteName(in.Name); err != nil {
		return err
	}
	if in.Value == nil || *in.Value == "" {
		// Value is a sensitive field: AWS does not echo it.
		return validationError(nil, "value", "Member must have length greater than or equal to 1")
	}
	switch in.Type {
	case "", "String", "StringList", "SecureString":
	default:
		return validationError(&in.Type, "type", "Member must satisfy enum value set: [SecureString, StringList, String]")
	}
	switch in.DataType {
	case "", "text", "aws:ec2:image", "aws:ssm:integration":
	default:
		return protocol.Errorf("ValidationException",
			"The following data type is not supported: %s (Data type names are all lowercase.)", in.DataType)
	}
	if in.Overwrite && len(in.Tags) > 0 {
		return protocol.Errorf("ValidationException", "Invalid request: tags and overwrite can't be used together. "+
			"To create a parameter with tags, please remove overwrite flag. "+
			"To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	size := len(*in.Value)
	switch in.Tier {
	case "", "Standard":
		in.Tier = "Standard"
	case "Advanced":
	case "Intelligent-Tiering":
		in.Tier = "Standard"
		if size > maxStandardValue {
			in.Tier = "Advanced"
		}
	default:
		return validationError(&in.Tier, "tier", "Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]")
	}
	switch {
	case size > maxAdvancedValue:
		return validationError(nil, "value", fmt.Sprintf("Member must have length less than or equal to %d", maxAdvancedValue))
	case in.Tier == "Standard" && size > maxStandardValue:
		return protocol.Errorf("ValidationException", "Standard tier parameters support a maximum parameter value of %d characters. "+
			"To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.", maxStandardValue)
	}
	return nil
}

type deleteParameterInput struct {
	Name string
}

func (s *service) deleteParameter(ctx context.Context, req *protocol.Request) (any, error) {
	var in deleteParameterInput
	if err := protocol.DecodeJSON(req, &in); err != nil {
		return nil, err
	}
	if err := checkWriteName(in.Name); err != nil {
		return nil, err
	}
	err := s.store.Update(func(w *world.World) error {
		r, err := region(w, req)
		if err != nil {
			return err
		}
		if r.Parameters[in.Name] == nil {
			return errParameterNotFound()
		}
		delete(r.Parameters, in.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
