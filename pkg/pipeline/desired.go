package pipeline

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/spec"
)

// Parent is the resolved parent image of the recipe.
type Parent struct {
	// Image is what the recipe's parentImage holds: an AMI ID or an Image
	// Builder image ARN.
	Image string `json:"image"`
	// Release names what Image is, for people and the AMI's tags: the EKS
	// release version ("1.35-2026.11.11") or the base image version.
	Release string `json:"release"`
	// ReleaseDate is an EKS optimized parent's release date (YYYY-MM-DD
	// in JSON); zero otherwise.
	ReleaseDate eksami.Date `json:"releaseDate,omitzero"`
	// DeprecationTime is when EC2 deprecates the parent AMI (RFC 3339),
	// when EC2 says; see ParentWarnings.
	DeprecationTime string `json:"deprecationTime,omitempty"`
	// Pinned: the spec names a release (release: YYYY.MM.DD or before:),
	// so the parent ages instead of following SSM's latest.
	Pinned bool `json:"pinned,omitempty"`
	// Copy: the parent is the account's copy of the release
	// (base.eksOptimized.copy), which Amazon's retention does not touch.
	Copy bool `json:"copy,omitempty"`
}

// Desired is what a spec asks to exist: the Image Builder resources with
// their attributes, ready to be compared with what exists.
type Desired struct {
	Spec   *spec.Spec
	Parent Parent
	Tags   map[string]string
	// CacheRecord is what the AMIs will record of the images they cache
	// (empty when the spec caches none).
	CacheRecord amimeta.CacheRecord
	// ImageCheck, when the cache images were checked, is the verdict the
	// digests they are pinned to came from.
	ImageCheck *ImageCheck

	Components     []DesiredComponent
	Recipe         DesiredRecipe
	Infrastructure ib.CreateInfrastructureConfigurationInput
	Distribution   ib.CreateDistributionConfigurationInput
	Pipeline       ib.CreateImagePipelineInput
}

// DesiredComponent is a component winami creates from a document.
type DesiredComponent struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Data        string `json:"data"`
	// Source is where the document came from (a file, or "generated").
	Source string `json:"-"`
	Hash   string `json:"-"`
}

