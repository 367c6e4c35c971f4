// Package iampolicy is the IAM policy winami itself needs, per use, kept as
// data: one list of actions per command, and uses made of commands. The
// policy test in internal/cli runs every command against the sandbox and
// fails when a command calls an action its use's policy lacks.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Use is what the policy is for (--for).
type Use string

// Uses of winami.
const (
	// Build: everything, from plan to destroy.
	Build Use = "build"
	// ReadOnly: look without changing anything.
	ReadOnly Use = "read-only"
	// Drift: report what a cluster's Windows nodes run.
	Drift Use = "drift"
	// Release: promote and roll back release channels (a promotion job
	// that builds nothing).
	Release Use = "release"
	// Rollout: bring a cluster's Windows nodes onto an AMI (node group
	// updates, launch template versions, instance refreshes), with the
	// drift report it ends with.
	Rollout Use = "rollout"
)

// Uses lists the uses in the order help shows them.
var Uses = []Use{Build, ReadOnly, Drift, Release, Rollout}

// ParseUse checks a --for value.
func ParseUse(s string) (Use, error) {
	for _, u := range Uses {
		if string(u) == s {
			return u, nil
		}
	}
	return "", fmt.Errorf("unknown use %q: want build, read-only, drift, release or rollout", s)
}

// Command names, as the policy test's table and Commands name them.
const (
	CmdAMI         = "ami"          // latest, list, resolve, matrix
	CmdAMICopy     = "ami copy"     // copies a release into the account
	CmdImagesCheck = "images check" // registry reads, and DescribeImages for --ami
	CmdCache       = "cache"        // render and validate: nothing is called
	CmdPlan        = "plan"
	CmdApply       = "apply"
	CmdBuild       = "build"
	CmdStatus      = "status"
	CmdDestroy     = "destroy"
	CmdPreflight   = "preflight"
	// CmdFastLaunch is fast-launch enable, wait and disable;
	// CmdFastLaunchRead is fast-launch status and audit.
	CmdFastLaunch     = "fast-launch"
	CmdFastLaunchRead = "fast-launch status"
	CmdDrift          = "drift"
	// CmdRelease is release promote and rollback; CmdReleaseRead is
	// release status and history.
	CmdRelease     = "release promote"
	CmdReleaseRead = "release status"
	CmdRollout     = "rollout"
)

