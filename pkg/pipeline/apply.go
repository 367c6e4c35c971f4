package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Applied is what apply leaves behind: the ARNs of the spec's resources.
type Applied struct {
	Components     map[string]string `json:"components"`
	Recipe         string            `json:"imageRecipeArn"`
	Infrastructure string            `json:"infrastructureConfigurationArn"`
	Distribution   string            `json:"distributionConfigurationArn"`
	Pipeline       string            `json:"imagePipelineArn"`
}

// Progress hears about each change as apply starts it.
type Progress func(c Change)

// Apply carries out a plan in dependency order: components, recipe,
// infrastructure, distribution, pipeline, then deletions. Every create and
// update carries a client token derived from its content, so a retried call
// is not done twice; a resource that appeared since the plan (an interrupted
// or concurrent apply made it) is re-read and used when it is the same.
func Apply(ctx context.Context, api awsapi.ImageBuilderAPI, p *Plan, progress Progress) (*Applied, error) {
	if progress == nil {
		progress = func(Change) {}
	}
	a := &applier{api: api, plan: p, out: &Applied{Components: map[string]string{}}}
	for _, kind := range applyOrder {
		for _, c := range p.Changes {
			if c.Kind != kind || c.Action == ActionDelete {
				continue
			}
			if c.Action != ActionNoOp {
				progress(c)
			}
			if err := a.apply(ctx, c); err != nil {
				return a.out, fmt.Errorf("%s %s %s: %w", c.Action, c.Kind, c.Name, err)
			}
		}
	}
	for _, c := range p.Changes {
		if c.Action != ActionDelete {
			continue
		}
		progress(c)
		if err := a.deleteComponent(ctx, c.Name); err != nil {
			return a.out, fmt.Errorf("delete %s %s: %w", c.Kind, c.Name, err)
		}
	}
	return a.out, nil
}

type applier struct {
	api  awsapi.ImageBuilderAPI
	plan *Plan
	out  *Applied
}

func (a *applier) apply(ctx context.Context, c Change) error {
	switch c.Kind {
	case KindComponent:
		return a.component(ctx, c)
	case KindRecipe:
		return a.recipe(ctx, c)
	case KindInfrastructure:
		return a.infrastructure(ctx, c)
	case KindDistribution:
		return a.distribution(ctx, c)
	case KindPipeline:
		return a.pipeline(ctx, c)
	}
	return fmt.Errorf("unknown resource type %q", c.Kind)
}

// token is a client token (at most 36 characters) for one call's content.
func token(parts ...any) *string {
	return aws.String(contentHash(parts) + contentHash(append(parts, "2"))[:16])
}

func (a *applier) tags(extra map[string]string) map[string]string {
	tags := maps.Clone(a.plan.desired.Tags)
	maps.Copy(tags, extra)
	return tags
}

func (a *applier) component(ctx context.Context, c Change) error {
	if c.Action == ActionNoOp || c.Action == ActionUpdate {
		a.out.Components[c.Name] = c.ARN
		return a.retag(ctx, c.ARN, c)
	}
	var dc DesiredComponent
	for _, d := range a.plan.desired.Components {
		if d.Name == c.Name {
			dc = d
		}
	}
	out, err := a.api.CreateComponent(ctx, &ib.CreateComponentInput{
		Name:              aws.String(dc.Name),
		SemanticVersion:   aws.String(c.Version),
		Platform:          types.PlatformWindows,
		Description:       aws.String(dc.Description),
		ChangeDescription: aws.String("winami: content " + dc.Hash),
		Data:              aws.String(dc.Data),
		Tags:              a.tags(map[string]string{TagHash: dc.Hash}),
		ClientToken:       token(KindComponent, dc.Name, c.Version, dc.Hash),
	})
	if isAlreadyExists(err) {
		arn, findErr := a.findComponent(ctx, dc.Name, c.Version, dc.Hash)
		if findErr != nil {
			return errors.Join(err, findErr)
		}
		a.out.Components[c.Name] = arn
		return nil
	}
	if err != nil {
		return err
	}
	a.out.Components[c.Name] = aws.ToString(out.ComponentBuildVersionArn)
	return nil
}

