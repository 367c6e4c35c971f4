package iam

import (
	"github.com/winami/winami/sandbox/world"
)

// Decide is IAM's decision on the account's caller (the sandbox user
// whose access key the request carried) performing action on resource:
// "allowed", "implicitDeny" or "explicitDeny", by the user's inline and
// managed policies, as SimulatePrincipalPolicy evaluates them. Other
// services use it where AWS checks permissions in front of the caller,
// such as EC2's DryRun.
func Decide(w *world.World, account, action, resource string) string {
	a := caller{id: account, iam: w.IAMOf(account)}
	if a.iam == nil {
		return decisionImplicitDeny
	}
	policies, err := principalPolicies(a, account, "user", w.UserNameOf(account))
	if err != nil {
		return decisionImplicitDeny
	}
	var statements []statement
	for _, src := range policies {
		st, err := parseStatements(src)
		if err != nil {
			return decisionImplicitDeny
		}
		statements = append(statements, st...)
	}
	return evaluate(statements, action, resource).decision
}