// Commands are the IAM actions each command calls, as a fresh map (no
// package state for a caller to change).
func Commands() map[string][]string {
	// find is what resolving an EKS optimized AMI takes: SSM's public
	// parameters and the AMIs' descriptions.
	find := []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ec2:DescribeImages", "ec2:DescribeRegions"}
	// readPipeline is what plan reads of Image Builder.
	readPipeline := []string{
		"imagebuilder:ListComponents", "imagebuilder:ListComponentBuildVersions", "imagebuilder:GetComponent",
		"imagebuilder:ListImageRecipes", "imagebuilder:GetImageRecipe",
		"imagebuilder:ListInfrastructureConfigurations", "imagebuilder:GetInfrastructureConfiguration",
		"imagebuilder:ListDistributionConfigurations", "imagebuilder:GetDistributionConfiguration",
		"imagebuilder:ListImagePipelines", "imagebuilder:GetImagePipeline",
	}
	// readImages is reading cache images from ECR: the token through the
	// SDK, the manifests and layers through the registry API, which IAM
	// authorizes as these actions.
	readImages := []string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
	// readBuilds is following builds and their AMIs.
	readBuilds := []string{
		"imagebuilder:ListImagePipelineImages", "imagebuilder:GetImage", "imagebuilder:ListImages", "imagebuilder:ListImageBuildVersions",
		"imagebuilder:ListWorkflowExecutions", "imagebuilder:ListWorkflowStepExecutions", "ec2:DescribeImages", "ssm:GetParameter",
	}
	preflight := concat(find, []string{
		"sts:GetCallerIdentity",
		"iam:GetRole", "iam:GetInstanceProfile", "iam:ListInstanceProfiles", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
		"iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:SimulatePrincipalPolicy",
		"ec2:DescribeAvailabilityZones", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
		"ec2:DescribeInstanceTypeOfferings", "ec2:DescribeLaunchTemplates",
		// fast-launch enable's checks, for every distribution region.
		"ec2:DescribeFastLaunchImages", "ec2:DescribeVpcs",
	})
	// readFastLaunch is what fast-launch status and audit read, and build
	// --wait when it confirms Fast Launch.
	readFastLaunch := []string{
		"sts:GetCallerIdentity", "ec2:DescribeImages", "ec2:DescribeFastLaunchImages",
		"ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeImageAttribute",
	}
	// apply and build run the preflight first.
	apply := concat(find, readPipeline, readImages, preflight, []string{
		"imagebuilder:CreateComponent", "imagebuilder:CreateImageRecipe",
		"imagebuilder:CreateInfrastructureConfiguration", "imagebuilder:UpdateInfrastructureConfiguration",
		"imagebuilder:CreateDistributionConfiguration", "imagebuilder:UpdateDistributionConfiguration",
		"imagebuilder:CreateImagePipeline", "imagebuilder:UpdateImagePipeline",
		"imagebuilder:TagResource", "imagebuilder:UntagResource",
		// CreateInfrastructureConfiguration hands the build role to Image
		// Builder; restrict the resource to that role where you can.
		"iam:PassRole",
		// The image cache record apply writes when the list is too long for a tag.
		"ssm:PutParameter",
	})
	// readRelease is what the release commands read: each channel's history
	// and the builds' AMIs, with Fast Launch for its gate.
	// A canary gate reads its cluster as drift does (status shows the
	// next channel's gates, so the read side needs it too).
	readRelease := []string{
		"ssm:GetParameterHistory", "ec2:DescribeImages", "ec2:DescribeFastLaunchImages",
		"eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "ec2:DescribeInstances", "sts:GetCallerIdentity",
	}
	// drift is what a drift report reads; rollout ends with one.
	drift := concat(find, []string{
		"eks:DescribeCluster", "eks:ListClusters", "eks:ListNodegroups", "eks:DescribeNodegroup",
		"ec2:DescribeInstances", "sts:GetCallerIdentity", "ssm:GetParameterHistory",
	})
	rollout := concat(drift, []string{
		// Managed node groups: the update and its life cycle.
		"eks:UpdateNodegroupVersion", "eks:DescribeUpdate", "eks:ListUpdates",
		// The new launch template version (only ImageId differs) and, for
		// a rollback, the default version put back.
		"ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions",
		"ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
		// Self-managed groups: the instance refresh.
		"autoscaling:DescribeAutoScalingGroups", "autoscaling:StartInstanceRefresh",
		"autoscaling:DescribeInstanceRefreshes", "autoscaling:CancelInstanceRefresh",
		"autoscaling:RollbackInstanceRefresh",
		// A refresh that names a launch template version is checked as
		// if the caller launched from it: RunInstances, PassRole for its
		// instance profile (restrict it to the node role) and CreateTags
		// for its tag specifications.
		"ec2:RunInstances", "iam:PassRole", "ec2:CreateTags",
	})
	return map[string][]string{
		CmdRollout:     rollout,
		CmdReleaseRead: readRelease,
		// A promotion labels the versions it writes, and deletes a channel
		// it created when it has to put the regions back.
		CmdRelease:     concat(readRelease, []string{"ssm:PutParameter", "ssm:LabelParameterVersion", "ssm:DeleteParameter"}),
		CmdAMI:         find,
		CmdAMICopy:     concat(find, []string{"ec2:CopyImage", "ec2:CreateTags"}), // CopyImage's TagSpecifications need CreateTags
		CmdImagesCheck: concat(readImages, []string{"ec2:DescribeImages"}),
		CmdCache:       nil,
		CmdPlan:        concat(find, readPipeline, readImages),
		CmdApply:       apply,
		// build applies first, then starts and follows the build.
		CmdBuild:  concat(apply, readBuilds, []string{"imagebuilder:StartImagePipelineExecution", "ec2:DescribeFastLaunchImages"}),
		CmdStatus: concat(find, readPipeline, readBuilds), // find: status resolves the parent, as plan does
		CmdDestroy: concat(readPipeline, readBuilds, []string{
			"imagebuilder:DeleteImagePipeline", "imagebuilder:DeleteDistributionConfiguration",
			"imagebuilder:DeleteInfrastructureConfiguration", "imagebuilder:DeleteImageRecipe",
			"imagebuilder:DeleteComponent", "imagebuilder:DeleteImage",
			"ec2:DeregisterImage", "ec2:DeleteSnapshot",
		}),
		CmdPreflight: preflight,
		CmdFastLaunch: concat(readFastLaunch, []string{
			"ec2:EnableFastLaunch", "ec2:DisableFastLaunch", "ec2:DescribeVpcs",
			"iam:GetRole", "iam:SimulatePrincipalPolicy",
			// EC2 creates AWSServiceRoleForEC2FastLaunch on first use as
			// the caller.
			"iam:CreateServiceLinkedRole",
		}),
		CmdFastLaunchRead: readFastLaunch,
		// With --watch -f and a release section, the exporter's channel
		// series read each channel's history.
		CmdDrift: drift,
	}
}

