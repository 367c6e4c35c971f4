package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
)

// Observed is what exists of a spec's resources. Reading it costs one list
// per resource type plus one read per managed resource.
type Observed struct {
	// Components are the spec's components by name.
	Components map[string]*ObservedComponent
	// Recipe holds the versions of the spec's recipe; Current is the newest.
	Recipe *ObservedRecipe
	// Infrastructure, Distribution and Pipeline are nil when absent.
	Infrastructure *types.InfrastructureConfiguration
	Distribution   *types.DistributionConfiguration
	Pipeline       *types.ImagePipeline
}

// ObservedComponent is a component and its versions.
type ObservedComponent struct {
	Name string
	// Versions are the semantic versions that exist.
	Versions []string
	// VersionARNs are the version ARNs (without build number), by version.
	VersionARNs map[string]string
	// Latest is the newest build of the newest version, with its tags.
	Latest *types.ComponentSummary
}

// ObservedRecipe is the spec's recipe: every version, and the newest in full.
type ObservedRecipe struct {
	Versions    map[string]types.ImageRecipeSummary // by semantic version
	Current     *types.ImageRecipe
	CurrentHash string
	CurrentTags map[string]string
}

// ConflictError says a resource has a spec's name but is not the spec's.
type ConflictError struct {
	Kind Kind
	Name string
	ARN  string
	// Owner is the winami spec the resource belongs to (its winami:spec
	// tag), "" when winami did not make it.
	Owner string
}

func (e *ConflictError) Error() string {
	if e.Owner != "" && e.Kind == KindComponent {
		return fmt.Sprintf("%s %s (%s) belongs to winami spec %q, not this one: component names are winami-<spec>-<file name>, so the two specs' names meet here; rename this spec's component file (or the spec)", e.Kind, e.Name, e.ARN, e.Owner)
	}
	if e.Owner != "" {
		return fmt.Sprintf("%s %s (%s) belongs to winami spec %q, not this one: rename the spec", e.Kind, e.Name, e.ARN, e.Owner)
	}
	return fmt.Sprintf("%s %s exists (%s) but winami did not make it for this spec (no %s tag): rename the spec or remove that resource", e.Kind, e.Name, e.ARN, amimeta.TagSpec)
}

// Observe reads what exists of the resources of the spec named spec.
func Observe(ctx context.Context, api awsapi.ImageBuilderAPI, spec string) (*Observed, error) {
	o := &Observed{Components: map[string]*ObservedComponent{}}
	name := ResourceName(spec)
	if err := o.readComponents(ctx, api, spec); err != nil {
		return nil, fmt.Errorf("reading components: %w", err)
	}
	if err := o.readRecipe(ctx, api, spec, name); err != nil {
		return nil, fmt.Errorf("reading image recipes: %w", err)
	}
	if err := o.readInfrastructure(ctx, api, spec, name); err != nil {
		return nil, fmt.Errorf("reading infrastructure configurations: %w", err)
	}
	if err := o.readDistribution(ctx, api, spec, name); err != nil {
		return nil, fmt.Errorf("reading distribution configurations: %w", err)
	}
	if err := o.readPipeline(ctx, api, spec, name); err != nil {
		return nil, fmt.Errorf("reading image pipelines: %w", err)
	}
	return o, nil
}

// FindPipeline reads only the spec's pipeline (one list call), for callers
// such as status that need nothing else; nil when there is none.
func FindPipeline(ctx context.Context, api awsapi.ImageBuilderAPI, spec string) (*types.ImagePipeline, error) {
	o := &Observed{}
	if err := o.readPipeline(ctx, api, spec, ResourceName(spec)); err != nil {
		return nil, fmt.Errorf("reading image pipelines: %w", err)
	}
	return o.Pipeline, nil
}

func nameFilter(name string) []types.Filter {
	return []types.Filter{{Name: aws.String("name"), Values: []string{name}}}
}

// readComponents lists the account's components once, keeps those named
// with the spec's prefix, and reads the newest build of each (its tags hold
// the content hash).
func (o *Observed) readComponents(ctx context.Context, api awsapi.ImageBuilderAPI, spec string) error {
	prefix := ResourceName(spec) + "-"
	p := ib.NewListComponentsPaginator(api, &ib.ListComponentsInput{Owner: types.OwnershipSelf, MaxResults: aws.Int32(25)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, v := range page.ComponentVersionList {
			n := aws.ToString(v.Name)
			if !strings.HasPrefix(n, prefix) {
				continue
			}
			c := o.Components[n]
			if c == nil {
				c = &ObservedComponent{Name: n, VersionARNs: map[string]string{}}
				o.Components[n] = c
			}
			c.Versions = append(c.Versions, aws.ToString(v.Version))
			c.VersionARNs[aws.ToString(v.Version)] = aws.ToString(v.Arn)
		}
	}
	for _, c := range o.Components {
		newest := newestVersion(c.Versions)
		out, err := api.ListComponentBuildVersions(ctx, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(c.VersionARNs[newest])})
		if err != nil {
			return err
		}
		for i := range out.ComponentSummaryList {
			s := &out.ComponentSummaryList[i]
			if c.Latest == nil || aws.ToString(s.Arn) > aws.ToString(c.Latest.Arn) {
				c.Latest = s
			}
		}
		if c.Latest != nil && !isManagedBy(c.Latest.Tags, spec) {
			return &ConflictError{Kind: KindComponent, Name: c.Name, ARN: aws.ToString(c.Latest.Arn), Owner: c.Latest.Tags[amimeta.TagSpec]}
		}
	}
	return nil
}

