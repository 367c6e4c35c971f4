package world

import "time"

// ImageBuilder is one region's EC2 Image Builder state: the AWS-managed
// components and images, and the account's own resources.
//
// Nested configuration types carry the JSON names of Image Builder's REST API
// (camelCase, as the world's JSON already is), so the sandbox's service
// decodes requests into them and answers with them without a second copy of
// every shape. Times are time.Time here; the service writes them as Image
// Builder's date strings.
type ImageBuilder struct {
	// Components by build version ARN (…:component/<name>/<x.y.z>/<build>).
	Components map[string]*Component `json:"components,omitempty"`
	// ImageRecipes by ARN (…:image-recipe/<name>/<x.y.z>).
	ImageRecipes map[string]*ImageRecipe `json:"imageRecipes,omitempty"`
	// InfrastructureConfigurations, DistributionConfigurations and
	// ImagePipelines by ARN.
	InfrastructureConfigurations map[string]*InfrastructureConfiguration `json:"infrastructureConfigurations,omitempty"`
	DistributionConfigurations   map[string]*DistributionConfiguration   `json:"distributionConfigurations,omitempty"`
	ImagePipelines               map[string]*ImagePipeline               `json:"imagePipelines,omitempty"`
	// Images by build version ARN (…:image/<name>/<x.y.z>/<build>): the
	// AWS-managed base images and the account's builds.
	Images map[string]*ImageBuildVersion `json:"images,omitempty"`
	// ClientTokens remember each idempotent request by operation and token.
	ClientTokens map[string]*ClientTokenRecord `json:"clientTokens,omitempty"`
}

// Owner of the AWS-managed Image Builder resources, as the API names it; their
// ARNs carry "aws" in place of an account ID.
const ImageBuilderAmazonOwner = "Amazon"

// Component is one build version of an AWSTOE component; its build number
// is the last part of its ARN.
type Component struct {
	ARN               string `json:"arn"`
	Name              string `json:"name"`
	Version           string `json:"version"`
	Description       string `json:"description,omitempty"`
	ChangeDescription string `json:"changeDescription,omitempty"`
	Platform          string `json:"platform"` // Windows, Linux
	// Type is BUILD, or TEST for a document with only a test phase.
	Type string `json:"type"`
	// Owner is the account ID, or ImageBuilderAmazonOwner.
	Owner               string                     `json:"owner"`
	Data                string                     `json:"data"`
	SupportedOSVersions []string                   `json:"supportedOsVersions,omitempty"`
	Parameters          []ComponentParameterDetail `json:"parameters,omitempty"`
	KMSKeyID            string                     `json:"kmsKeyId,omitempty"`
	DateCreated         time.Time                  `json:"dateCreated"`
	Tags                map[string]string          `json:"tags,omitempty"`
}

// ComponentParameterDetail is a parameter a component document declares.
type ComponentParameterDetail struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	DefaultValue []string `json:"defaultValue,omitempty"`
	Description  string   `json:"description,omitempty"`
}

// ImageRecipe is one version of an image recipe.
type ImageRecipe struct {
	ARN         string `json:"arn"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner"`
	// Platform is the parent image's, resolved when the recipe was made.
	Platform string `json:"platform"`
	// ParentImage is as given: an AMI ID, an image ARN or "ssm:<parameter>".
	ParentImage                     string                           `json:"parentImage"`
	Components                      []ComponentConfiguration         `json:"components,omitempty"`
	BlockDeviceMappings             []InstanceBlockDeviceMapping     `json:"blockDeviceMappings,omitempty"`
	WorkingDirectory                string                           `json:"workingDirectory,omitempty"`
	AdditionalInstanceConfiguration *AdditionalInstanceConfiguration `json:"additionalInstanceConfiguration,omitempty"`
	AMITags                         map[string]string                `json:"amiTags,omitempty"`
	DateCreated                     time.Time                        `json:"dateCreated"`
	Tags                            map[string]string                `json:"tags,omitempty"`
}

// ComponentConfiguration is a component of a recipe with its parameters.
type ComponentConfiguration struct {
	ComponentARN string               `json:"componentArn"`
	Parameters   []ComponentParameter `json:"parameters,omitempty"`
}

// ComponentParameter sets a component parameter for a recipe.
type ComponentParameter struct {
	Name  string   `json:"name"`
	Value []string `json:"value"`
}