// CommandsOf are the commands a use runs.
func CommandsOf(u Use) []string {
	switch u {
	case Build:
		return []string{CmdAMI, CmdAMICopy, CmdImagesCheck, CmdCache, CmdPlan, CmdApply, CmdBuild, CmdStatus, CmdDestroy, CmdPreflight, CmdFastLaunch, CmdFastLaunchRead, CmdRelease, CmdReleaseRead}
	case ReadOnly:
		return []string{CmdAMI, CmdImagesCheck, CmdCache, CmdStatus, CmdPlan, CmdPreflight, CmdFastLaunchRead, CmdReleaseRead}
	case Drift:
		return []string{CmdAMI, CmdDrift}
	case Release:
		return []string{CmdReleaseRead, CmdRelease}
	case Rollout:
		return []string{CmdAMI, CmdDrift, CmdRollout}
	}
	return nil
}

// Actions are the IAM actions a use needs, sorted, each once.
func Actions(u Use) []string {
	var out []string
	all := Commands()
	for _, cmd := range CommandsOf(u) {
		for _, a := range all[cmd] {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// Allows reports whether the use's policy grants action (IAM compares
// actions case-insensitively).
func Allows(u Use, action string) bool {
	return slices.ContainsFunc(Actions(u), func(a string) bool { return strings.EqualFold(a, action) })
}

// Policy is the use's IAM policy document: one statement per service, so a
// reader sees at a glance what winami does with each.
func Policy(u Use) (string, error) {
	type statement struct {
		Sid      string   `json:"Sid"`
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource string   `json:"Resource"`
	}
	var stmts []statement
	for _, a := range Actions(u) {
		svc, _, _ := strings.Cut(a, ":")
		sid := "Winami" + sidName(svc)
		if n := len(stmts); n > 0 && stmts[n-1].Sid == sid {
			stmts[n-1].Action = append(stmts[n-1].Action, a)
			continue
		}
		stmts = append(stmts, statement{Sid: sid, Effect: "Allow", Action: []string{a}, Resource: "*"})
	}
	b, err := json.MarshalIndent(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", stmts}, "", "  ")
	return string(b), err
}

// sidName makes a service prefix a statement ID part: "imagebuilder" →
// "Imagebuilder", "ec2" → "EC2".
func sidName(svc string) string {
	switch svc {
	case "ec2", "ecr", "eks", "iam", "ssm", "sts":
		return strings.ToUpper(svc)
	}
	return strings.ToUpper(svc[:1]) + svc[1:]
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
