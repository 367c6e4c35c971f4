package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
)

// ImageBuilderAPI is the part of the EC2 Image Builder client winami uses.
type ImageBuilderAPI interface {
	CreateComponent(ctx context.Context, in *imagebuilder.CreateComponentInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.CreateComponentOutput, error)
	GetComponent(ctx context.Context, in *imagebuilder.GetComponentInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetComponentOutput, error)
	ListComponents(ctx context.Context, in *imagebuilder.ListComponentsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListComponentsOutput, error)
	ListComponentBuildVersions(ctx context.Context, in *imagebuilder.ListComponentBuildVersionsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListComponentBuildVersionsOutput, error)
	DeleteComponent(ctx context.Context, in *imagebuilder.DeleteComponentInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteComponentOutput, error)

	CreateImageRecipe(ctx context.Context, in *imagebuilder.CreateImageRecipeInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.CreateImageRecipeOutput, error)
	GetImageRecipe(ctx context.Context, in *imagebuilder.GetImageRecipeInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetImageRecipeOutput, error)
	ListImageRecipes(ctx context.Context, in *imagebuilder.ListImageRecipesInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListImageRecipesOutput, error)
	DeleteImageRecipe(ctx context.Context, in *imagebuilder.DeleteImageRecipeInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteImageRecipeOutput, error)

	CreateInfrastructureConfiguration(ctx context.Context, in *imagebuilder.CreateInfrastructureConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.CreateInfrastructureConfigurationOutput, error)
	GetInfrastructureConfiguration(ctx context.Context, in *imagebuilder.GetInfrastructureConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetInfrastructureConfigurationOutput, error)
	ListInfrastructureConfigurations(ctx context.Context, in *imagebuilder.ListInfrastructureConfigurationsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListInfrastructureConfigurationsOutput, error)
	UpdateInfrastructureConfiguration(ctx context.Context, in *imagebuilder.UpdateInfrastructureConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.UpdateInfrastructureConfigurationOutput, error)
	DeleteInfrastructureConfiguration(ctx context.Context, in *imagebuilder.DeleteInfrastructureConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteInfrastructureConfigurationOutput, error)

	CreateDistributionConfiguration(ctx context.Context, in *imagebuilder.CreateDistributionConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.CreateDistributionConfigurationOutput, error)
	GetDistributionConfiguration(ctx context.Context, in *imagebuilder.GetDistributionConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetDistributionConfigurationOutput, error)
	ListDistributionConfigurations(ctx context.Context, in *imagebuilder.ListDistributionConfigurationsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListDistributionConfigurationsOutput, error)
	UpdateDistributionConfiguration(ctx context.Context, in *imagebuilder.UpdateDistributionConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.UpdateDistributionConfigurationOutput, error)
	DeleteDistributionConfiguration(ctx context.Context, in *imagebuilder.DeleteDistributionConfigurationInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteDistributionConfigurationOutput, error)

	CreateImagePipeline(ctx context.Context, in *imagebuilder.CreateImagePipelineInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.CreateImagePipelineOutput, error)
	GetImagePipeline(ctx context.Context, in *imagebuilder.GetImagePipelineInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetImagePipelineOutput, error)
	ListImagePipelines(ctx context.Context, in *imagebuilder.ListImagePipelinesInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListImagePipelinesOutput, error)
	UpdateImagePipeline(ctx context.Context, in *imagebuilder.UpdateImagePipelineInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.UpdateImagePipelineOutput, error)
	DeleteImagePipeline(ctx context.Context, in *imagebuilder.DeleteImagePipelineInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteImagePipelineOutput, error)

	StartImagePipelineExecution(ctx context.Context, in *imagebuilder.StartImagePipelineExecutionInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.StartImagePipelineExecutionOutput, error)
	GetImage(ctx context.Context, in *imagebuilder.GetImageInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.GetImageOutput, error)
	ListImagePipelineImages(ctx context.Context, in *imagebuilder.ListImagePipelineImagesInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListImagePipelineImagesOutput, error)
	TagResource(ctx context.Context, in *imagebuilder.TagResourceInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *imagebuilder.UntagResourceInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.UntagResourceOutput, error)
	ListImages(ctx context.Context, in *imagebuilder.ListImagesInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListImagesOutput, error)
	ListImageBuildVersions(ctx context.Context, in *imagebuilder.ListImageBuildVersionsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListImageBuildVersionsOutput, error)
	ListWorkflowExecutions(ctx context.Context, in *imagebuilder.ListWorkflowExecutionsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListWorkflowExecutionsOutput, error)
	ListWorkflowStepExecutions(ctx context.Context, in *imagebuilder.ListWorkflowStepExecutionsInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.ListWorkflowStepExecutionsOutput, error)
	DeleteImage(ctx context.Context, in *imagebuilder.DeleteImageInput, optFns ...func(*imagebuilder.Options)) (*imagebuilder.DeleteImageOutput, error)
}

var _ ImageBuilderAPI = (*imagebuilder.Client)(nil)

// ImageBuilder returns the Image Builder client of region ("" = the default region).
func (c *Clients) ImageBuilder(region string) ImageBuilderAPI {
	return client(c, "imagebuilder", region, func(cfg aws.Config) *imagebuilder.Client { return imagebuilder.NewFromConfig(cfg) })
}