// RecipeComponent is one component of the recipe: one winami creates
// (Name set; its ARN is known once it exists) or an existing one (ARN set).
type RecipeComponent struct {
	Name       string            `json:"name,omitempty"`
	Hash       string            `json:"hash,omitempty"`
	ARN        string            `json:"arn,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// DesiredRecipe is the image recipe.
type DesiredRecipe struct {
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	ParentImage   string            `json:"parentImage"`
	Components    []RecipeComponent `json:"components"`
	RootVolumeGiB int               `json:"rootVolumeGiB"`
	Hash          string            `json:"-"`
}

// Pins map each cache image reference to the digest it pointed to when
// the plan was made (see images.Checker); an image without one is pulled
// by tag.
type Pins map[string]string

// NewDesired builds the desired resources of s over a resolved parent.
// With check (nil when the images were not checked) the cache images it
// found compatible are pulled by the digest it read; the others by tag.
func NewDesired(s *spec.Spec, parent Parent, check *ImageCheck) (*Desired, error) {
	d := &Desired{Spec: s, Parent: parent, Tags: managedTags(s.Name, s.Tags), ImageCheck: check}
	var pins Pins
	if check != nil {
		pins = check.Pins
	}
	name := ResourceName(s.Name)

	for _, c := range s.Components {
		if c.File == "" {
			continue
		}
		data, err := s.ComponentDocument(c)
		if err != nil {
			return nil, err
		}
		d.Components = append(d.Components, DesiredComponent{
			Name:        componentName(s.Name, c.File),
			Description: "winami " + s.Name + ": " + filepath.Base(c.File),
			Data:        data,
			Source:      c.File,
		})
	}
	cache, ok, err := cacheComponent(s, pins)
	if err != nil {
		return nil, err
	}
	if ok {
		d.Components = append(d.Components, cache)
		if d.CacheRecord, err = amimeta.NewCacheRecord(s.Name, cachedImages(s.Cache.Images, pins)); err != nil {
			return nil, err
		}
	}
	if s.Base.OSBuild != "" {
		d.Components = append(d.Components, DesiredComponent{
			Name:        name + "-assert-os-build",
			Description: "winami " + s.Name + ": fails the build unless Windows is build " + s.Base.OSBuild,
			Data:        assertOSBuildDocument(s.Base.OSBuild),
			Source:      "generated",
		})
	}
	if err := nameClashes(s, d.Components); err != nil {
		return nil, err
	}
	for i := range d.Components {
		d.Components[i].Hash = contentHash(d.Components[i])
	}

	d.Recipe = DesiredRecipe{
		Name:          name,
		Description:   recipeDescription(s, parent),
		ParentImage:   parent.Image,
		Components:    recipeComponents(s, d.Components),
		RootVolumeGiB: s.Build.RootVolumeGiB,
	}
	d.Recipe.Hash = contentHash(d.Recipe)

	d.Infrastructure = infrastructure(s, name)
	d.Distribution = distribution(s, d, name)
	d.Pipeline = ib.CreateImagePipelineInput{
		Name:                         aws.String(name),
		Description:                  aws.String("winami " + s.Name + ": builds " + amiSummary(s)),
		EnhancedImageMetadataEnabled: aws.Bool(true),
		Status:                       types.PipelineStatusEnabled,
		Schedule:                     schedule(s.Schedule),
	}
	return d, nil
}

func amiSummary(s *spec.Spec) string {
	return fmt.Sprintf("Windows Server %s %s, Kubernetes %s", s.Base.Windows, titleCase(s.Base.Edition), s.Kubernetes.Version)
}

func recipeDescription(s *spec.Spec, p Parent) string {
	return fmt.Sprintf("winami %s: %s on %s", s.Name, amiSummary(s), p.Release)
}

// recipeComponents orders the recipe: the EKS component (on a plain Windows
// base), the user's components in spec order, the image cache, then the OS
// build assertion.
func recipeComponents(s *spec.Spec, made []DesiredComponent) []RecipeComponent {
	var out []RecipeComponent
	if s.Base.WindowsBase != nil {
		version := s.Kubernetes.Version + ".x"
		if s.Kubernetes.ComponentVersion != "" {
			version = s.Kubernetes.ComponentVersion
		}
		out = append(out, RecipeComponent{ARN: awsComponentARN(s.Region, "eks-optimized-ami-windows", version)})
	}
	byName := map[string]DesiredComponent{}
	for _, c := range made {
		byName[c.Name] = c
	}
	for _, c := range s.Components {
		if c.ARN != "" {
			out = append(out, RecipeComponent{ARN: c.ARN, Parameters: c.Parameters})
			continue
		}
		m := byName[componentName(s.Name, c.File)]
		out = append(out, RecipeComponent{Name: m.Name, Hash: m.Hash, Parameters: c.Parameters})
	}
	if m, ok := byName[ResourceName(s.Name)+"-image-cache"]; ok {
		out = append(out, RecipeComponent{Name: m.Name, Hash: m.Hash})
	}
	if s.Base.OSBuild != "" {
		m := byName[ResourceName(s.Name)+"-assert-os-build"]
		out = append(out, RecipeComponent{Name: m.Name, Hash: m.Hash})
	}
	return out
}

// awsComponentARN is the ARN of an AWS-managed component version.
func awsComponentARN(region, name, version string) string {
	return fmt.Sprintf("arn:%s:imagebuilder:%s:aws:component/%s/%s", awsapi.Partition(region), region, name, version)
}

func infrastructure(s *spec.Spec, name string) ib.CreateInfrastructureConfigurationInput {
	b := s.Build
	in := ib.CreateInfrastructureConfigurationInput{
		Name:                       aws.String(name),
		Description:                aws.String("winami " + s.Name + ": build instances"),
		InstanceProfileName:        aws.String(b.InstanceProfile),
		InstanceTypes:              b.InstanceTypes,
		SecurityGroupIds:           b.SecurityGroupIDs,
		TerminateInstanceOnFailure: aws.Bool(b.TerminateOnFailure == nil || *b.TerminateOnFailure),
	}
	if b.SubnetID != "" {
		in.SubnetId = aws.String(b.SubnetID)
	}
	if b.RequireIMDSv2 == nil || *b.RequireIMDSv2 {
		in.InstanceMetadataOptions = &types.InstanceMetadataOptions{HttpTokens: aws.String("required"), HttpPutResponseHopLimit: aws.Int32(2)}
	}
	if b.Logs != nil {
		logs := &types.S3Logs{S3BucketName: aws.String(b.Logs.S3Bucket)}
		if b.Logs.S3Prefix != "" {
			logs.S3KeyPrefix = aws.String(b.Logs.S3Prefix)
		}
		in.Logging = &types.Logging{S3Logs: logs}
	}
	return in
}

func distribution(s *spec.Spec, d *Desired, name string) ib.CreateDistributionConfigurationInput {
	dist := s.Distribution
	amiTags := map[string]string{}
	maps.Copy(amiTags, s.Tags)
	maps.Copy(amiTags, dist.AMITags)
	maps.Copy(amiTags, map[string]string{
		amimeta.TagSpec:       s.Name,
		amimeta.TagManaged:    "true",
		amimeta.TagWindows:    s.Base.Windows,
		amimeta.TagEdition:    titleCase(s.Base.Edition),
		amimeta.TagKubernetes: s.Kubernetes.Version,
		amimeta.TagBase:       d.Parent.Release,
	})
	if s.Base.OSBuild != "" {
		amiTags[amimeta.TagOSBuild] = s.Base.OSBuild
	}
	if d.CacheRecord.Tag != "" {
		amiTags[amimeta.TagCache] = d.CacheRecord.Tag
	}
	in := ib.CreateDistributionConfigurationInput{
		Name:        aws.String(name),
		Description: aws.String("winami " + s.Name + ": where the AMI goes"),
	}
	for _, region := range dist.Regions {
		ami := &types.AmiDistributionConfiguration{
			Name:             aws.String(s.ExpandedAMIName()),
			Description:      aws.String("winami " + s.Name + ": " + amiSummary(s)),
			AmiTags:          amiTags,
			TargetAccountIds: dist.TargetAccounts,
		}
		if lp := dist.LaunchPermissions; lp != nil {
			ami.LaunchPermission = &types.LaunchPermissionConfiguration{
				UserIds: lp.Accounts, OrganizationArns: lp.OrganizationARNs, OrganizationalUnitArns: lp.OrganizationalUnitARNs,
			}
		}
		out := types.Distribution{Region: aws.String(region), AmiDistributionConfiguration: ami}
		if prm := s.PublishParameter(); prm != "" {
			out.SsmParameterConfigurations = []types.SsmParameterConfiguration{{
				ParameterName: aws.String(prm),
				DataType:      types.SsmParameterDataTypeAwsEc2Image,
			}}
		}
		if fl := dist.FastLaunch; fl != nil && fl.Enabled {
			out.FastLaunchConfigurations = fastLaunch(fl)
		}
		in.Distributions = append(in.Distributions, out)
	}
	return in
}

func fastLaunch(fl *spec.FastLaunch) []types.FastLaunchConfiguration {
	base := types.FastLaunchConfiguration{
		Enabled:               true,
		MaxParallelLaunches:   aws.Int32(int32(fl.MaxParallelLaunches)),
		SnapshotConfiguration: &types.FastLaunchSnapshotConfiguration{TargetResourceCount: aws.Int32(int32(fl.TargetSnapshots))},
	}
	if fl.LaunchTemplate != "" {
		ref, version, _ := strings.Cut(fl.LaunchTemplate, ":")
		lt := &types.FastLaunchLaunchTemplateSpecification{}
		if strings.HasPrefix(ref, "lt-") {
			lt.LaunchTemplateId = aws.String(ref)
		} else {
			lt.LaunchTemplateName = aws.String(ref)
		}
		if version != "" {
			lt.LaunchTemplateVersion = aws.String(version)
		}
		base.LaunchTemplate = lt
	}
	if len(fl.Accounts) == 0 {
		return []types.FastLaunchConfiguration{base}
	}
	var out []types.FastLaunchConfiguration
	for _, acct := range fl.Accounts {
		c := base
		c.AccountId = aws.String(acct)
		out = append(out, c)
	}
	return out
}

func schedule(s *spec.Schedule) *types.Schedule {
	if s == nil {
		return nil
	}
	cond := types.PipelineExecutionStartConditionExpressionMatchOnly
	if s.OnlyWhenDependenciesUpdated {
		cond = types.PipelineExecutionStartConditionExpressionMatchAndDependencyUpdatesAvailable
	}
	return &types.Schedule{ScheduleExpression: aws.String(s.Cron), PipelineExecutionStartCondition: cond}
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

// sortedParams turns a parameter map into Image Builder's list, by name.
func sortedParams(m map[string]string) []types.ComponentParameter {
	var out []types.ComponentParameter
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.ComponentParameter{Name: aws.String(k), Value: []string{m[k]}})
	}
	return out
}

// nameClashes refuses two components of the spec that would get one
// Image Builder name: component names come from file stems, so x.yaml in
// two folders, or a file named like winami's own image-cache or
// assert-os-build, would make one component run twice and the other
// never, and every apply a new version.
func nameClashes(s *spec.Spec, comps []DesiredComponent) error {
	fieldOf := map[string]string{} // component file -> its field path
	for i, c := range s.Components {
		if c.File != "" {
			fieldOf[c.File] = fmt.Sprintf("components[%d].file", i)
		}
	}
	first := map[string]DesiredComponent{}
	var probs spec.Problems
	for _, c := range comps {
		prev, dup := first[c.Name]
		if !dup {
			first[c.Name] = c
			continue
		}
		path := fieldOf[c.Source]
		if path == "" { // a generated component clashes with a file
			path, prev, c = fieldOf[prev.Source], c, prev
		}
		what := "the component winami generates for " + generatedPurpose(prev.Name)
		if prev.Source != "generated" {
			what = fmt.Sprintf("%q (%s)", prev.Source, fieldOf[prev.Source])
		}
		probs = append(probs, s.Problemf(path, "%q would be Image Builder component %s, as %s would: rename the file (component names come from file names)", c.Source, c.Name, what))
	}
	if len(probs) > 0 {
		return probs
	}
	return nil
}

// generatedPurpose says what a generated component is for.
func generatedPurpose(name string) string {
	if strings.HasSuffix(name, "-image-cache") {
		return "the image cache"
	}
	return "the OS build assertion"
}
