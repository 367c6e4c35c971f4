// Package spec is winami.yaml: the declarative description of one custom EKS
// Windows AMI and the EC2 Image Builder pipeline that builds it. It decodes
// strictly, applies defaults, and validates, reporting every problem of a
// file at once with its file:line:col and field path.
package spec

// The apiVersion and kind every winami.yaml starts with, as Kubernetes
// manifests and eksctl's ClusterConfig do. The group is the project's name
// rather than a domain it would have to own; v1alpha1 says the format may
// still change, which a new version will then announce.
const (
	APIVersion = "winami/v1alpha1"
	Kind       = "ImageSpec"
)

// Spec is one winami.yaml. Field names are the YAML keys (and JSON keys of
// plan output and the JSON Schema).
type Spec struct {
	// The version of the spec format: winami/v1alpha1. A format that
	// changes incompatibly gets a new version, so an old file keeps meaning
	// what it meant.
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	// What the file describes: ImageSpec, one custom AMI and the pipeline
	// that builds it.
	Kind string `yaml:"kind" json:"kind"`
	// Used in every resource name winami creates (and in the AMI name): 1-64
	// letters, digits, - and _, starting with a letter.
	Name string `yaml:"name" json:"name"`
	// The home region: where the pipeline lives and builds run.
	Region string `yaml:"region" json:"region"`
	// Tags for every resource winami creates, beside winami's own winami:*
	// tags.
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`

	Base       Base       `yaml:"base" json:"base"`
	Kubernetes Kubernetes `yaml:"kubernetes" json:"kubernetes"`
	// Extra Image Builder components, run after the EKS parts.
	Components   []Component  `yaml:"components,omitempty" json:"components,omitempty"`
	Cache        *Cache       `yaml:"cache,omitempty" json:"cache,omitempty"`
	Build        Build        `yaml:"build" json:"build"`
	Distribution Distribution `yaml:"distribution,omitempty" json:"distribution"`
	Schedule     *Schedule    `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	// Release channels: builds publish to the first, and an AMI enters a
	// later one only by `winami release promote`, behind its gates.
	Release *Release `yaml:"release,omitempty" json:"release,omitempty"`

	// File is the path the spec was read from; relative component files
	// are resolved against its directory.
	File string `yaml:"-" json:"-"`

	// pos holds where each field's value is in File, for Position and
	// Problemf; keys where map keys (tag keys, parameter names) are.
	pos, keys positions
	// opts are what the caller allowed; docs the component files' content,
	// read once while validating (file as written in the spec -> content).
	opts Options
	docs map[string]string
}

// Base is the parent image: Windows Server version and edition, and either
// the EKS optimized AMI (eksOptimized, the default) or the AWS-managed
// Windows Server base image plus the eks-optimized-ami-windows component
// (windowsBase).
type Base struct {
	// Windows Server version.
	Windows string `yaml:"windows" json:"windows"` // "2019", "2022", "2025"
	// Windows Server edition (any case).
	Edition string `yaml:"edition" json:"edition"` // "core", "full"

	// Build on the EKS optimized Windows AMI, as AWS recommends. Defaults to
	// {release: latest} when neither eksOptimized nor windowsBase is given.
	EKSOptimized *EKSOptimized `yaml:"eksOptimized,omitempty" json:"eksOptimized,omitempty"`
	// Build on the AWS-managed Windows Server base image plus the
	// eks-optimized-ami-windows component.
	WindowsBase *WindowsBase `yaml:"windowsBase,omitempty" json:"windowsBase,omitempty"`

	// The exact OS build, 10.0.<build>.<revision>; a validate step fails the
	// build when the instance differs, and the build is recorded on the AMI.
	// 2019 is 10.0.17763, 2022 10.0.20348, 2025 10.0.26100.
	OSBuild string `yaml:"osBuild,omitempty" json:"osBuild,omitempty"`
}

// EKSOptimized pins the EKS optimized AMI: Release "latest" or "YYYY.MM.DD",
// or Before "YYYY-MM-DD" (the newest release on or before that date).
type EKSOptimized struct {
	// latest, or a release date as in the AMI names, YYYY.MM.DD.
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
	// Take the newest release on or before this day, YYYY-MM-DD (instead of
	// release).
	Before string `yaml:"before,omitempty" json:"before,omitempty"`
	// Build on the account's copy of the release (made by winami ami
	// copy) instead of Amazon's public AMI, which Amazon makes private
	// four months after release. Needs release: YYYY.MM.DD.
	Copy bool `yaml:"copy,omitempty" json:"copy,omitempty"`
}

// Pinned says e names a release (release: YYYY.MM.DD or before:), so the
// parent ages, rather than following SSM's latest; false for a nil e.
func (e *EKSOptimized) Pinned() bool {
	return e != nil && (e.Before != "" || (e.Release != "" && e.Release != DefaultRelease))
}

