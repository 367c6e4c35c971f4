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
	// NoECRBuildRoleName is a build role (and profile) with everything a
	// build needs but ECR pulls, for preflight to catch when a spec caches
	// images from ECR.
	NoECRBuildRoleName = "winami-build-no-ecr"
	// CallerUserName is the IAM user of the dummy credentials, in every account.
	CallerUserName = "sandbox"
)

// seedIAM gives the account its roles and instance profiles: a build role
// as Image Builder documents it, an older one missing SSM, and Image
// Builder's service-linked role. EC2 Fast Launch's service-linked role is
// absent: EC2 creates it on first use.
func seedIAM(w *World, g *gen) {
	w.IAM.Roles = map[string]*Role{}
	w.IAM.InstanceProfiles = map[string]*InstanceProfile{}
	created := time.Date(2026, time.March, 3, 9, 0, 0, 0, time.UTC)

	// Neither of the first two managed policies grants ECR pulls
	// (ecr:GetAuthorizationToken, ecr:BatchGetImage,
	// ecr:GetDownloadUrlForLayer): the complete build role adds
	// AmazonEC2ContainerRegistryPullOnly.
	build := buildRole(g, BuildRoleName, created.Add(g.jitter(0, 6*time.Hour)),
		"Build instances of winami's EC2 Image Builder pipelines",
		PolicyEC2InstanceProfileForImageBuilder, PolicyAmazonSSMManagedInstanceCore, PolicyAmazonEC2ContainerRegistryPullOnly)
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

	// Drawn after everything above, so that adding it changed no earlier ID.
	noECR := buildRole(g, NoECRBuildRoleName, created.AddDate(0, 2, 0).Add(g.jitter(0, 6*time.Hour)),
		"Build instances without ECR access",
		PolicyEC2InstanceProfileForImageBuilder, PolicyAmazonSSMManagedInstanceCore)
	addRoleWithProfile(w, g, noECR)

	w.IAM.Users = map[string]*User{CallerUserName: {
		Name: CallerUserName, Path: "/", CreateDate: created.AddDate(0, -1, 0),
		ManagedPolicyARNs: []string{PolicyAmazonEC2ContainerRegistryReadOnly},
		InlinePolicies:    map[string]string{"winami-operator": operatorPolicy(w.AccountID)},
	}}
	seedPartnerAccount(w, created)
}

// operatorPolicy is the caller's own policy: what winami needs, iam:PassRole
// only for winami-* roles, and an explicit deny of destructive IAM actions,
// so that SimulatePrincipalPolicy has every decision to give.
func operatorPolicy(account string) string {
	return policyJSON(policyDoc{Version: "2012-10-17", Statement: []statement{
		{Sid: "Operate", Effect: "Allow", Resource: "*", Action: []string{
			"ec2:Describe*", "ec2:EnableFastLaunch", "ec2:DisableFastLaunch", "ec2:DeregisterImage", "ec2:DeleteSnapshot",
			"ec2:CopyImage", "ec2:CreateTags",
			"imagebuilder:*", "ssm:GetParameter*", "ssm:PutParameter", "ssm:DeleteParameter",
			"iam:Get*", "iam:List*", "iam:SimulatePrincipalPolicy", "sts:GetCallerIdentity", "eks:Describe*", "eks:List*",
		}},
		// What a rollout calls, named one by one (ec2:Describe* and eks:Describe*/List* cover some):
		// a new launch template version, then an EKS node group update or an instance refresh.
		{Sid: "Rollout", Effect: "Allow", Resource: "*", Action: []string{
			"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DescribeLaunchTemplateVersions",
			"eks:UpdateNodegroupVersion", "eks:DescribeUpdate", "eks:ListUpdates",
			"autoscaling:DescribeAutoScalingGroups", "autoscaling:StartInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
			"autoscaling:CancelInstanceRefresh", "autoscaling:RollbackInstanceRefresh",
		}},
		{Sid: "PassBuildRoles", Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::" + account + ":role/winami-*"},
		{Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "arn:aws:iam::*:role/aws-service-role/*"},
		{Sid: "NoIdentityChanges", Effect: "Deny", Resource: "*", Action: []string{"iam:Delete*", "iam:CreateUser", "iam:CreateAccessKey"}},
	}})
}

// seedPartnerAccount adds the second account (the partner, which shares an
// AMI with the default account and is shared one back): its own user, who
// may not create service-linked roles, and no roles at all, so no
// AWSServiceRoleForEC2FastLaunch.
func seedPartnerAccount(w *World, created time.Time) {
	policy := policyJSON(policyDoc{Version: "2012-10-17", Statement: []statement{
		{Sid: "Operate", Effect: "Allow", Resource: "*", Action: []string{
			"ec2:Describe*", "ec2:EnableFastLaunch", "ec2:DisableFastLaunch",
			"iam:Get*", "iam:List*", "iam:SimulatePrincipalPolicy", "sts:GetCallerIdentity",
		}},
	}})
	w.Accounts = map[string]*Account{PartnerAccountID: {
		ID:       PartnerAccountID,
		UserName: CallerUserName,
		IAM: IAM{
			Roles:            map[string]*Role{},
			InstanceProfiles: map[string]*InstanceProfile{},
			Users: map[string]*User{CallerUserName: {
				Name: CallerUserName, Path: "/", CreateDate: created,
				InlinePolicies: map[string]string{"partner-operator": policy},
			}},
		},
	}}
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
