package awsapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Caller is who the credentials belong to.
type Caller struct {
	Account string `json:"account"`
	// ARN is what STS says: a user, a role session, the root.
	ARN string `json:"arn"`
	// PrincipalARN is the IAM principal policies are attached to, which
	// SimulatePrincipalPolicy takes: the user, or the role of a role
	// session (with its path, read from IAM). Empty when it cannot be told.
	PrincipalARN string `json:"principalArn,omitempty"`
}

// WhoAmI asks STS who the caller is and, for a role session, IAM for the
// role's ARN (a session ARN drops the role's path). A failed IAM read
// leaves PrincipalARN empty rather than failing: reading roles is a
// permission many identities lack.
func WhoAmI(ctx context.Context, stsAPI STSAPI, iamAPI IAMAPI) (Caller, error) {
	out, err := stsAPI.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("asking STS who you are: %w", err)
	}
	c := Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	if c.Account == "" || c.ARN == "" {
		// Every caller has both; an account-less caller would make every
		// ARN winami builds from it wrong.
		return Caller{}, Incomplete("STS GetCallerIdentity", "the account and ARN")
	}
	parts := strings.SplitN(c.ARN, ":", 6)
	if len(parts) != 6 {
		return c, nil
	}
	resource := parts[5]
	switch {
	case strings.HasPrefix(resource, "user/"):
		c.PrincipalARN = c.ARN
	case strings.HasPrefix(resource, "assumed-role/"):
		role := strings.SplitN(strings.TrimPrefix(resource, "assumed-role/"), "/", 2)[0]
		if iamAPI == nil {
			break
		}
		if r, err := iamAPI.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)}); err == nil && r.Role != nil {
			c.PrincipalARN = aws.ToString(r.Role.Arn)
		}
	}
	return c, nil
}
