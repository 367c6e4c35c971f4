package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/winami/winami/pkg/awsapi"
)

// DestroyPlan lists what destroy removes, in the order it removes it: the
// reverse of apply, and only resources tagged as the spec's (Observe
// refuses to read anything else under the spec's names). AMIs stay.
func DestroyPlan(o *Observed) []Change {
	var out []Change
	if o.Pipeline != nil {
		out = append(out, Change{Kind: KindPipeline, Name: aws.ToString(o.Pipeline.Name), Action: ActionDelete, ARN: aws.ToString(o.Pipeline.Arn)})
	}
	if o.Distribution != nil {
		out = append(out, Change{Kind: KindDistribution, Name: aws.ToString(o.Distribution.Name), Action: ActionDelete, ARN: aws.ToString(o.Distribution.Arn)})
	}
	if o.Infrastructure != nil {
		out = append(out, Change{Kind: KindInfrastructure, Name: aws.ToString(o.Infrastructure.Name), Action: ActionDelete, ARN: aws.ToString(o.Infrastructure.Arn)})
	}
	if o.Recipe != nil {
		for _, v := range sortedKeys(o.Recipe.Versions) {
			r := o.Recipe.Versions[v]
			out = append(out, Change{Kind: KindRecipe, Name: aws.ToString(r.Name), Action: ActionDelete, ARN: aws.ToString(r.Arn), Version: v})
		}
	}
	for _, name := range sortedKeys(o.Components) {
		c := o.Components[name]
		for _, v := range sortedKeys(c.VersionARNs) {
			out = append(out, Change{Kind: KindComponent, Name: name, Action: ActionDelete, ARN: c.VersionARNs[v], Version: v})
		}
	}
	return out
}

// Destroy deletes the changes of a DestroyPlan in order. Something already
// gone counts as deleted, so an interrupted destroy can simply run again.
func Destroy(ctx context.Context, api awsapi.ImageBuilderAPI, changes []Change, progress Progress) error {
	if progress == nil {
		progress = func(Change) {}
	}
	for _, c := range changes {
		progress(c)
		var err error
		switch c.Kind {
		case KindPipeline:
			_, err = api.DeleteImagePipeline(ctx, &ib.DeleteImagePipelineInput{ImagePipelineArn: aws.String(c.ARN)})
		case KindDistribution:
			_, err = api.DeleteDistributionConfiguration(ctx, &ib.DeleteDistributionConfigurationInput{DistributionConfigurationArn: aws.String(c.ARN)})
		case KindInfrastructure:
			_, err = api.DeleteInfrastructureConfiguration(ctx, &ib.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(c.ARN)})
		case KindRecipe:
			_, err = api.DeleteImageRecipe(ctx, &ib.DeleteImageRecipeInput{ImageRecipeArn: aws.String(c.ARN)})
		case KindComponent:
			err = deleteComponentVersion(ctx, api, c.ARN)
		}
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("deleting %s %s: %w", c.Kind, c.ARN, err)
		}
	}
	return nil
}

// deleteComponentVersion deletes every build of one component version.
func deleteComponentVersion(ctx context.Context, api awsapi.ImageBuilderAPI, versionARN string) error {
	p := ib.NewListComponentBuildVersionsPaginator(api, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(versionARN)})
	var errs []error
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range page.ComponentSummaryList {
			if _, err := api.DeleteComponent(ctx, &ib.DeleteComponentInput{ComponentBuildVersionArn: b.Arn}); err != nil && !isNotFound(err) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
