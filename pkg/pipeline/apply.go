package pipeline

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/amimeta"
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

// ApplyOptions shape Apply.
type ApplyOptions struct {
	// Progress hears about each change as apply starts it.
	Progress Progress
	// Nonce makes this apply's client tokens its own; empty means a random
	// one (tests pass a fixed one).
	Nonce string
}

// Apply carries out a plan in dependency order: components, recipe,
// infrastructure, distribution, pipeline, then deletions. Every create and
// update carries a client token of this apply (see token), so the SDK's
// retry of a call is not done twice; a resource that appeared since the
// plan (an interrupted or concurrent apply made it) is re-read and used
// when it is the same. Every resource apply creates is read back before
// apply reports it.
func Apply(ctx context.Context, api awsapi.ImageBuilderAPI, p *Plan, o ApplyOptions) (*Applied, error) {
	progress := o.Progress
	if progress == nil {
		progress = func(Change) {}
	}
	if o.Nonce == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("making client tokens: %w", err)
		}
		o.Nonce = hex.EncodeToString(b[:])
	}
	a := &applier{api: api, plan: p, nonce: o.Nonce, out: &Applied{Components: map[string]string{}}}
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
	api   awsapi.ImageBuilderAPI
	plan  *Plan
	nonce string
	out   *Applied
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

// token is the client token (36 characters, the most Image Builder takes)
// of one call of this apply. Image Builder answers a token it knows with
// the response it gave first, even when that resource has since been
// deleted, and refuses it with other parameters; so a token derived from
// the content alone made an apply after destroy a silent no-op, and a
// tag-only change after it an IdempotentParameterMismatchException. The
// apply's nonce gives each invocation its own tokens, which the SDK's
// retries of one call still share: idempotency as AWS means it.
func (a *applier) token(parts ...any) *string {
	b, err := json.Marshal(append([]any{a.nonce}, parts...))
	if err != nil {
		panic(fmt.Sprintf("pipeline: a client token of %T: %v", parts, err)) // only plain data goes in
	}
	sum := sha256.Sum256(b)
	return aws.String(hex.EncodeToString(sum[:18]))
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
		Tags:              a.tags(map[string]string{amimeta.TagHash: dc.Hash}),
		ClientToken:       a.token(KindComponent, dc.Name, c.Version, dc.Hash),
	})
	if err != nil && !isAlreadyExists(err) {
		return err
	}
	// Image Builder gives a repeated name and version the next build
	// number, so two applies racing make two builds of one content: each
	// takes the earliest and drops its own. The listing also proves that
	// what the create answered with exists.
	builds, findErr := a.componentBuilds(ctx, dc.Name, c.Version, dc.Hash)
	switch {
	case findErr != nil:
		return errors.Join(err, findErr)
	case len(builds) == 0 && err != nil:
		return fmt.Errorf("component %s %s exists with other content: another apply changed the spec meanwhile; run plan again: %w", dc.Name, c.Version, err)
	case len(builds) == 0:
		return fmt.Errorf("the create was answered with %s, which does not exist (an answer replayed for an earlier request with the same client token); nothing was made: run winami apply again", aws.ToString(out.ComponentBuildVersionArn))
	}
	a.out.Components[c.Name] = builds[0]
	if err == nil && builds[0] != aws.ToString(out.ComponentBuildVersionArn) {
		if _, err := a.api.DeleteComponent(ctx, &ib.DeleteComponentInput{ComponentBuildVersionArn: out.ComponentBuildVersionArn}); err != nil && !isNotFound(err) {
			return fmt.Errorf("removing the duplicate build %s: %w", aws.ToString(out.ComponentBuildVersionArn), err)
		}
	}
	return nil
}

// componentBuilds lists the builds of name@version whose content is what
// this apply would create, earliest first.
func (a *applier) componentBuilds(ctx context.Context, name, version, hash string) ([]string, error) {
	var out []string
	p := ib.NewListComponentsPaginator(a.api, &ib.ListComponentsInput{Owner: types.OwnershipSelf, Filters: nameFilter(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.ComponentVersionList {
			if aws.ToString(v.Name) != name || aws.ToString(v.Version) != version {
				continue
			}
			builds := ib.NewListComponentBuildVersionsPaginator(a.api, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: v.Arn})
			for builds.HasMorePages() {
				bp, err := builds.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, b := range bp.ComponentSummaryList {
					if b.Tags[amimeta.TagHash] == hash {
						out = append(out, aws.ToString(b.Arn))
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(x, y string) int { return cmp.Compare(buildNumber(x), buildNumber(y)) })
	return out, nil
}

// buildNumber is the last part of a build version ARN (".../1.0.0/3": 3).
func buildNumber(arn string) int {
	n, _ := strconv.Atoi(arn[strings.LastIndex(arn, "/")+1:])
	return n
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
		Tags:            a.tags(map[string]string{amimeta.TagHash: hash}),
		ClientToken:     a.token(KindRecipe, dr.Name, c.Version, hash),
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
	return a.confirmCreated(ctx, KindRecipe, a.out.Recipe)
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
			if aws.ToString(r.Name) == name && arnVersion(aws.ToString(r.Arn)) == version && r.Tags[amimeta.TagHash] == hash {
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

// confirmCreated reads back a resource a create answered with: Image
// Builder answers a client token it remembers with its first response even
// when that resource is gone, so apply reports nothing as created that it
// has not seen exist.
func (a *applier) confirmCreated(ctx context.Context, kind Kind, arn string) error {
	var err error
	switch kind {
	case KindComponent:
		_, err = a.api.GetComponent(ctx, &ib.GetComponentInput{ComponentBuildVersionArn: aws.String(arn)})
	case KindRecipe:
		_, err = a.api.GetImageRecipe(ctx, &ib.GetImageRecipeInput{ImageRecipeArn: aws.String(arn)})
	case KindInfrastructure:
		_, err = a.api.GetInfrastructureConfiguration(ctx, &ib.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(arn)})
	case KindDistribution:
		_, err = a.api.GetDistributionConfiguration(ctx, &ib.GetDistributionConfigurationInput{DistributionConfigurationArn: aws.String(arn)})
	case KindPipeline:
		_, err = a.api.GetImagePipeline(ctx, &ib.GetImagePipelineInput{ImagePipelineArn: aws.String(arn)})
	}
	switch {
	case isNotFound(err):
		return fmt.Errorf("the create was answered with %s, which does not exist (an answer replayed for an earlier request with the same client token); nothing was made: run winami apply again: %w", arn, err)
	case err != nil:
		return fmt.Errorf("reading back %s: %w", arn, err)
	}
	return nil
}

func isAlreadyExists(err error) bool {
	return awsapi.HasCode(err, "ResourceAlreadyExistsException")
}

func isNotFound(err error) bool {
	return awsapi.HasCode(err, "ResourceNotFoundException")
}