// WindowsBase pins the AWS-managed Windows Server base image: Release
// "latest" or a version as Image Builder writes it, "YYYY.M.D".
type WindowsBase struct {
	// latest, or the base image's version as Image Builder writes it,
	// YYYY.M.D without zero padding.
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
}

// Kubernetes is the Kubernetes version of the node image.
type Kubernetes struct {
	// Kubernetes minor version, 1.NN (quote it: unquoted 1.30 is the number
	// 1.3 to other YAML tools). Windows Server 2025 needs 1.35 or later.
	Version string `yaml:"version" json:"version"`
	// With base.windowsBase only: the exact eks-optimized-ami-windows
	// component version (the kubelet patch), 1.NN.P with the same 1.NN.
	ComponentVersion string `yaml:"componentVersion,omitempty" json:"componentVersion,omitempty"`
}

// Component is an existing component by ARN, or a local AWSTOE document
// that winami creates as a component.
type Component struct {
	// arn:<partition>:imagebuilder:<home region>:<account or aws>:component/<name>/<version>;
	// the version may use x wildcards (1.x.x, x.x.x).
	ARN string `yaml:"arn,omitempty" json:"arn,omitempty"`
	// Path of an AWSTOE YAML document, relative to this file.
	File string `yaml:"file,omitempty" json:"file,omitempty"`
	// The component's parameters by name.
	Parameters map[string]string `yaml:"parameters,omitempty" json:"parameters,omitempty"`
}

// Cache is container images baked into the AMI, so that pods on a new node
// start without pulling and extracting them. With ECR images, the build
// instance's role needs ecr:GetAuthorizationToken on * and
// ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on each repository.
type Cache struct {
	// Full image references, registry/repository:tag or
	// registry/repository@sha256:<digest> (at most 50, each once). winami
	// validates each against the OCI reference grammar.
	Images []string `yaml:"images" json:"images"`
	// Label each image io.cri-containerd.pinned=pinned so kubelet's image
	// garbage collection never removes it. Needs containerd: Kubernetes 1.24
	// or later (set false for 1.23 and earlier, which run Docker).
	Pin *bool `yaml:"pin,omitempty" json:"pin,omitempty"`
	// How many images the build instance pulls at once, 1-16.
	ParallelPulls int `yaml:"parallelPulls,omitempty" json:"parallelPulls,omitempty"`
	// Add a validate step that fails the build when an image is missing from
	// the AMI.
	Verify *bool `yaml:"verify,omitempty" json:"verify,omitempty"`
}

// Build is the build instance: Image Builder's infrastructure configuration.
type Build struct {
	// Name of the build instance's instance profile; its role needs
	// EC2InstanceProfileForImageBuilder and AmazonSSMManagedInstanceCore.
	InstanceProfile string `yaml:"instanceProfile" json:"instanceProfile"`
	// x86_64 instance types, tried in order of availability.
	InstanceTypes []string `yaml:"instanceTypes,omitempty" json:"instanceTypes,omitempty"`
	// Subnet of the build instance; leave it and securityGroupIds out to use
	// the default VPC.
	SubnetID string `yaml:"subnetId,omitempty" json:"subnetId,omitempty"`
	// Security groups of the build instance (with subnetId).
	SecurityGroupIDs []string `yaml:"securityGroupIds,omitempty" json:"securityGroupIds,omitempty"`
	// Root volume of the build instance and the AMI, in GiB; at least 50 on
	// the EKS optimized AMI, 30 on the Windows base image.
	RootVolumeGiB int `yaml:"rootVolumeGiB,omitempty" json:"rootVolumeGiB,omitempty"`
	// Terminate the build instance when the build fails (false keeps it for
	// debugging).
	TerminateOnFailure *bool `yaml:"terminateOnFailure,omitempty" json:"terminateOnFailure,omitempty"`
	// Require IMDSv2 (HttpTokens: required) on the build instance.
	RequireIMDSv2 *bool `yaml:"requireIMDSv2,omitempty" json:"requireIMDSv2,omitempty"`
	// Send build logs to S3.
	Logs *Logs `yaml:"logs,omitempty" json:"logs,omitempty"`
}

// Logs is where build logs go.
type Logs struct {
	S3Bucket string `yaml:"s3Bucket" json:"s3Bucket"`
	S3Prefix string `yaml:"s3Prefix,omitempty" json:"s3Prefix,omitempty"`
}

