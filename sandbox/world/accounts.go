package world

import "strings"

// Account is an account of the world besides the default one (World.AccountID,
// whose user and IAM are World.UserName and World.IAM). It has its own IAM
// user and IAM; EC2 resources stay in the regions, owned by account ID.
type Account struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
	IAM      IAM    `json:"iam"`
}

// CallerAccount is the account an access key ID belongs to. The sandbox
// hands out no keys, so the key names the account: a key that ends in
// "-<account ID>" of an account of the world (e.g. "test-444455556666")
// belongs to that account; every other key, "test" included, to the default
// account.
func (w *World) CallerAccount(accessKey string) string {
	if i := strings.LastIndexByte(accessKey, '-'); i >= 0 {
		if id := accessKey[i+1:]; w.Accounts[id] != nil {
			return id
		}
	}
	return w.AccountID
}

// IAMOf is the account's IAM, or nil when the world has no such account.
func (w *World) IAMOf(account string) *IAM {
	if account == w.AccountID {
		return &w.IAM
	}
	if a := w.Accounts[account]; a != nil {
		return &a.IAM
	}
	return nil
}

// UserNameOf is the name of the IAM user an account's credentials belong to.
func (w *World) UserNameOf(account string) string {
	if account == w.AccountID {
		return w.UserName
	}
	if a := w.Accounts[account]; a != nil {
		return a.UserName
	}
	return ""
}

// CallerARN is the ARN of the IAM user an account's credentials belong to,
// in the partition of the region the request went to: what STS's
// GetCallerIdentity answers and what SSM records as LastModifiedUser.
func (w *World) CallerARN(account, region string) string {
	return "arn:" + Partition(region) + ":iam::" + account + ":user/" + w.UserNameOf(account)
}
