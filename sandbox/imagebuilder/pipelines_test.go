package imagebuilder_test

import (
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

func TestImagePipeline(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "nodes", stackOptions{})
	p := try(e.ib.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImagePipeline
	if s.pipeline != "arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/nodes" ||
		aws.ToString(p.ImageRecipeArn) != s.recipe || aws.ToString(p.InfrastructureConfigurationArn) != s.infra ||
		aws.ToString(p.DistributionConfigurationArn) != s.dist || p.Status != types.PipelineStatusEnabled ||
		p.Platform != types.PlatformWindows || !aws.ToBool(p.EnhancedImageMetadataEnabled) ||
		!aws.ToBool(p.ImageTestsConfiguration.ImageTestsEnabled) || aws.ToInt32(p.ImageTestsConfiguration.TimeoutMinutes) != 720 ||
		p.Schedule != nil || p.LastRunStatus != "" || p.DateLastRun != nil {
		t.Errorf("pipeline %+v", p)
	}
	_, err := e.ib.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("nodes"),
		ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra)})
	sandboxtest.WantAPIError(t, err, "ResourceAlreadyExistsException", "The following resource 'ImagePipeline' already exists: '"+s.pipeline+"'.")

	// Update replaces every setting: what is left out goes back to its default.
	try(e.ib.UpdateImagePipeline(ctx, &imagebuilder.UpdateImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline),
		ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra), Status: types.PipelineStatusDisabled,
		Schedule: &types.Schedule{ScheduleExpression: aws.String("cron(0 9 ? * WED#2 *)")}})).must(t)
	p = try(e.ib.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImagePipeline
	if p.DistributionConfigurationArn != nil || p.Status != types.PipelineStatusDisabled ||
		aws.ToString(p.Schedule.ScheduleExpression) != "cron(0 9 ? * WED#2 *)" ||
		p.Schedule.PipelineExecutionStartCondition != types.PipelineExecutionStartConditionExpressionMatchAndDependencyUpdatesAvailable ||
		aws.ToString(p.DateUpdated) == "" {
		t.Errorf("after update %+v", p)
	}
	list := try(e.ib.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{
		Filters: []types.Filter{{Name: aws.String("status"), Values: []string{"DISABLED"}}}})).must(t).ImagePipelineList
	if len(list) != 1 || aws.ToString(list[0].Arn) != s.pipeline {
		t.Errorf("status filter %+v", list)
	}

	// What a pipeline uses cannot go before it does.
	_, err = e.ib.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(s.infra)})
	sandboxtest.WantAPIError(t, err, "ResourceDependencyException", "")
	try(e.ib.DeleteDistributionConfiguration(ctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: aws.String(s.dist)})).must(t)
	try(e.ib.DeleteImagePipeline(ctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t)
	try(e.ib.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: aws.String(s.infra)})).must(t)
	_, err = e.ib.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestImagePipelineChecks(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "base", stackOptions{})
	for name, in := range map[string]*imagebuilder.CreateImagePipelineInput{
		"missing recipe": {ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/nope/1.0.0"), InfrastructureConfigurationArn: aws.String(s.infra)},
		"missing infra":  {ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:infrastructure-configuration/nope")},
		"missing dist":   {ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra), DistributionConfigurationArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:distribution-configuration/nope")},
		"five-field cron": {ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra),
			Schedule: &types.Schedule{ScheduleExpression: aws.String("cron(0 9 * * 3)")}},
		"test timeout": {ImageRecipeArn: aws.String(s.recipe), InfrastructureConfigurationArn: aws.String(s.infra),
			ImageTestsConfiguration: &types.ImageTestsConfiguration{TimeoutMinutes: aws.Int32(30)}},
		"no recipe": {InfrastructureConfigurationArn: aws.String(s.infra)},
	} {
		t.Run(name, func(t *testing.T) {
			in.Name = aws.String("checked")
			_, err := e.ib.CreateImagePipeline(ctx, in)
			sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
		})
	}
	_, err := e.ib.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("container"),
		ContainerRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:container-recipe/c/1.0.0"), InfrastructureConfigurationArn: aws.String(s.infra)})
	sandboxtest.WantAPIError(t, err, "InvalidRequestException", "")
	// A wildcard recipe version is resolved by each build.
	try(e.ib.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("latest"),
		ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/base/x.x.x"), InfrastructureConfigurationArn: aws.String(s.infra)})).must(t)
}
