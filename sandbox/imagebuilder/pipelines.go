package imagebuilder

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// cronRE is Image Builder's schedule expression: cron() with six fields.
var cronRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^cron\(\s*\S+(\s+\S+){5}\s*\)$`) })

// pipelineFields are the settings Create and Update share; Update replaces
// all of them, as AWS's UpdateImagePipeline does ("you must specify all of
// the properties that you want to keep").
type pipelineFields struct {
	Description                    string                         `json:"description,omitempty"`
	ImageRecipeARN                 string                         `json:"imageRecipeArn,omitempty"`
	ContainerRecipeARN             string                         `json:"containerRecipeArn,omitempty"`
	InfrastructureConfigurationARN string                         `json:"infrastructureConfigurationArn"`
	DistributionConfigurationARN   string                         `json:"distributionConfigurationArn,omitempty"`
	Schedule                       *world.Schedule                `json:"schedule,omitempty"`
	Status                         string                         `json:"status,omitempty"`
	ImageTestsConfiguration        *world.ImageTestsConfiguration `json:"imageTestsConfiguration,omitempty"`
	EnhancedImageMetadataEnabled   *bool                          `json:"enhancedImageMetadataEnabled,omitempty"`
	ImageTags                      map[string]string              `json:"imageTags,omitempty"`
	ClientToken                    string                         `json:"clientToken"`
}

type createPipelineInput struct {
	Name string `json:"name"`
	pipelineFields
	Tags map[string]string `json:"tags,omitempty"`
}

type updatePipelineInput struct {
	ImagePipelineARN string `json:"imagePipelineArn"`
	pipelineFields
}

type pipelineOutput struct {
	ClientToken      string `json:"clientToken"`
	ImagePipelineARN string `json:"imagePipelineArn"`
}

func (f *pipelineFields) check() error {
	switch {
	case f.ContainerRecipeARN != "":
		return invalidRequest("The sandbox builds AMIs only: container recipes are not supported.")
	case f.ImageRecipeARN == "":
		return missingParam("imageRecipeArn")
	case len(f.Description) > 1024:
		return invalidParam("description", "'description' must be at most 1024 characters.")
	}
	if err := checkKindARN("infrastructureConfigurationArn", f.InfrastructureConfigurationARN, "infrastructure-configuration"); err != nil {
		return err
	}
	if f.DistributionConfigurationARN != "" {
		if err := checkKindARN("distributionConfigurationArn", f.DistributionConfigurationARN, "distribution-configuration"); err != nil {
			return err
		}
	}
	switch f.Status {
	case "", "ENABLED", "DISABLED":
	default:
		return invalidParam("status", "'status' must be ENABLED or DISABLED; got '%s'.", f.Status)
	}
	if sch := f.Schedule; sch != nil {
		if !cronRE().MatchString(sch.ScheduleExpression) {
			return invalidParam("scheduleExpression", "'%s' is not a cron expression of six fields, such as cron(0 9 ? * WED#2 *).", sch.ScheduleExpression)
		}
		switch sch.PipelineExecutionStartCondition {
		case "", "EXPRESSION_MATCH_ONLY", "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE":
		default:
			return invalidParam("pipelineExecutionStartCondition", "'%s' is not EXPRESSION_MATCH_ONLY or EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE.",
				sch.PipelineExecutionStartCondition)
		}
	}
	if t := f.ImageTestsConfiguration; t != nil && t.TimeoutMinutes != nil && (*t.TimeoutMinutes < 60 || *t.TimeoutMinutes > 1440) {
		return invalidParam("timeoutMinutes", "'timeoutMinutes' must be between 60 and 1440; got %d.", *t.TimeoutMinutes)
	}
	return checkTags("imageTags", f.ImageTags)
}

// checkWorld checks that the recipe (a version, or a wildcard the builds
// resolve), the infrastructure and the distribution exist.
func (f *pipelineFields) checkWorld(sc *scope) (*world.ImageRecipe, error) {
	recipe := findRecipe(sc, f.ImageRecipeARN)
	if recipe == nil {
		return nil, invalidParam("imageRecipeArn", "The image recipe '%s' does not exist.", f.ImageRecipeARN)
	}
	if sc.ib.InfrastructureConfigurations[f.InfrastructureConfigurationARN] == nil {
		return nil, invalidParam("infrastructureConfigurationArn", "The infrastructure configuration '%s' does not exist.", f.InfrastructureConfigurationARN)
	}
	if arn := f.DistributionConfigurationARN; arn != "" && sc.ib.DistributionConfigurations[arn] == nil {
		return nil, invalidParam("distributionConfigurationArn", "The distribution configuration '%s' does not exist.", arn)
	}
	return recipe, nil
}

// applyTo sets a pipeline's settings, with Image Builder's defaults for what
// is left out.
func (f *pipelineFields) applyTo(p *world.ImagePipeline, recipe *world.ImageRecipe) {
	p.Description = f.Description
	p.Platform = recipe.Platform
	p.ImageRecipeARN = f.ImageRecipeARN
	p.InfrastructureConfigurationARN = f.InfrastructureConfigurationARN
	p.DistributionConfigurationARN = f.DistributionConfigurationARN
	p.Schedule = f.Schedule
	if p.Schedule != nil && p.Schedule.PipelineExecutionStartCondition == "" {
		p.Schedule.PipelineExecutionStartCondition = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
	}
	p.Status = f.Status
	if p.Status == "" {
		p.Status = "ENABLED"
	}
	enabled, timeout := true, int32(720)
	if t := f.ImageTestsConfiguration; t != nil {
		if t.ImageTestsEnabled != nil {
			enabled = *t.ImageTestsEnabled
		}
		if t.TimeoutMinutes != nil {
			timeout = *t.TimeoutMinutes
		}
	}
	p.ImageTestsConfiguration = &world.ImageTestsConfiguration{ImageTestsEnabled: &enabled, TimeoutMinutes: &timeout}
	p.EnhancedImageMetadataEnabled = f.EnhancedImageMetadataEnabled == nil || *f.EnhancedImageMetadataEnabled
	p.ImageTags = f.ImageTags
}

func (s *service) createImagePipeline(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *createPipelineInput) (any, error) {
		if err := checkName(in.Name); err != nil {
			return nil, err
		}
		if err := in.check(); err != nil {
			return nil, err
		}
		if err := checkTags("tags", in.Tags); err != nil {
			return nil, err
		}
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
			arn, err := createNamed(sc, sc.ib.ImagePipelines, "image-pipeline", "ImagePipeline", in.Name,
				func(arn string) (*world.ImagePipeline, error) {
					recipe, err := in.checkWorld(sc)
					if err != nil {
						return nil, err
					}
					p := &world.ImagePipeline{ARN: arn, Name: in.Name, DateCreated: now, Tags: in.Tags}
					in.applyTo(p, recipe)
					return p, nil
				})
			return pipelineOutput{ClientToken: in.ClientToken, ImagePipelineARN: arn}, err
		})
	})
}

func (s *service) updateImagePipeline(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *updatePipelineInput) (any, error) {
		arn := in.ImagePipelineARN
		if err := checkKindARN("imagePipelineArn", arn, "image-pipeline"); err != nil {
			return nil, err
		}
		if err := in.check(); err != nil {
			return nil, err
		}
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
			p := sc.ib.ImagePipelines[arn]
			if p == nil {
				return nil, notFound(arn)
			}
			recipe, err := in.checkWorld(sc)
			if err != nil {
				return nil, err
			}
			in.applyTo(p, recipe)
			p.DateUpdated = &now
			return pipelineOutput{ClientToken: in.ClientToken, ImagePipelineARN: arn}, nil
		})
	})
}

// toPipeline is a pipeline with its last run, the newest of its builds.
func toPipeline(sc *scope, p *world.ImagePipeline) wirePipeline {
	out := wirePipeline{ImagePipeline: clone(p), DateCreated: date(p.DateCreated), DateUpdated: dateP(p.DateUpdated)}
	var last *world.ImageBuildVersion
	for _, img := range sc.ib.Images {
		if img.SourcePipelineARN == p.ARN && (last == nil || img.DateCreated.After(last.DateCreated) ||
			img.DateCreated.Equal(last.DateCreated) && compareImages(img, last) > 0) {
			last = img
		}
	}
	if last != nil {
		out.DateLastRun, out.LastRunStatus = date(last.DateCreated), last.State
	}
	return out
}

func imagePipelines(ib *world.ImageBuilder) map[string]*world.ImagePipeline { return ib.ImagePipelines }

type getPipelineOutput struct {
	RequestID     string       `json:"requestId"`
	ImagePipeline wirePipeline `json:"imagePipeline"`
}

func (s *service) getImagePipeline(ctx context.Context, req *protocol.Request) (any, error) {
	return getByARN(s, req, "imagePipelineArn", "image-pipeline", true, imagePipelines,
		func(sc *scope, p *world.ImagePipeline) getPipelineOutput {
			return getPipelineOutput{RequestID: req.RequestID, ImagePipeline: toPipeline(sc, p)}
		})
}

type listPipelinesOutput struct {
	RequestID         string         `json:"requestId"`
	ImagePipelineList []wirePipeline `json:"imagePipelineList"`
	NextToken         string         `json:"nextToken,omitempty"`
}

// pipelineFilters are ListImagePipelines' filters.
var pipelineFilters = fields[world.ImagePipeline]{
	"description":                    func(p *world.ImagePipeline) []string { return one(p.Description) },
	"distributionConfigurationArn":   func(p *world.ImagePipeline) []string { return one(p.DistributionConfigurationARN) },
	"imageRecipeArn":                 func(p *world.ImagePipeline) []string { return one(p.ImageRecipeARN) },
	"infrastructureConfigurationArn": func(p *world.ImagePipeline) []string { return one(p.InfrastructureConfigurationARN) },
	"name":                           func(p *world.ImagePipeline) []string { return one(p.Name) },
	"status":                         func(p *world.ImagePipeline) []string { return one(p.Status) },
}

func (s *service) listImagePipelines(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listInput) (any, error) {
		if err := pipelineFilters.check(in.Filters); err != nil {
			return nil, err
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listPipelinesOutput
		err := s.view(req, func(sc *scope) error {
			all := collect(sc.ib.ImagePipelines, func(p *world.ImagePipeline) bool { return pipelineFilters.match(in.Filters, p) },
				byARN(func(p *world.ImagePipeline) string { return p.ARN }))
			list, next, err := answerPage(all, *in, func(p *world.ImagePipeline) wirePipeline { return toPipeline(sc, p) })
			out = listPipelinesOutput{RequestID: req.RequestID, NextToken: next, ImagePipelineList: list}
			return err
		})
		return out, err
	})
}

type deletePipelineOutput struct {
	RequestID        string `json:"requestId"`
	ImagePipelineARN string `json:"imagePipelineArn"`
}

func (s *service) deleteImagePipeline(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imagePipelineArn")
	if err := checkKindARN("imagePipelineArn", arn, "image-pipeline"); err != nil {
		return nil, err
	}
	if err := remove(s, req, arn, imagePipelines, nil, nil); err != nil {
		return nil, err
	}
	return deletePipelineOutput{RequestID: req.RequestID, ImagePipelineARN: arn}, nil
}
