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
	// APIVersion is the version of the spec format, APIVersion; a format
	// that changes incompatibly gets a new version, so an old file keeps
	// meaning what it meant.
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	// Kind says what the file describes: always Kind.
	Kind string `yaml:"kind" json:"kind"`
	// Name is used in every resource name: [a-zA-Z0-9-_]{1,64}, starting with a letter.
	Name string `yaml:"name" json:"name"`
	// Region is the home region: where the pipeline lives and builds run.
	Region string `yaml:"region" json:"region"`
	// Tags go on every resource winami creates, beside winami's own.
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`

	Base         Base         `yaml:"base" json:"base"`
	Kubernetes   Kubernetes   `yaml:"kubernetes" json:"kubernetes"`
	Components   []Component  `yaml:"components,omitempty" json:"components,omitempty"`
	Cache        *Cache       `yaml:"cache,omitempty" json:"cache,omitempty"`
	Build        Build        `yaml:"build" json:"build"`
	Distribution Distribution `yaml:"distribution,omitempty" json:"distribution"`
	Schedule     *Schedule    `yaml:"schedule,omitempty" json:"schedule,omitempty"`

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
// the EKS optimized AMI (AWS's recommendation) or the AWS-managed Windows
// Server base image plus the eks-optimized-ami-windows component.
type Base struct {
	Windows string `yaml:"windows" json:"windows"` // "2019", "2022", "2025"
	Edition string `yaml:"edition" json:"edition"` // "core", "full"

	EKSOptimized *EKSOptimized `yaml:"eksOptimized,omitempty" json:"eksOptimized,omitempty"`
	WindowsBase  *WindowsBase  `yaml:"windowsBase,omitempty" json:"windowsBase,omitempty"`

	// OSBuild, e.g. "10.0.20348.2849", is asserted by a generated validate
	// step and recorded on the AMI.
	OSBuild string `yaml:"osBuild,omitempty" json:"osBuild,omitempty"`
}

// EKSOptimized pins the EKS optimized AMI: Release "latest" or "YYYY.MM.DD",
// or Before "YYYY-MM-DD" (the newest release on or before that date).
type EKSOptimized struct {
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
	Before  string `yaml:"before,omitempty" json:"before,omitempty"`
}

// WindowsBase pins the AWS-managed Windows Server base image: Release
// "latest" or a version as Image Builder writes it, "YYYY.M.D".
type WindowsBase struct {
	Release string `yaml:"release,omitempty" json:"release,omitempty"`
}

// Kubernetes is the Kubernetes version of the node image.
type Kubernetes struct {
	// Version is "1.NN".
	Version string `yaml:"version" json:"version"`
	// ComponentVersion, with windowsBase only, pins the
	// eks-optimized-ami-windows component (the kubelet patch), e.g. "1.35.2".
	ComponentVersion string `yaml:"componentVersion,omitempty" json:"componentVersion,omitempty"`
}

// Component is an extra Image Builder component: an existing one by ARN
// (with its version), or a local AWSTOE document that winami creates.
type Component struct {
	ARN  string `yaml:"arn,omitempty" json:"arn,omitempty"`
	File string `yaml:"file,omitempty" json:"file,omitempty"`
	// Parameters are the component's parameters by name.
	Parameters map[string]string `yaml:"parameters,omitempty" json:"parameters,omitempty"`
}

// Cache bakes container images into the AMI, so pods on a new node start
// without pulling (and, above all, extracting) them.
type Cache struct {
	// Images are full references: registry/repository:tag or @sha256:…,
	// each valid by the OCI reference grammar (pkg/imageref), distinct, at
	// most MaxCacheImages.
	Images []string `yaml:"images" json:"images"`
	// Pin labels each image so kubelet's image garbage collection never
	// removes it (containerd only: Kubernetes 1.24 and later); default true.
	Pin *bool `yaml:"pin,omitempty" json:"pin,omitempty"`
	// ParallelPulls bounds the pulls at once on the build instance, 1 to
	// MaxParallelPulls; default DefaultParallelPulls.
	ParallelPulls int `yaml:"parallelPulls,omitempty" json:"parallelPulls,omitempty"`
	// Verify adds a validate step that fails the build when an image is
	// missing; default true.
	Verify *bool `yaml:"verify,omitempty" json:"verify,omitempty"`
}

// Build is the build instance: Image Builder's infrastructure configuration.
type Build struct {
	InstanceProfile  string   `yaml:"instanceProfile" json:"instanceProfile"`
	InstanceTypes    []string `yaml:"instanceTypes,omitempty" json:"instanceTypes,omitempty"`
	SubnetID         string   `yaml:"subnetId,omitempty" json:"subnetId,omitempty"`
	SecurityGroupIDs []string `yaml:"securityGroupIds,omitempty" json:"securityGroupIds,omitempty"`
	// RootVolumeGiB sizes the root volume of the build instance and the AMI.
	RootVolumeGiB int `yaml:"rootVolumeGiB,omitempty" json:"rootVolumeGiB,omitempty"`
	// TerminateOnFailure defaults to true.
	TerminateOnFailure *bool `yaml:"terminateOnFailure,omitempty" json:"terminateOnFailure,omitempty"`
	// RequireIMDSv2 defaults to true (HttpTokens: required).
	RequireIMDSv2 *bool `yaml:"requireIMDSv2,omitempty" json:"requireIMDSv2,omitempty"`
	// Logs, when set, sends build logs to S3.
	Logs *Logs `yaml:"logs,omitempty" json:"logs,omitempty"`
}

// Logs is where build logs go.
type Logs struct {
	S3Bucket string `yaml:"s3Bucket" json:"s3Bucket"`
	S3Prefix string `yaml:"s3Prefix,omitempty" json:"s3Prefix,omitempty"`
}

// Distribution is where the AMI goes and how it is named, shared and published.
type Distribution struct {
	// Regions to distribute to; defaults to [Region].
	Regions []string `yaml:"regions,omitempty" json:"regions,omitempty"`
	// AMIName is the AMI name template; Image Builder expands
	// {{ imagebuilder:buildDate }} and similar.
	AMIName string            `yaml:"amiName,omitempty" json:"amiName,omitempty"`
	AMITags map[string]string `yaml:"amiTags,omitempty" json:"amiTags,omitempty"`
	// TargetAccounts receive a copy of the AMI.
	TargetAccounts []string `yaml:"targetAccounts,omitempty" json:"targetAccounts,omitempty"`
	// LaunchPermissions share the AMI without copying it.
	LaunchPermissions *LaunchPermissions `yaml:"launchPermissions,omitempty" json:"launchPermissions,omitempty"`
	// SSMParameter receives each new AMI ID, per region, e.g. "/winami/prod/ami".
	SSMParameter string      `yaml:"ssmParameter,omitempty" json:"ssmParameter,omitempty"`
	FastLaunch   *FastLaunch `yaml:"fastLaunch,omitempty" json:"fastLaunch,omitempty"`
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
	// TargetSnapshots is the number of pre-provisioned snapshots kept ready.
	TargetSnapshots int `yaml:"targetSnapshots,omitempty" json:"targetSnapshots,omitempty"`
	// MaxParallelLaunches is at least 6 (EC2's rule).
	MaxParallelLaunches int `yaml:"maxParallelLaunches,omitempty" json:"maxParallelLaunches,omitempty"`
	// LaunchTemplate is a launch template ID or name, optionally ":VERSION".
	LaunchTemplate string `yaml:"launchTemplate,omitempty" json:"launchTemplate,omitempty"`
	// Accounts to enable Fast Launch in; defaults to the AMI owner's.
	Accounts []string `yaml:"accounts,omitempty" json:"accounts,omitempty"`
}

// Schedule runs the pipeline on a cron schedule.
type Schedule struct {
	// Cron is Image Builder's six-field cron, e.g. "cron(0 9 ? * WED#2 *)".
	Cron string `yaml:"cron" json:"cron"`
	// OnlyWhenDependenciesUpdated builds only when the parent image or a
	// component has a newer version.
	OnlyWhenDependenciesUpdated bool `yaml:"onlyWhenDependenciesUpdated,omitempty" json:"onlyWhenDependenciesUpdated,omitempty"`
}