// Distribution is where the AMI goes, how it is named, shared and published.
type Distribution struct {
	// Regions to distribute to, including the home region; defaults to
	// [region].
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	// AMI name template. winami expands {{name}}, {{windows}}, {{edition}},
	// {{kubernetes}}, {{osBuild}}; Image Builder expands
	// {{ imagebuilder:buildDate }} (required, it keeps names unique) and
	// {{ imagebuilder:buildVersion }}. Other characters: letters, digits,
	// spaces, . - _.
	AMIName string `yaml:"amiName,omitempty" json:"amiName,omitempty"`
	// Tags for the AMIs.
	AMITags map[string]string `yaml:"amiTags,omitempty" json:"amiTags,omitempty"`
	// Accounts that receive their own copy of the AMI.
	TargetAccounts []string `yaml:"targetAccounts,omitempty" json:"targetAccounts,omitempty"`
	// Share the AMI without copying it.
	LaunchPermissions *LaunchPermissions `yaml:"launchPermissions,omitempty" json:"launchPermissions,omitempty"`
	// SSM parameter that receives each new AMI ID, in every distribution
	// region (e.g. /winami/prod/ami).
	SSMParameter string `yaml:"ssmParameter,omitempty" json:"ssmParameter,omitempty"`
	// EC2 Fast Launch for the new AMI, through the distribution's
	// fastLaunchConfigurations.
	FastLaunch *FastLaunch `yaml:"fastLaunch,omitempty" json:"fastLaunch,omitempty"`
}

// LaunchPermissions share an AMI with accounts, organizations or OUs.
type LaunchPermissions struct {
	Accounts               []string `yaml:"accounts,omitempty" json:"accounts,omitempty"`
	OrganizationARNs       []string `yaml:"organizationArns,omitempty" json:"organizationArns,omitempty"`
	OrganizationalUnitARNs []string `yaml:"organizationalUnitArns,omitempty" json:"organizationalUnitArns,omitempty"`
}

// FastLaunch enables EC2 Fast Launch on the new AMI through the
// distribution's fastLaunchConfigurations.
type FastLaunch struct {
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Pre-provisioned snapshots kept ready.
	TargetSnapshots int `yaml:"targetSnapshots,omitempty" json:"targetSnapshots,omitempty"`
	// Instances launched at once to make snapshots; EC2's minimum is 6.
	MaxParallelLaunches int `yaml:"maxParallelLaunches,omitempty" json:"maxParallelLaunches,omitempty"`
	// Launch template ID (lt-...) or name, optionally :version, :$Latest or
	// :$Default.
	LaunchTemplate string `yaml:"launchTemplate,omitempty" json:"launchTemplate,omitempty"`
	// Accounts to enable Fast Launch in; defaults to the AMI owner's.
	Accounts []string `yaml:"accounts,omitempty" json:"accounts,omitempty"`
}

// Schedule runs the pipeline on a schedule.
type Schedule struct {
	// Image Builder's six-field cron (minute hour day-of-month month
	// day-of-week year, UTC); one of the day fields is ?. rate() is not
	// supported.
	Cron string `yaml:"cron" json:"cron"`
	// Build only when a component or a versioned parent image has a newer
	// version (EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE); false
	// builds on every match.
	OnlyWhenDependenciesUpdated bool `yaml:"onlyWhenDependenciesUpdated,omitempty" json:"onlyWhenDependenciesUpdated,omitempty"`
}

// Release is a spec's release channels, in order: each one SSM parameter
// per distribution region that node groups, launch templates or Karpenter
// follow. Builds write the first channel (instead of
// distribution.ssmParameter); `winami release promote` moves an AMI into a
// later one once its gates hold, and `winami release rollback` moves a
// channel back.
type Release struct {
	// Channels in promotion order, e.g. candidate then stable.
	Channels []ReleaseChannel `yaml:"channels" json:"channels"`
}

// ReleaseChannel is one release channel.
type ReleaseChannel struct {
	// Channel name: lower-case letters, digits and -, starting with a letter.
	Name string `yaml:"name" json:"name"`
	// SSM parameter of the channel, the same name in every distribution
	// region; defaults to /winami/<spec name>/<channel name>.
	Parameter string `yaml:"parameter,omitempty" json:"parameter,omitempty"`
	// Gates an AMI must pass to enter this channel (not for the first one).
	Gates *ReleaseGates `yaml:"gates,omitempty" json:"gates,omitempty"`
}

// ReleaseGates are a channel's entry conditions besides those every
// promotion checks (the AMI is the spec's build, available and not
// deprecated in every region, with the spec's OS build and cache record).
type ReleaseGates struct {
	// Minimum time in the previous channel, a Go duration such as 24h or 90m.
	Soak string `yaml:"soak,omitempty" json:"soak,omitempty"`
	// Require Fast Launch enabled for the AMI in every region; defaults to
	// distribution.fastLaunch.enabled.
	FastLaunch *bool `yaml:"fastLaunch,omitempty" json:"fastLaunch,omitempty"`
	// A canary EKS cluster whose Windows nodes on the AMI must all be
	// Ready with no drift, and at least one must run it.
	Canary *CanaryGate `yaml:"canary,omitempty" json:"canary,omitempty"`
}

// CanaryGate names the canary cluster of a release gate.
type CanaryGate struct {
	// EKS cluster name.
	Cluster string `yaml:"cluster" json:"cluster"`
	// The cluster's region, one of the distribution regions; defaults to
	// the spec's region.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
}