// InstanceBlockDeviceMapping is a recipe's block device for the build instance
// and the output AMI.
type InstanceBlockDeviceMapping struct {
	DeviceName  string          `json:"deviceName,omitempty"`
	EBS         *EBSBlockDevice `json:"ebs,omitempty"`
	NoDevice    *string         `json:"noDevice,omitempty"`
	VirtualName string          `json:"virtualName,omitempty"`
}

// EBSBlockDevice is the EBS part of an InstanceBlockDeviceMapping.
type EBSBlockDevice struct {
	DeleteOnTermination *bool  `json:"deleteOnTermination,omitempty"`
	Encrypted           *bool  `json:"encrypted,omitempty"`
	IOPS                *int32 `json:"iops,omitempty"`
	KMSKeyID            string `json:"kmsKeyId,omitempty"`
	SnapshotID          string `json:"snapshotId,omitempty"`
	Throughput          *int32 `json:"throughput,omitempty"`
	VolumeSize          *int32 `json:"volumeSize,omitempty"`
	VolumeType          string `json:"volumeType,omitempty"`
}

// AdditionalInstanceConfiguration is a recipe's extra build-instance settings.
type AdditionalInstanceConfiguration struct {
	SystemsManagerAgent *SystemsManagerAgent `json:"systemsManagerAgent,omitempty"`
	UserDataOverride    string               `json:"userDataOverride,omitempty"`
}

// SystemsManagerAgent says whether the SSM agent is removed after the build.
type SystemsManagerAgent struct {
	UninstallAfterBuild *bool `json:"uninstallAfterBuild,omitempty"`
}

// InfrastructureConfiguration is where and how builds run.
type InfrastructureConfiguration struct {
	ARN                        string                   `json:"arn"`
	Name                       string                   `json:"name"`
	Description                string                   `json:"description,omitempty"`
	InstanceProfileName        string                   `json:"instanceProfileName"`
	InstanceTypes              []string                 `json:"instanceTypes,omitempty"`
	SubnetID                   string                   `json:"subnetId,omitempty"`
	SecurityGroupIDs           []string                 `json:"securityGroupIds,omitempty"`
	KeyPair                    string                   `json:"keyPair,omitempty"`
	SNSTopicARN                string                   `json:"snsTopicArn,omitempty"`
	TerminateInstanceOnFailure *bool                    `json:"terminateInstanceOnFailure,omitempty"`
	InstanceMetadataOptions    *InstanceMetadataOptions `json:"instanceMetadataOptions,omitempty"`
	Logging                    *Logging                 `json:"logging,omitempty"`
	Placement                  *Placement               `json:"placement,omitempty"`
	ResourceTags               map[string]string        `json:"resourceTags,omitempty"`
	DateCreated                time.Time                `json:"dateCreated"`
	DateUpdated                *time.Time               `json:"dateUpdated,omitempty"`
	Tags                       map[string]string        `json:"tags,omitempty"`
}

// InstanceMetadataOptions are the build instance's IMDS settings.
type InstanceMetadataOptions struct {
	HTTPPutResponseHopLimit *int32 `json:"httpPutResponseHopLimit,omitempty"`
	HTTPTokens              string `json:"httpTokens,omitempty"`
}

// Logging sends build logs to S3.
type Logging struct {
	S3Logs *S3Logs `json:"s3Logs,omitempty"`
}

// S3Logs is the bucket and prefix of build logs.
type S3Logs struct {
	S3BucketName string `json:"s3BucketName,omitempty"`
	S3KeyPrefix  string `json:"s3KeyPrefix,omitempty"`
}

// Placement pins build instances to a zone, tenancy or host.
type Placement struct {
	AvailabilityZone     string `json:"availabilityZone,omitempty"`
	HostID               string `json:"hostId,omitempty"`
	HostResourceGroupARN string `json:"hostResourceGroupArn,omitempty"`
	Tenancy              string `json:"tenancy,omitempty"`
}

