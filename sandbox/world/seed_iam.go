package world

import (
	"strings"
	"time"
)

// Managed policies the seeded roles use.
const (
	PolicyEC2InstanceProfileForImageBuilder = "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder"
	PolicyAmazonSSMManagedInstanceCore      = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
)

// Names of the seeded roles and instance profiles.
const (
	// BuildRoleName is the build instance role (and instance profile) a
	// winami spec normally names.
	BuildRoleName = "winami-build"
	// LegacyBuildRoleName is an older build role (and profile) that lacks
	// AmazonSSMManagedInstanceCore, for preflight to catch.
	LegacyBuildRoleName = "legacy-build"
)

// seedIAM gives the account its roles and instance profiles: a build role
// as Image Builder documents it, an older one missing SSM, and Image
// Builder's service-linked role. EC2 Fast Launch's service-linked role is
// absent: EC2 creates it on first use.
func seedIAM(w *World, g *gen) {
	w.IAM.Roles = map[string]*Role{}
	w.IAM.InstanceProfiles = map[string]*InstanceProfile{}
	created := time.Date(2026, time.March, 3, 9, 0, 0, 0, time.UTC)

	// Neither managed policy grants ECR pulls (ecr:GetAuthorizationToken,
	// ecr:BatchGetImage, ecr:GetDownloadUrlForLayer). The build role leaves
	// out AmazonEC2ContainerRegistryPullOnly on purpose, so that preflight
	// has a missing permission to report when a spec caches ECR images.
	build := buildRole(g, BuildRoleName, created.Add(g.jitter(0, 6*time.Hour)),
		"Build instances of winami's EC2 Image Builder pipelines",
		PolicyEC2InstanceProfileForImageBuilder, PolicyAmazonSSMManagedInstanceCore)
	build.InlinePolicies = map[string]string{
		"winami-build-logs": policyJSON(policyDoc{
			Version: "2012-10-17",
			Statement: []statement{{
				Effect:   "Allow",
				Action:   []string{"s3:PutObject"},
				Resource: "arn:aws:s3:::winami-build-logs-" + w.AccountID + "/*",
			}},
		}),
	}
	addRoleWithProfile(w, g, build)

	legacy := buildRole(g, LegacyBuildRoleName, created.AddDate(-1, 0, 0).Add(g.jitter(0, 6*time.Hour)),
		"Image Builder instances (2025 pipelines)",
		PolicyEC2InstanceProfileForImageBuilder)
	addRoleWithProfile(w, g, legacy)

	slr := ServiceLinkedRoles()["imagebuilder.amazonaws.com"]
	ib := NewServiceLinkedRole(w.AccountID, slr, "", created.AddDate(-1, -2, 0).Add(g.jitter(0, 24*time.Hour)))
	w.IAM.Roles[ib.Name] = ib
}

func buildRole(g *gen, name string, created time.Time, description string, policies ...string) *Role {
	return &Role{
		Name:               name,
		Path:               "/",
		RoleID:             g.iamID("AROA"),
		AssumeRolePolicy:   TrustPolicy("ec2.amazonaws.com"),
		CreateDate:         created,
		ManagedPolicyARNs:  policies,
		Description:        description,
		MaxSessionDuration: 3600,
	}
}

// addRoleWithProfile adds a role and an instance profile of the same name
// holding it, as the IAM console does when it creates an EC2 role.
func addRoleWithProfile(w *World, g *gen, r *Role) {
	w.IAM.Roles[r.Name] = r
	w.IAM.InstanceProfiles[r.Name] = &InstanceProfile{
		Name:       r.Name,
		Path:       r.Path,
		ID:         g.iamID("AIPA"),
		CreateDate: r.CreateDate,
		RoleNames:  []string{r.Name},
	}
}

// iamAlphabet is the alphabet of IAM unique IDs after their prefix.
const iamAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// iamID draws an IAM unique ID: the prefix and 17 characters of [A-Z2-7].
func (g *gen) iamID(prefix string) string {
	for {
		var b strings.Builder
		b.WriteString(prefix)
		for range 17 {
			b.WriteByte(iamAlphabet[g.rng.IntN(len(iamAlphabet))])
		}
		if id := b.String(); !g.used[id] {
			g.used[id] = true
			return id
		}
	}
}
