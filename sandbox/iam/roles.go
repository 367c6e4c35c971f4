package iam

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type getRoleResult struct {
	Role roleXML `xml:"Role"`
}

func (s *service) getRole(ctx context.Context, req *protocol.Request) (any, error) {
	name, err := requiredName(req, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	var out getRoleResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		r := a.iam.Roles[name]
		if r == nil {
			return noSuchRole(name)
		}
		out.Role = toRole(partition(req), a.id, r, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (s *service) getRolePolicy(ctx context.Context, req *protocol.Request) (any, error) {
	role, err := requiredName(req, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	policy, err := requiredName(req, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	var out getRolePolicyResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		r := a.iam.Roles[role]
		if r == nil {
			return noSuchRole(role)
		}
		doc, ok := r.InlinePolicies[policy]
		if !ok {
			return protocol.StatusError(http.StatusNotFound, "NoSuchEntity",
				"The role policy with name %s cannot be found.", policy)
		}
		out = getRolePolicyResult{RoleName: r.Name, PolicyName: policy, PolicyDocument: encodePolicy(doc)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedRolePoliciesResult struct {
	AttachedPolicies attachedPolicies `xml:"AttachedPolicies"`
	IsTruncated      bool             `xml:"IsTruncated"`
	Marker           string           `xml:"Marker,omitempty"`
}

// attachedPolicies is a struct so that an empty list is still sent.
type attachedPolicies struct {
	Members []attachedPolicy `xml:"member"`
}

func (s *service) listAttachedRolePolicies(ctx context.Context, req *protocol.Request) (any, error) {
	role, err := requiredName(req, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	prefix, err := pathPrefix(req)
	if err != nil {
		return nil, err
	}
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	var out listAttachedRolePoliciesResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		r := a.iam.Roles[role]
		if r == nil {
			return noSuchRole(role)
		}
		var all []attachedPolicy
		for _, arn := range r.ManagedPolicyARNs {
			path, name := policyPathAndName(arn)
			if strings.HasPrefix(path, prefix) {
				all = append(all, attachedPolicy{PolicyName: name, PolicyArn: arn})
			}
		}
		slices.SortFunc(all, func(a, b attachedPolicy) int { return strings.Compare(a.PolicyName, b.PolicyName) })
		items, marker := page(all, func(a attachedPolicy) string { return a.PolicyName }, p)
		out.AttachedPolicies.Members = items
		out.IsTruncated, out.Marker = marker != "", marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// policyPathAndName splits a policy ARN,
// "arn:aws:iam::aws:policy/aws-service-role/X", into "/aws-service-role/" and "X".
func policyPathAndName(arn string) (path, name string) {
	_, resource, _ := strings.Cut(arn, ":policy")
	i := strings.LastIndex(resource, "/")
	if i < 0 {
		return "/", resource
	}
	return resource[:i+1], resource[i+1:]
}

type listRolePoliciesResult struct {
	PolicyNames policyNames `xml:"PolicyNames"`
	IsTruncated bool        `xml:"IsTruncated"`
	Marker      string      `xml:"Marker,omitempty"`
}

type policyNames struct {
	Members []string `xml:"member"`
}

func (s *service) listRolePolicies(ctx context.Context, req *protocol.Request) (any, error) {
	role, err := requiredName(req, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	p, err := parsePaging(req)
	if err != nil {
		return nil, err
	}
	var out listRolePoliciesResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		r := a.iam.Roles[role]
		if r == nil {
			return noSuchRole(role)
		}
		names := slices.Sorted(maps.Keys(r.InlinePolicies))
		items, marker := page(names, func(n string) string { return n }, p)
		out.PolicyNames.Members = items
		out.IsTruncated, out.Marker = marker != "", marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type createServiceLinkedRoleResult struct {
	Role roleXML `xml:"Role"`
}

// createServiceLinkedRole creates the role AWS defines for a service. Its
// name is fixed by the service, so a second call fails, in AWS's words.
func (s *service) createServiceLinkedRole(ctx context.Context, req *protocol.Request) (any, error) {
	svc := req.Params.Get("AWSServiceName")
	if svc == "" {
		return nil, protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'awsServiceName' failed to satisfy constraint: Member must not be null")
	}
	description := req.Params.Get("Description")
	if len(description) > 1000 {
		return nil, validationError(description, "description", "Member must have length less than or equal to 1000")
	}
	slr, ok := world.ServiceLinkedRoles()[svc]
	if !ok {
		return nil, protocol.Errorf("InvalidInput",
			"Service name %s is not a service the sandbox creates service-linked roles for.", svc)
	}
	if req.Params.Get("CustomSuffix") != "" {
		return nil, protocol.Errorf("InvalidInput", "Custom suffix is not allowed for %s", svc)
	}
	var out createServiceLinkedRoleResult
	err := s.store.Update(func(w *world.World) error {
		a := callerOf(w, req)
		if a.iam.Roles[slr.RoleName] != nil {
			return protocol.Errorf("InvalidInput",
				"Service role name %s has been taken in this account, please try a different suffix.", slr.RoleName)
		}
		if a.iam.Roles == nil {
			a.iam.Roles = map[string]*world.Role{}
		}
		r := world.NewServiceLinkedRole(a.id, slr, description, s.now())
		a.iam.Roles[r.Name] = r
		out.Role = toRole(partition(req), a.id, r, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
