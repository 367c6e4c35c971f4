package world

import "time"

// IAM is the account's IAM: global, not per region.
type IAM struct {
	Roles            map[string]*Role            `json:"roles"`
	InstanceProfiles map[string]*InstanceProfile `json:"instanceProfiles"`
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
	ServiceLinked bool `json:"serviceLinked,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// InstanceProfile is an IAM instance profile and the roles in it (at most one).
type InstanceProfile struct {
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	ID         string    `json:"id"`
	CreateDate time.Time `json:"createDate"`
	RoleNames  []string  `json:"roleNames"`
}
