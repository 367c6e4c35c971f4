package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/smithy-go"
)

// The mutable resources: infrastructure and distribution configurations and
// the pipeline are created once and updated in place.

func (a *applier) infrastructure(ctx context.Context, c Change) error {
	want := a.plan.desired.Infrastructure
	arn := c.ARN
	if c.Action == ActionCreate {
		in := want
		in.Tags = a.tags(nil)
		in.ClientToken = a.token(KindInfrastructure, want)
		out, err := a.api.CreateInfrastructureConfiguration(ctx, &in)
		switch {
		case err == nil:
			a.out.Infrastructure = aws.ToString(out.InfrastructureConfigurationArn)
			return a.confirmCreated(ctx, KindInfrastructure, a.out.Infrastructure)
		case !isAlreadyExists(err):
			return err
		}
		// Someone made it since the plan: use theirs, brought up to date.
		o := &Observed{}
		if rerr := o.readInfrastructure(ctx, a.api, a.plan.Spec, aws.ToString(want.Name)); rerr != nil || o.Infrastructure == nil {
			return errors.Join(err, rerr)
		}
		arn = aws.ToString(o.Infrastructure.Arn)
		if len(diffFields(o.Infrastructure, want, infrastructureFields...)) == 0 {
			a.out.Infrastructure = arn
			return nil
		}
	} else if !hasNonTagDiff(c) {
		a.out.Infrastructure = arn
		return a.retag(ctx, arn, c)
	}
	_, err := a.api.UpdateInfrastructureConfiguration(ctx, &ib.UpdateInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: aws.String(arn),
		Description:                    want.Description,
		InstanceProfileName:            want.InstanceProfileName,
		InstanceTypes:                  want.InstanceTypes,
		SubnetId:                       want.SubnetId,
		SecurityGroupIds:               want.SecurityGroupIds,
		TerminateInstanceOnFailure:     want.TerminateInstanceOnFailure,
		InstanceMetadataOptions:        want.InstanceMetadataOptions,
		Logging:                        want.Logging,
		ClientToken:                    a.token(KindInfrastructure, arn, want),
	})
	a.out.Infrastructure = arn
	if err != nil {
		return err
	}
	return a.retag(ctx, arn, c)
}

var infrastructureFields = []string{"Description", "InstanceProfileName", "InstanceTypes", "SubnetId",
	"SecurityGroupIds", "TerminateInstanceOnFailure", "InstanceMetadataOptions", "Logging"}

func (a *applier) distribution(ctx context.Context, c Change) error {
	want := a.plan.desired.Distribution
	arn := c.ARN
	if c.Action == ActionCreate {
		in := want
		in.Tags = a.tags(nil)
		in.ClientToken = a.token(KindDistribution, want)
		out, err := a.api.CreateDistributionConfiguration(ctx, &in)
		switch {
		case err == nil:
			a.out.Distribution = aws.ToString(out.DistributionConfigurationArn)
			return a.confirmCreated(ctx, KindDistribution, a.out.Distribution)
		case !isAlreadyExists(err):
			return err
		}
		o := &Observed{}
		if rerr := o.readDistribution(ctx, a.api, a.plan.Spec, aws.ToString(want.Name)); rerr != nil || o.Distribution == nil {
			return errors.Join(err, rerr)
		}
		arn = aws.ToString(o.Distribution.Arn)
		if len(diffFields(o.Distribution, want, distributionFields...)) == 0 {
			a.out.Distribution = arn
			return nil
		}
	} else if !hasNonTagDiff(c) {
		a.out.Distribution = arn
		return a.retag(ctx, arn, c)
	}
	_, err := a.api.UpdateDistributionConfiguration(ctx, &ib.UpdateDistributionConfigurationInput{
		DistributionConfigurationArn: aws.String(arn),
		Description:                  want.Description,
		Distributions:                want.Distributions,
		ClientToken:                  a.token(KindDistribution, arn, want),
	})
	a.out.Distribution = arn
	if err != nil {
		return err
	}
	return a.retag(ctx, arn, c)
}

func (a *applier) pipeline(ctx context.Context, c Change) error {
	want := a.plan.desired.Pipeline
	want.ImageRecipeArn = aws.String(a.out.Recipe)
	want.InfrastructureConfigurationArn = aws.String(a.out.Infrastructure)
	want.DistributionConfigurationArn = aws.String(a.out.Distribution)
	arn := c.ARN
	if c.Action == ActionCreate {
		in := want
		in.Tags = a.tags(nil)
		in.ClientToken = a.token(KindPipeline, want)
		out, err := a.api.CreateImagePipeline(ctx, &in)
		switch {
		case err == nil:
			a.out.Pipeline = aws.ToString(out.ImagePipelineArn)
			return a.confirmCreated(ctx, KindPipeline, a.out.Pipeline)
		case !isAlreadyExists(err):
			return err
		}
		o := &Observed{}
		if rerr := o.readPipeline(ctx, a.api, a.plan.Spec, aws.ToString(want.Name)); rerr != nil || o.Pipeline == nil {
			return errors.Join(err, rerr)
		}
		arn = aws.ToString(o.Pipeline.Arn)
		if len(diffFields(o.Pipeline, want, pipelineFields...)) == 0 {
			a.out.Pipeline = arn
			return nil
		}
	} else if !hasNonTagDiff(c) {
		a.out.Pipeline = arn
		return a.retag(ctx, arn, c)
	}
	_, err := a.api.UpdateImagePipeline(ctx, &ib.UpdateImagePipelineInput{
		ImagePipelineArn:               aws.String(arn),
		Description:                    want.Description,
		ImageRecipeArn:                 want.ImageRecipeArn,
		InfrastructureConfigurationArn: want.InfrastructureConfigurationArn,
		DistributionConfigurationArn:   want.DistributionConfigurationArn,
		Schedule:                       want.Schedule,
		Status:                         want.Status,
		EnhancedImageMetadataEnabled:   want.EnhancedImageMetadataEnabled,
		ClientToken:                    a.token(KindPipeline, arn, want),
	})
	a.out.Pipeline = arn
	if err != nil {
		return err
	}
	return a.retag(ctx, arn, c)
}

var distributionFields = []string{"Description", "Distributions"}

var pipelineFields = []string{"Description", "ImageRecipeArn", "InfrastructureConfigurationArn",
	"DistributionConfigurationArn", "Schedule", "Status", "EnhancedImageMetadataEnabled"}

// deleteComponent deletes every build of a component the spec no longer has.
func (a *applier) deleteComponent(ctx context.Context, name string) error {
	oc := a.plan.observed.Components[name]
	for _, versionARN := range oc.VersionARNs {
		builds, err := a.api.ListComponentBuildVersions(ctx, &ib.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(versionARN)})
		if err != nil {
			return err
		}
		for _, b := range builds.ComponentSummaryList {
			_, err := a.api.DeleteComponent(ctx, &ib.DeleteComponentInput{ComponentBuildVersionArn: b.Arn})
			var apiErr smithy.APIError
			switch {
			case err == nil, isNotFound(err):
			case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ResourceDependencyException":
				return fmt.Errorf("%s is still used by an older image recipe version; `winami destroy` removes them together: %w", aws.ToString(b.Arn), err)
			default:
				return err
			}
		}
	}
	return nil
}