func (o *Observed) readRecipe(ctx context.Context, api awsapi.ImageBuilderAPI, spec, name string) error {
	versions := map[string]types.ImageRecipeSummary{}
	p := ib.NewListImageRecipesPaginator(api, &ib.ListImageRecipesInput{Owner: types.OwnershipSelf, Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.ImageRecipeSummaryList {
			if aws.ToString(r.Name) != name {
				continue
			}
			if !isManagedBy(r.Tags, spec) {
				return &ConflictError{Kind: KindRecipe, Name: name, ARN: aws.ToString(r.Arn), Owner: r.Tags[amimeta.TagSpec]}
			}
			versions[arnVersion(aws.ToString(r.Arn))] = r
		}
	}
	if len(versions) == 0 {
		return nil
	}
	var vs []string
	for v := range versions {
		vs = append(vs, v)
	}
	newest := versions[newestVersion(vs)]
	out, err := api.GetImageRecipe(ctx, &ib.GetImageRecipeInput{ImageRecipeArn: newest.Arn})
	if err != nil {
		return err
	}
	o.Recipe = &ObservedRecipe{Versions: versions, Current: out.ImageRecipe, CurrentHash: newest.Tags[amimeta.TagHash], CurrentTags: newest.Tags}
	return nil
}

func (o *Observed) readInfrastructure(ctx context.Context, api awsapi.ImageBuilderAPI, spec, name string) error {
	p := ib.NewListInfrastructureConfigurationsPaginator(api, &ib.ListInfrastructureConfigurationsInput{Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range page.InfrastructureConfigurationSummaryList {
			if aws.ToString(s.Name) != name {
				continue
			}
			if !isManagedBy(s.Tags, spec) {
				return &ConflictError{Kind: KindInfrastructure, Name: name, ARN: aws.ToString(s.Arn), Owner: s.Tags[amimeta.TagSpec]}
			}
			out, err := api.GetInfrastructureConfiguration(ctx, &ib.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: s.Arn})
			if err != nil {
				return err
			}
			o.Infrastructure = out.InfrastructureConfiguration
		}
	}
	return nil
}

func (o *Observed) readDistribution(ctx context.Context, api awsapi.ImageBuilderAPI, spec, name string) error {
	p := ib.NewListDistributionConfigurationsPaginator(api, &ib.ListDistributionConfigurationsInput{Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range page.DistributionConfigurationSummaryList {
			if aws.ToString(s.Name) != name {
				continue
			}
			if !isManagedBy(s.Tags, spec) {
				return &ConflictError{Kind: KindDistribution, Name: name, ARN: aws.ToString(s.Arn), Owner: s.Tags[amimeta.TagSpec]}
			}
			out, err := api.GetDistributionConfiguration(ctx, &ib.GetDistributionConfigurationInput{DistributionConfigurationArn: s.Arn})
			if err != nil {
				return err
			}
			o.Distribution = out.DistributionConfiguration
		}
	}
	return nil
}

func (o *Observed) readPipeline(ctx context.Context, api awsapi.ImageBuilderAPI, spec, name string) error {
	p := ib.NewListImagePipelinesPaginator(api, &ib.ListImagePipelinesInput{Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for i := range page.ImagePipelineList {
			pl := &page.ImagePipelineList[i]
			if aws.ToString(pl.Name) != name {
				continue
			}
			if !isManagedBy(pl.Tags, spec) {
				return &ConflictError{Kind: KindPipeline, Name: name, ARN: aws.ToString(pl.Arn), Owner: pl.Tags[amimeta.TagSpec]}
			}
			o.Pipeline = pl
		}
	}
	return nil
}

// arnVersion is the semantic version in a recipe or component ARN
// (".../name/1.0.2" or ".../name/1.0.2/1").
func arnVersion(arn string) string {
	parts := strings.Split(arn, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if strings.Count(parts[i], ".") == 2 {
			return parts[i]
		}
	}
	return ""
}
