package imagebuilder

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/world"
)

// clone deep-copies a world value for an answer, which is encoded after the
// store's lock is released. World values always encode, so errors cannot occur.
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	raw, _ := json.Marshal(v)
	var out T
	_ = json.Unmarshal(raw, &out)
	return &out
}

// date is a time as Image Builder's date strings carry it:
// "2026-11-11T05:00:00.000Z" (the API's dateCreated and dateUpdated are
// strings, not timestamps).
func date(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// dateP is date of an optional time.
func dateP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return date(*t)
}

// epoch is a timestamp member (deprecationTime) as restJson1 writes it.
func epoch(t *time.Time) *float64 {
	if t == nil {
		return nil
	}
	f := float64(t.UnixMilli()) / 1000
	return &f
}

// checkTags applies Image Builder's tag rules: at most 50, keys of 1 to 128
// characters not starting with "aws:", values of at most 256.
func checkTags(param string, tags map[string]string) error {
	if len(tags) > 50 {
		return invalidParam(param, "At most 50 tags are allowed; got %d.", len(tags))
	}
	for k, v := range tags {
		switch {
		case k == "" || len(k) > 128:
			return invalidParam(param, "Tag keys must be 1 to 128 characters long.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return invalidParam(param, "Tag keys may not start with 'aws:'; got '%s'.", k)
		case len(v) > 256:
			return invalidParam(param, "The value of tag '%s' is longer than 256 characters.", k)
		}
	}
	return nil
}

// Wire shapes. Each embeds the world type, whose JSON names are the API's,
// and shadows its times with date strings (encoding/json prefers the
// shallower field of a name).

type componentState struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type wireComponent struct {
	*world.Component
	DateCreated string          `json:"dateCreated"`
	Encrypted   bool            `json:"encrypted"`
	State       *componentState `json:"state"`
}

func toComponent(c *world.Component) wireComponent {
	// Image Builder encrypts every component, with an AWS owned key unless
	// the caller names one.
	return wireComponent{Component: clone(c), DateCreated: date(c.DateCreated), Encrypted: true,
		State: &componentState{Status: "ACTIVE"}}
}

// componentSummary is a build version in ListComponentBuildVersions.
type componentSummary struct {
	ARN                 string            `json:"arn"`
	Name                string            `json:"name"`
	Version             string            `json:"version"`
	Platform            string            `json:"platform"`
	SupportedOSVersions []string          `json:"supportedOsVersions,omitempty"`
	State               *componentState   `json:"state"`
	Type                string            `json:"type"`
	Owner               string            `json:"owner"`
	Description         string            `json:"description,omitempty"`
	ChangeDescription   string            `json:"changeDescription,omitempty"`
	DateCreated         string            `json:"dateCreated"`
	Tags                map[string]string `json:"tags,omitempty"`
}

func toComponentSummary(c *world.Component) componentSummary {
	return componentSummary{
		ARN: c.ARN, Name: c.Name, Version: c.Version, Platform: c.Platform,
		SupportedOSVersions: c.SupportedOSVersions, State: &componentState{Status: "ACTIVE"},
		Type: c.Type, Owner: c.Owner, Description: c.Description, ChangeDescription: c.ChangeDescription,
		DateCreated: date(c.DateCreated), Tags: maps.Clone(c.Tags),
	}
}

// componentVersion is a semantic version in ListComponents: its ARN has no build.
type componentVersion struct {
	ARN                 string   `json:"arn"`
	Name                string   `json:"name"`
	Version             string   `json:"version"`
	Description         string   `json:"description,omitempty"`
	Platform            string   `json:"platform"`
	SupportedOSVersions []string `json:"supportedOsVersions,omitempty"`
	Type                string   `json:"type"`
	Owner               string   `json:"owner"`
	DateCreated         string   `json:"dateCreated"`
	Status              string   `json:"status"`
}

func toComponentVersion(c *world.Component) componentVersion {
	return componentVersion{
		ARN: versionARN(c.ARN), Name: c.Name, Version: c.Version, Description: c.Description,
		Platform: c.Platform, SupportedOSVersions: c.SupportedOSVersions, Type: c.Type, Owner: c.Owner,
		DateCreated: date(c.DateCreated), Status: "ACTIVE",
	}
}

type wireRecipe struct {
	*world.ImageRecipe
	DateCreated string `json:"dateCreated"`
	Type        string `json:"type"`
}

func toRecipe(r *world.ImageRecipe) *wireRecipe {
	if r == nil {
		return nil
	}
	return &wireRecipe{ImageRecipe: clone(r), DateCreated: date(r.DateCreated), Type: "AMI"}
}

type recipeSummary struct {
	ARN         string            `json:"arn"`
	Name        string            `json:"name"`
	Platform    string            `json:"platform"`
	Owner       string            `json:"owner"`
	ParentImage string            `json:"parentImage"`
	DateCreated string            `json:"dateCreated"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func toRecipeSummary(r *world.ImageRecipe) recipeSummary {
	return recipeSummary{
		ARN: r.ARN, Name: r.Name, Platform: r.Platform, Owner: r.Owner, ParentImage: r.ParentImage,
		DateCreated: date(r.DateCreated), Tags: maps.Clone(r.Tags),
	}
}

type wireInfrastructure struct {
	*world.InfrastructureConfiguration
	DateCreated string `json:"dateCreated"`
	DateUpdated string `json:"dateUpdated,omitempty"`
	// Terminate is always answered, false unless set.
	TerminateInstanceOnFailure bool `json:"terminateInstanceOnFailure"`
}

func toInfrastructure(c *world.InfrastructureConfiguration) *wireInfrastructure {
	if c == nil {
		return nil
	}
	return &wireInfrastructure{InfrastructureConfiguration: clone(c), DateCreated: date(c.DateCreated),
		DateUpdated: dateP(c.DateUpdated), TerminateInstanceOnFailure: c.TerminateInstanceOnFailure != nil && *c.TerminateInstanceOnFailure}
}

type infrastructureSummary struct {
	ARN                 string            `json:"arn"`
	Name                string            `json:"name"`
	Description         string            `json:"description,omitempty"`
	InstanceProfileName string            `json:"instanceProfileName"`
	InstanceTypes       []string          `json:"instanceTypes,omitempty"`
	Placement           *world.Placement  `json:"placement,omitempty"`
	ResourceTags        map[string]string `json:"resourceTags,omitempty"`
	DateCreated         string            `json:"dateCreated"`
	DateUpdated         string            `json:"dateUpdated,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
}

func toInfrastructureSummary(c *world.InfrastructureConfiguration) infrastructureSummary {
	return infrastructureSummary{
		ARN: c.ARN, Name: c.Name, Description: c.Description, InstanceProfileName: c.InstanceProfileName,
		InstanceTypes: slices.Clone(c.InstanceTypes), Placement: clone(c.Placement),
		ResourceTags: maps.Clone(c.ResourceTags), DateCreated: date(c.DateCreated),
		DateUpdated: dateP(c.DateUpdated), Tags: maps.Clone(c.Tags),
	}
}

type wireDistribution struct {
	*world.DistributionConfiguration
	DateCreated string `json:"dateCreated"`
	DateUpdated string `json:"dateUpdated,omitempty"`
}

func toDistribution(c *world.DistributionConfiguration) *wireDistribution {
	if c == nil {
		return nil
	}
	return &wireDistribution{DistributionConfiguration: clone(c), DateCreated: date(c.DateCreated), DateUpdated: dateP(c.DateUpdated)}
}

type distributionSummary struct {
	ARN         string            `json:"arn"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Regions     []string          `json:"regions"`
	DateCreated string            `json:"dateCreated"`
	DateUpdated string            `json:"dateUpdated,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func toDistributionSummary(c *world.DistributionConfiguration) distributionSummary {
	regions := []string{}
	for _, d := range c.Distributions {
		regions = append(regions, d.Region)
	}
	return distributionSummary{
		ARN: c.ARN, Name: c.Name, Description: c.Description, Regions: regions,
		DateCreated: date(c.DateCreated), DateUpdated: dateP(c.DateUpdated), Tags: maps.Clone(c.Tags),
	}
}

type wirePipeline struct {
	*world.ImagePipeline
	DateCreated   string `json:"dateCreated"`
	DateUpdated   string `json:"dateUpdated,omitempty"`
	DateLastRun   string `json:"dateLastRun,omitempty"`
	LastRunStatus string `json:"lastRunStatus,omitempty"`
}

type imageState struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type outputAMI struct {
	Region      string      `json:"region"`
	Image       string      `json:"image"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	State       *imageState `json:"state"`
	AccountID   string      `json:"accountId"`
}

type outputResources struct {
	AMIs []outputAMI `json:"amis"`
}

func toOutputs(img *world.ImageBuildVersion) *outputResources {
	if len(img.OutputAMIs) == 0 {
		return nil
	}
	out := &outputResources{}
	for _, a := range img.OutputAMIs {
		out.AMIs = append(out.AMIs, outputAMI{Region: a.Region, Image: a.ImageID, Name: a.Name,
			Description: a.Description, State: &imageState{Status: "AVAILABLE"}, AccountID: a.AccountID})
	}
	return out
}

// wireImage is GetImage's image.
type wireImage struct {
	ARN                          string                         `json:"arn"`
	Name                         string                         `json:"name"`
	Version                      string                         `json:"version"`
	Type                         string                         `json:"type"`
	Platform                     string                         `json:"platform"`
	OSVersion                    string                         `json:"osVersion,omitempty"`
	State                        *imageState                    `json:"state"`
	ImageRecipe                  *wireRecipe                    `json:"imageRecipe,omitempty"`
	SourcePipelineARN            string                         `json:"sourcePipelineArn,omitempty"`
	SourcePipelineName           string                         `json:"sourcePipelineName,omitempty"`
	InfrastructureConfiguration  *wireInfrastructure            `json:"infrastructureConfiguration,omitempty"`
	DistributionConfiguration    *wireDistribution              `json:"distributionConfiguration,omitempty"`
	ImageTestsConfiguration      *world.ImageTestsConfiguration `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled bool                           `json:"enhancedImageMetadataEnabled"`
	DateCreated                  string                         `json:"dateCreated"`
	OutputResources              *outputResources               `json:"outputResources,omitempty"`
	BuildType                    string                         `json:"buildType"`
	ImageSource                  string                         `json:"imageSource"`
	DeprecationTime              *float64                       `json:"deprecationTime,omitempty"`
	Tags                         map[string]string              `json:"tags,omitempty"`
}

func toImage(img *world.ImageBuildVersion) wireImage {
	return wireImage{
		ARN: img.ARN, Name: img.Name, Version: img.Version, Type: img.Type, Platform: img.Platform,
		OSVersion: img.OSVersion, State: &imageState{Status: img.State, Reason: img.StateReason},
		ImageRecipe: toRecipe(img.ImageRecipe), SourcePipelineARN: img.SourcePipelineARN,
		SourcePipelineName: img.SourcePipelineName, InfrastructureConfiguration: toInfrastructure(img.InfrastructureConfiguration),
		DistributionConfiguration: toDistribution(img.DistributionConfiguration),
		ImageTestsConfiguration:   clone(img.ImageTestsConfiguration), EnhancedImageMetadataEnabled: img.EnhancedImageMetadataEnabled,
		DateCreated: date(img.DateCreated), OutputResources: toOutputs(img), BuildType: img.BuildType,
		ImageSource: img.ImageSource, DeprecationTime: epoch(img.DeprecationTime), Tags: maps.Clone(img.Tags),
	}
}

// imageSummary is a build in ListImageBuildVersions and ListImagePipelineImages.
type imageSummary struct {
	ARN             string            `json:"arn"`
	Name            string            `json:"name"`
	Type            string            `json:"type"`
	Version         string            `json:"version"`
	Platform        string            `json:"platform"`
	OSVersion       string            `json:"osVersion,omitempty"`
	State           *imageState       `json:"state"`
	Owner           string            `json:"owner"`
	DateCreated     string            `json:"dateCreated"`
	OutputResources *outputResources  `json:"outputResources,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	BuildType       string            `json:"buildType"`
	ImageSource     string            `json:"imageSource"`
	DeprecationTime *float64          `json:"deprecationTime,omitempty"`
}

func toImageSummary(img *world.ImageBuildVersion) imageSummary {
	return imageSummary{
		ARN: img.ARN, Name: img.Name, Type: img.Type, Version: img.Version, Platform: img.Platform,
		OSVersion: img.OSVersion, State: &imageState{Status: img.State, Reason: img.StateReason},
		Owner: img.Owner, DateCreated: date(img.DateCreated), OutputResources: toOutputs(img), Tags: maps.Clone(img.Tags),
		BuildType: img.BuildType, ImageSource: img.ImageSource, DeprecationTime: epoch(img.DeprecationTime),
	}
}

// imageVersion is a semantic version in ListImages: its ARN has no build.
type imageVersion struct {
	ARN         string `json:"arn"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Version     string `json:"version"`
	Platform    string `json:"platform"`
	OSVersion   string `json:"osVersion,omitempty"`
	Owner       string `json:"owner"`
	DateCreated string `json:"dateCreated"`
	BuildType   string `json:"buildType"`
	ImageSource string `json:"imageSource"`
}

func toImageVersion(img *world.ImageBuildVersion) imageVersion {
	return imageVersion{
		ARN: versionARN(img.ARN), Name: img.Name, Type: img.Type, Version: img.Version, Platform: img.Platform,
		OSVersion: img.OSVersion, Owner: img.Owner, DateCreated: date(img.DateCreated),
		BuildType: img.BuildType, ImageSource: img.ImageSource,
	}
}
