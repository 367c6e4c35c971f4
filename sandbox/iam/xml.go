package iam

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// roleXML is IAM's Role shape. Lists (ListInstanceProfiles and the roles
// inside instance profiles) leave out RoleLastUsed and Tags, as IAM does.
type roleXML struct {
	Path                     string    `xml:"Path"`
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	CreateDate               string    `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"`
	Description              string    `xml:"Description,omitempty"`
	MaxSessionDuration       int32     `xml:"MaxSessionDuration,omitempty"`
	Tags                     []tagXML  `xml:"Tags>member,omitempty"`
	RoleLastUsed             *struct{} `xml:"RoleLastUsed"`
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type instanceProfileXML struct {
	Path                string   `xml:"Path"`
	InstanceProfileName string   `xml:"InstanceProfileName"`
	InstanceProfileID   string   `xml:"InstanceProfileId"`
	Arn                 string   `xml:"Arn"`
	CreateDate          string   `xml:"CreateDate"`
	Roles               rolesXML `xml:"Roles"`
	Tags                []tagXML `xml:"Tags>member,omitempty"`
}

// rolesXML is a struct so that a profile without a role still sends
// <Roles/>, as IAM does.
type rolesXML struct {
	Members []roleXML `xml:"member"`
}

// iamTime is IAM's timestamp form: 2026-03-03T09:00:00Z.
func iamTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func roleARN(part, account string, r *world.Role) string {
	return "arn:" + part + ":iam::" + account + ":role" + r.Path + r.Name
}

func profileARN(part, account string, p *world.InstanceProfile) string {
	return "arn:" + part + ":iam::" + account + ":instance-profile" + p.Path + p.Name
}

// toRole renders a role; full adds what only GetRole and
// CreateServiceLinkedRole show (tags, last use).
func toRole(part, account string, r *world.Role, full bool) roleXML {
	out := roleXML{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleID:                   r.RoleID,
		Arn:                      roleARN(part, account, r),
		CreateDate:               iamTime(r.CreateDate),
		AssumeRolePolicyDocument: encodePolicy(r.AssumeRolePolicy),
		Description:              r.Description,
		MaxSessionDuration:       r.MaxSessionDuration,
	}
	if full {
		out.Tags = tags(r.Tags)
		out.RoleLastUsed = &struct{}{}
	}
	return out
}

func toProfile(part string, a caller, p *world.InstanceProfile) instanceProfileXML {
	out := instanceProfileXML{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileID:   p.ID,
		Arn:                 profileARN(part, a.id, p),
		CreateDate:          iamTime(p.CreateDate),
		Tags:                tags(p.Tags),
	}
	for _, name := range p.RoleNames {
		if r := a.iam.Roles[name]; r != nil {
			out.Roles.Members = append(out.Roles.Members, toRole(part, a.id, r, false))
		}
	}
	return out
}

func tags(m map[string]string) []tagXML {
	var out []tagXML
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tagXML{Key: k, Value: m[k]})
	}
	return out
}

// encodePolicy percent-encodes a policy document as IAM sends it in XML
// (AssumeRolePolicyDocument, PolicyDocument): every byte but RFC 3986's
// unreserved characters, spaces as %20. Callers decode it with
// url.QueryUnescape, as the AWS CLI does for them.
func encodePolicy(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