// findComponent finds the build of name@version that someone else created,
// and accepts it only when its content is what this apply would create.
func (a *applier) findComponent(ctx context.Context, name, version, hash string) (string, error) {
	p := ib.NewListComponentsPaginator(a.api, &ib.ListComponentsInput{Owner: types.OwnershipSelf, Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, v := range page.ComponentVersionList {
			if aws.ToString(v.Name) != name || aws.ToString(v.Version) != version {
				continue
			}
			builds, err := a.api.ListComponentBuildVersions(ctx, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: v.Arn})
			if err != nil {
				return "", err
			}
			for _, b := range builds.ComponentSummaryList {
				if b.Tags[TagHash] == hash {
					return aws.ToString(b.Arn), nil
				}
			}
		}
	}
	return "", fmt.Errorf("component %s %s exists with other content: another apply changed the spec meanwhile; run plan again", name, version)
}

func (a *applier) recipe(ctx context.Context, c Change) error {
	if c.Action == ActionNoOp || c.Action == ActionUpdate {
		a.out.Recipe = c.ARN
		return a.retag(ctx, c.ARN, c)
	}
	dr := a.plan.desired.Recipe
	var components []types.ComponentConfiguration
	for _, rc := range dr.Components {
		arn := rc.ARN
		if rc.Name != "" {
			arn = a.out.Components[rc.Name]
		}
		components = append(components, types.ComponentConfiguration{ComponentArn: aws.String(arn), Parameters: sortedParams(rc.Parameters)})
	}
	hash := a.plan.recipeHashApplied()
	in := &ib.CreateImageRecipeInput{
		Name:            aws.String(dr.Name),
		SemanticVersion: aws.String(c.Version),
		Description:     aws.String(dr.Description),
		ParentImage:     aws.String(dr.ParentImage),
		Components:      components,
		Tags:            a.tags(map[string]string{TagHash: hash}),
		ClientToken:     token(KindRecipe, dr.Name, c.Version, hash),
	}
	if dr.RootVolumeGiB > 0 {
		in.BlockDeviceMappings = []types.InstanceBlockDeviceMapping{{
			DeviceName: aws.String("/dev/sda1"),
			Ebs: &types.EbsInstanceBlockDeviceSpecification{
				VolumeSize: aws.Int32(int32(dr.RootVolumeGiB)), VolumeType: types.EbsVolumeTypeGp3, DeleteOnTermination: aws.Bool(true),
			},
		}}
	}
	out, err := a.api.CreateImageRecipe(ctx, in)
	if isAlreadyExists(err) {
		arn, findErr := a.findRecipe(ctx, dr.Name, c.Version, hash)
		if findErr != nil {
			return errors.Join(err, findErr)
		}
		a.out.Recipe = arn
		return nil
	}
	if err != nil {
		return err
	}
	a.out.Recipe = aws.ToString(out.ImageRecipeArn)
	return nil
}

// recipeHashApplied is the recipe's content hash with the component
// versions the plan chose.
func (p *Plan) recipeHashApplied() string {
	versions := map[string]string{}
	for _, c := range p.Changes {
		if c.Kind == KindComponent && c.Action != ActionDelete {
			versions[c.Name] = c.Version
		}
	}
	return p.recipeHash(versions)
}

func (a *applier) findRecipe(ctx context.Context, name, version, hash string) (string, error) {
	p := ib.NewListImageRecipesPaginator(a.api, &ib.ListImageRecipesInput{Owner: types.OwnershipSelf, Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, r := range page.ImageRecipeSummaryList {
			if aws.ToString(r.Name) == name && arnVersion(aws.ToString(r.Arn)) == version && r.Tags[TagHash] == hash {
				return aws.ToString(r.Arn), nil
			}
		}
	}
	return "", fmt.Errorf("image recipe %s %s exists with other content: another apply changed the spec meanwhile; run plan again", name, version)
}

// retag brings a resource's tags to what the plan asks; a change without
// tag differences makes no call.
func (a *applier) retag(ctx context.Context, arn string, c Change) error {
	set, remove := tagChanges(c)
	if len(set) > 0 {
		if _, err := a.api.TagResource(ctx, &ib.TagResourceInput{ResourceArn: aws.String(arn), Tags: set}); err != nil {
			return fmt.Errorf("tagging: %w", err)
		}
	}
	if len(remove) > 0 {
		if _, err := a.api.UntagResource(ctx, &ib.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			return fmt.Errorf("untagging: %w", err)
		}
	}
	return nil
}

func isAlreadyExists(err error) bool {
	return awsapi.HasCode(err, "ResourceAlreadyExistsException")
}

func isNotFound(err error) bool {
	return awsapi.HasCode(err, "ResourceNotFoundException")
}