// DistributionConfiguration says where a build's AMI goes.
type DistributionConfiguration struct {
	ARN            string            `json:"arn"`
	Name           string            `json:"name"`
	Description    string            `json:"description,omitempty"`
	Distributions  []Distribution    `json:"distributions"`
	TimeoutMinutes int32             `json:"timeoutMinutes"`
	DateCreated    time.Time         `json:"dateCreated"`
	DateUpdated    *time.Time        `json:"dateUpdated,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// Distribution is one region's settings of a distribution configuration.
type Distribution struct {
	Region                       string                        `json:"region"`
	AMIDistributionConfiguration *AMIDistributionConfiguration `json:"amiDistributionConfiguration,omitempty"`
	SSMParameterConfigurations   []SSMParameterConfiguration   `json:"ssmParameterConfigurations,omitempty"`
	FastLaunchConfigurations     []FastLaunchConfiguration     `json:"fastLaunchConfigurations,omitempty"`
	LaunchTemplateConfigurations []LaunchTemplateConfiguration `json:"launchTemplateConfigurations,omitempty"`
	LicenseConfigurationARNs     []string                      `json:"licenseConfigurationArns,omitempty"`
}

// AMIDistributionConfiguration names, tags and shares the output AMI.
type AMIDistributionConfiguration struct {
	// Name may hold {{ imagebuilder:buildDate }} and {{ imagebuilder:buildVersion }}.
	Name             string                         `json:"name,omitempty"`
	Description      string                         `json:"description,omitempty"`
	AMITags          map[string]string              `json:"amiTags,omitempty"`
	TargetAccountIDs []string                       `json:"targetAccountIds,omitempty"`
	KMSKeyID         string                         `json:"kmsKeyId,omitempty"`
	LaunchPermission *LaunchPermissionConfiguration `json:"launchPermission,omitempty"`
}

// LaunchPermissionConfiguration is who may launch the output AMI.
type LaunchPermissionConfiguration struct {
	UserIDs                []string `json:"userIds,omitempty"`
	UserGroups             []string `json:"userGroups,omitempty"`
	OrganizationARNs       []string `json:"organizationArns,omitempty"`
	OrganizationalUnitARNs []string `json:"organizationalUnitArns,omitempty"`
}

// SSMParameterConfiguration publishes the output AMI ID in a parameter.
type SSMParameterConfiguration struct {
	ParameterName string `json:"parameterName"`
	AMIAccountID  string `json:"amiAccountId,omitempty"`
	DataType      string `json:"dataType,omitempty"`
}

// FastLaunchConfiguration turns on EC2 Fast Launch for the output AMI.
type FastLaunchConfiguration struct {
	Enabled               bool                             `json:"enabled"`
	AccountID             string                           `json:"accountId,omitempty"`
	LaunchTemplate        *FastLaunchLaunchTemplate        `json:"launchTemplate,omitempty"`
	MaxParallelLaunches   *int32                           `json:"maxParallelLaunches,omitempty"`
	SnapshotConfiguration *FastLaunchSnapshotConfiguration `json:"snapshotConfiguration,omitempty"`
}

// FastLaunchLaunchTemplate names a launch template by ID or by name.
type FastLaunchLaunchTemplate struct {
	LaunchTemplateID      string `json:"launchTemplateId,omitempty"`
	LaunchTemplateName    string `json:"launchTemplateName,omitempty"`
	LaunchTemplateVersion string `json:"launchTemplateVersion,omitempty"`
}

// FastLaunchSnapshotConfiguration is how many pre-provisioned snapshots to keep.
type FastLaunchSnapshotConfiguration struct {
	TargetResourceCount *int32 `json:"targetResourceCount,omitempty"`
}

// LaunchTemplateConfiguration points a launch template at the output AMI.
type LaunchTemplateConfiguration struct {
	LaunchTemplateID  string `json:"launchTemplateId"`
	AccountID         string `json:"accountId,omitempty"`
	SetDefaultVersion bool   `json:"setDefaultVersion,omitempty"`
}

// ImagePipeline ties a recipe, an infrastructure and a distribution together.
type ImagePipeline struct {
	ARN                            string                   `json:"arn"`
	Name                           string                   `json:"name"`
	Description                    string                   `json:"description,omitempty"`
	Platform                       string                   `json:"platform"`
	ImageRecipeARN                 string                   `json:"imageRecipeArn"`
	InfrastructureConfigurationARN string                   `json:"infrastructureConfigurationArn"`
	DistributionConfigurationARN   string                   `json:"distributionConfigurationArn,omitempty"`
	Schedule                       *Schedule                `json:"schedule,omitempty"`
	Status                         string                   `json:"status"` // ENABLED, DISABLED
	ImageTestsConfiguration        *ImageTestsConfiguration `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled   bool                     `json:"enhancedImageMetadataEnabled"`
	ImageTags                      map[string]string        `json:"imageTags,omitempty"`
	DateCreated                    time.Time                `json:"dateCreated"`
	DateUpdated                    *time.Time               `json:"dateUpdated,omitempty"`
	Tags                           map[string]string        `json:"tags,omitempty"`
}

