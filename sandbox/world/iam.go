package world

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"time"
)

// IAM is the account's IAM: global, not per region.
type IAM struct {
	Roles            map[string]*Role            `json:"roles"`
	InstanceProfiles map[string]*InstanceProfile `json:"instanceProfiles"`
	// Users are the account's IAM users by name; the caller is one of them.
	Users map[string]*User `json:"users,omitempty"`
}

// User is an IAM user.
type User struct {
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	CreateDate time.Time `json:"createDate"`
	// ManagedPolicyARNs are the attached managed policies.
	ManagedPolicyARNs []string `json:"managedPolicyArns,omitempty"`
	// InlinePolicies are policy documents (JSON) by name.
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
}

// EnsureServiceLinkedRole creates the service-linked role of a service in an
// account when the account lacks it, as EC2 does on the first use of Fast
// Launch. It does nothing for an account the world does not have.
func (w *World) EnsureServiceLinkedRole(account, service string, at time.Time) {
	slr, ok := ServiceLinkedRoles()[service]
	iam := w.IAMOf(account)
	if !ok || iam == nil || iam.Roles[slr.RoleName] != nil {
		return
	}
	if iam.Roles == nil {
		iam.Roles = map[string]*Role{}
	}
	iam.Roles[slr.RoleName] = NewServiceLinkedRole(account, slr, "", at)
}

// Role is an IAM role.
type Role struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	RoleID string `json:"roleId"`
	// AssumeRolePolicy is the trust policy document (JSON).
	AssumeRolePolicy string    `json:"assumeRolePolicy"`
	CreateDate       time.Time `json:"createDate"`
	// ManagedPolicyARNs are the attached managed policies.
	ManagedPolicyARNs []string `json:"managedPolicyArns,omitempty"`
	// InlinePolicies are policy documents (JSON) by name.
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	// ServiceLinked marks service-linked roles (path /aws-service-role/...).
	ServiceLinked bool              `json:"serviceLinked,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	Description   string            `json:"description,omitempty"`
	// MaxSessionDuration is in seconds; IAM's default is 3600.
	MaxSessionDuration int32 `json:"maxSessionDuration,omitempty"`
}

// InstanceProfile is an IAM instance profile and the roles in it (at most one).
type InstanceProfile struct {
	Name       string            `json:"name"`
	Path       string            `json:"path"`
	ID         string            `json:"id"`
	CreateDate time.Time         `json:"createDate"`
	RoleNames  []string          `json:"roleNames"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// ServiceLinkedRole describes the service-linked role AWS creates for a
// service: its fixed name and the AWS-managed policy attached to it.
type ServiceLinkedRole struct {
	Service   string // service principal, e.g. "imagebuilder.amazonaws.com"
	RoleName  string
	PolicyARN string
}

// Path is the role's path, "/aws-service-role/<service>/".
func (s ServiceLinkedRole) Path() string { return "/aws-service-role/" + s.Service + "/" }

// ServiceLinkedRoles are the service-linked roles of the services the
// sandbox models, by service principal.
func ServiceLinkedRoles() map[string]ServiceLinkedRole {
	return map[string]ServiceLinkedRole{
		"imagebuilder.amazonaws.com": {
			Service:   "imagebuilder.amazonaws.com",
			RoleName:  "AWSServiceRoleForImageBuilder",
			PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/AWSServiceRoleForImageBuilder",
		},
		"ec2fastlaunch.amazonaws.com": {
			Service:   "ec2fastlaunch.amazonaws.com",
			RoleName:  "AWSServiceRoleForEC2FastLaunch",
			PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/EC2FastLaunchServiceRolePolicy",
		},
	}
}

// NewServiceLinkedRole builds the role AWS creates for slr. Its ID is derived
// from the account and the role's name, so that a role created on first use
// (as EC2 does for Fast Launch) gets the same ID in every run.
func NewServiceLinkedRole(accountID string, slr ServiceLinkedRole, description string, created time.Time) *Role {
	return &Role{
		Name:               slr.RoleName,
		Path:               slr.Path(),
		RoleID:             DerivedID("AROA", accountID+slr.Path()+slr.RoleName),
		AssumeRolePolicy:   TrustPolicy(slr.Service),
		CreateDate:         created.UTC().Truncate(time.Second),
		ManagedPolicyARNs:  []string{slr.PolicyARN},
		ServiceLinked:      true,
		Description:        description,
		MaxSessionDuration: 3600,
	}
}

// DerivedID is an IAM unique ID of AWS's form (a four-letter prefix such as
// AROA or AIPA and 17 characters of [A-Z2-7]) derived from a stable key.
func DerivedID(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// TrustPolicy is the trust policy that lets one AWS service assume a role.
func TrustPolicy(service string) string {
	return policyJSON(policyDoc{
		Version: "2012-10-17",
		Statement: []statement{{
			Effect:    "Allow",
			Principal: map[string]string{"Service": service},
			Action:    "sts:AssumeRole",
		}},
	})
}

type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string            `json:"Sid,omitempty"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    any               `json:"Action"`
	Resource  any               `json:"Resource,omitempty"`
}

func policyJSON(doc policyDoc) string {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // a document of strings always marshals
	}
	return string(b)
}
