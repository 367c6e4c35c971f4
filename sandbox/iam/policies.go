package iam

import (
	"context"
	"net/http"
	"regexp"
	"sync"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

var (
	policyARNPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|\d{12}):policy(/.*)?/[\w+=,.@-]+$`)
	})
	versionIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`) })
)

type policyXML struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int32  `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int32  `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	Description                   string `xml:"Description,omitempty"`
	CreateDate                    string `xml:"CreateDate"`
	UpdateDate                    string `xml:"UpdateDate"`
}

type getPolicyResult struct {
	Policy policyXML `xml:"Policy"`
}

type policyVersionXML struct {
	Document         string `xml:"Document"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type getPolicyVersionResult struct {
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

// managedPolicy reads PolicyArn and finds the AWS managed policy it names.
// Customer managed policies are not modelled: their ARNs are NoSuchEntity.
func managedPolicy(req *protocol.Request) (world.ManagedPolicy, string, error) {
	arn := req.Params.Get("PolicyArn")
	switch {
	case arn == "":
		return world.ManagedPolicy{}, "", protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null")
	case len(arn) < 20 || !policyARNPattern().MatchString(arn):
		return world.ManagedPolicy{}, arn, protocol.Errorf("InvalidInput", "ARN %s is not valid.", arn)
	}
	p, ok := world.ManagedPolicies()[withoutPartition(arn)]
	if !ok {
		return p, arn, protocol.StatusError(http.StatusNotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", arn)
	}
	return p, arn, nil
}

// withoutPartition writes an ARN in the aws partition, the one the world's
// policy data is keyed by: managed policies are the same in every partition.
func withoutPartition(arn string) string {
	const prefix = "arn:"
	rest := arn[len(prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			return prefix + "aws" + rest[i:]
		}
	}
	return arn
}

func (s *service) getPolicy(ctx context.Context, req *protocol.Request) (any, error) {
	p, arn, err := managedPolicy(req)
	if err != nil {
		return nil, err
	}
	var out getPolicyResult
	err = s.store.View(func(w *world.World) error {
		a := callerOf(w, req)
		out.Policy = policyXML{
			PolicyName: p.Name, PolicyID: p.PolicyID, Arn: arn, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
			AttachmentCount: attachments(a.iam, p.ARN()), IsAttachable: true, Description: p.Description,
			CreateDate: iamTime(p.CreateDate), UpdateDate: iamTime(p.UpdateDate),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// attachments counts the account's roles and users a managed policy is
// attached to: AttachmentCount is per account, even for AWS's policies.
func attachments(iam *world.IAM, arn string) int32 {
	var n int32
	for _, r := range iam.Roles {
		for _, a := range r.ManagedPolicyARNs {
			if a == arn {
				n++
			}
		}
	}
	for _, u := range iam.Users {
		for _, a := range u.ManagedPolicyARNs {
			if a == arn {
				n++
			}
		}
	}
	return n
}

// getPolicyVersion answers the default version; the sandbox keeps no older
// ones, so any other version does not exist.
func (s *service) getPolicyVersion(ctx context.Context, req *protocol.Request) (any, error) {
	p, arn, err := managedPolicy(req)
	if err != nil {
		return nil, err
	}
	v := req.Params.Get("VersionId")
	switch {
	case v == "":
		return nil, protocol.Errorf("ValidationError",
			"1 validation error detected: Value null at 'versionId' failed to satisfy constraint: Member must not be null")
	case !versionIDPattern().MatchString(v):
		return nil, validationError(v, "versionId", `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	case v != p.DefaultVersionID:
		return nil, protocol.StatusError(http.StatusNotFound, "NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, v)
	}
	return getPolicyVersionResult{PolicyVersion: policyVersionXML{
		Document: encodePolicy(p.Document), VersionID: v, IsDefaultVersion: true, CreateDate: iamTime(p.UpdateDate),
	}}, nil
}