// Schedule runs a pipeline on a cron expression.
type Schedule struct {
	ScheduleExpression              string `json:"scheduleExpression,omitempty"`
	PipelineExecutionStartCondition string `json:"pipelineExecutionStartCondition,omitempty"`
	Timezone                        string `json:"timezone,omitempty"`
}

// ImageTestsConfiguration turns the test phase on or off.
type ImageTestsConfiguration struct {
	ImageTestsEnabled *bool  `json:"imageTestsEnabled,omitempty"`
	TimeoutMinutes    *int32 `json:"timeoutMinutes,omitempty"`
}

// ImageBuildVersion is one build of an image: an AWS-managed base image, or
// a build of the account's pipeline with the resources it was built from,
// copied when it started (as Image Builder keeps them). Its build number is
// the last part of its ARN.
type ImageBuildVersion struct {
	ARN         string    `json:"arn"`
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Owner       string    `json:"owner"`
	Platform    string    `json:"platform"`
	OSVersion   string    `json:"osVersion,omitempty"`
	Type        string    `json:"type"`        // AMI
	BuildType   string    `json:"buildType"`   // USER_INITIATED, SCHEDULED
	ImageSource string    `json:"imageSource"` // AMAZON_MANAGED, CUSTOM
	State       string    `json:"state"`
	StateReason string    `json:"stateReason,omitempty"`
	DateCreated time.Time `json:"dateCreated"`
	// StateChangedAt is when the build entered State; with Pace it says when
	// the next state is due.
	StateChangedAt time.Time `json:"stateChangedAt"`
	// Pace is how long each build state lasts, fixed when the build started.
	Pace time.Duration `json:"pace,omitempty"`
	// ParentImageID is the AMI the build started from, once resolved.
	ParentImageID string `json:"parentImageId,omitempty"`
	// OSBuild is the Windows build of the output AMIs, e.g. "10.0.20348.2849".
	OSBuild         string     `json:"osBuild,omitempty"`
	DeprecationTime *time.Time `json:"deprecationTime,omitempty"`
	// CachedImages are the container images the build and validate phases
	// pulled into the AMI (the sandbox's own record; no API shows it).
	CachedImages []CachedImage `json:"cachedImages,omitempty"`

	SourcePipelineARN            string                       `json:"sourcePipelineArn,omitempty"`
	SourcePipelineName           string                       `json:"sourcePipelineName,omitempty"`
	ImageRecipe                  *ImageRecipe                 `json:"imageRecipe,omitempty"`
	InfrastructureConfiguration  *InfrastructureConfiguration `json:"infrastructureConfiguration,omitempty"`
	DistributionConfiguration    *DistributionConfiguration   `json:"distributionConfiguration,omitempty"`
	ImageTestsConfiguration      *ImageTestsConfiguration     `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled bool                         `json:"enhancedImageMetadataEnabled"`

	// OutputAMIs are the AMIs the build made, one per region and account.
	OutputAMIs []OutputAMI       `json:"outputAmis,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
}

// CachedImage is a container image a build pulled: the reference as the
// component wrote it and the digest of the manifest or index it resolved to.
type CachedImage struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest"`
}

// OutputAMI is one AMI an image build made.
type OutputAMI struct {
	Region      string `json:"region"`
	ImageID     string `json:"image"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	AccountID   string `json:"accountId"`
}

// ClientTokenRecord is an idempotent request Image Builder answered: a
// repeat with the same token and request gets the same answer, a different
// request with the same token an IdempotentParameterMismatchException.
type ClientTokenRecord struct {
	// Request is the SHA-256 of the canonical JSON of the request without
	// its token.
	Request string `json:"request"`
	// Response is the JSON answered.
	Response string    `json:"response"`
	At       time.Time `json:"at"`
}
