package images

import (
	"encoding/json"
	"slices"

	"github.com/winami/winami/pkg/imageref"
)

// The ECR actions a build instance's role needs to pull an image: a token
// (an account-wide call, so its resource is always "*"), then the manifest
// and the layers of each repository.
const (
	ActionGetAuthorizationToken = "ecr:GetAuthorizationToken"
	ActionBatchGetImage         = "ecr:BatchGetImage"
	ActionGetDownloadURL        = "ecr:GetDownloadUrlForLayer"
)

// Permission is one IAM action on one resource.
type Permission struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// PullPermissions are the permissions the build role needs to pull the ECR
// images among refs — cross-account registries included, whose repository
// policies must also let the role's account pull — in a stable order. It
// is empty when no image is in ECR: other registries are pulled
// anonymously.
func PullPermissions(refs []imageref.Ref) []Permission {
	var repos []string
	for _, r := range refs {
		if arn, ok := r.ECRRepositoryARN(); ok && !slices.Contains(repos, arn) {
			repos = append(repos, arn)
		}
	}
	if len(repos) == 0 {
		return nil
	}
	slices.Sort(repos)
	out := []Permission{{Action: ActionGetAuthorizationToken, Resource: "*"}}
	for _, arn := range repos {
		out = append(out, Permission{ActionBatchGetImage, arn}, Permission{ActionGetDownloadURL, arn})
	}
	return out
}

// PullPolicy is an IAM policy document granting perms, for the fix a
// preflight prints: one statement for the token, one for the repositories.
func PullPolicy(perms []Permission) (string, error) {
	type statement struct {
		Sid      string   `json:"Sid"`
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource []string `json:"Resource"`
	}
	var token bool
	var repos []string
	for _, p := range perms {
		switch {
		case p.Action == ActionGetAuthorizationToken:
			token = true
		case !slices.Contains(repos, p.Resource):
			repos = append(repos, p.Resource)
		}
	}
	var stmts []statement
	if token {
		stmts = append(stmts, statement{"WinamiECRToken", "Allow", []string{ActionGetAuthorizationToken}, []string{"*"}})
	}
	if len(repos) > 0 {
		stmts = append(stmts, statement{"WinamiECRPull", "Allow", []string{ActionBatchGetImage, ActionGetDownloadURL}, repos})
	}
	b, err := json.MarshalIndent(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", stmts}, "", "  ")
	return string(b), err
}
