package imagebuilder

import (
	"context"
	"maps"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type startInput struct {
	ImagePipelineARN string            `json:"imagePipelineArn"`
	Tags             map[string]string `json:"tags,omitempty"`
	ClientToken      string            `json:"clientToken"`
}

type imageOutput struct {
	ClientToken          string `json:"clientToken"`
	ImageBuildVersionARN string `json:"imageBuildVersionArn"`
}

// startImagePipelineExecution starts a build of the pipeline's recipe: the
// next build number of the recipe's name and version, with the recipe,
// infrastructure and distribution copied as they are now.
func (s *service) startImagePipelineExecution(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *startInput) (any, error) {
		if err := checkKindARN("imagePipelineArn", in.ImagePipelineARN, "image-pipeline"); err != nil {
			return nil, err
		}
		if err := checkTags("tags", in.Tags); err != nil {
			return nil, err
		}
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, now time.Time) (any, error) {
			img, err := s.newBuild(sc, in, now)
			if err != nil {
				return nil, err
			}
			// With a pace of zero the build is over before anyone reads it.
			advance(sc, img, now)
			return imageOutput{ClientToken: in.ClientToken, ImageBuildVersionARN: img.ARN}, nil
		})
	})
}

func (s *service) newBuild(sc *scope, in *startInput, now time.Time) (*world.ImageBuildVersion, error) {
	p := sc.ib.ImagePipelines[in.ImagePipelineARN]
	if p == nil {
		return nil, notFound(in.ImagePipelineARN)
	}
	recipe := findRecipe(sc, p.ImageRecipeARN)
	if recipe == nil {
		return nil, notFound(p.ImageRecipeARN)
	}
	infra := sc.ib.InfrastructureConfigurations[p.InfrastructureConfigurationARN]
	if infra == nil {
		return nil, notFound(p.InfrastructureConfigurationARN)
	}
	var dist *world.DistributionConfiguration
	if p.DistributionConfigurationARN != "" {
		if dist = sc.ib.DistributionConfigurations[p.DistributionConfigurationARN]; dist == nil {
			return nil, notFound(p.DistributionConfigurationARN)
		}
	}
	build := 1
	for _, img := range sc.ib.Images {
		if img.Owner == sc.account() && arnName(img.Name) == arnName(recipe.Name) && img.Version == recipe.Version {
			build = max(build, buildOf(img.ARN)+1)
		}
	}
	tags := maps.Clone(p.ImageTags)
	if len(in.Tags) > 0 {
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, in.Tags)
	}
	img := &world.ImageBuildVersion{
		ARN:                          makeARN(sc.r.Name, sc.account(), "image", recipe.Name, recipe.Version, build),
		Name:                         recipe.Name,
		Version:                      recipe.Version,
		Owner:                        sc.account(),
		Platform:                     recipe.Platform,
		Type:                         "AMI",
		BuildType:                    "USER_INITIATED",
		ImageSource:                  "CUSTOM",
		State:                        statePending,
		DateCreated:                  now,
		StateChangedAt:               now,
		Pace:                         s.pace,
		SourcePipelineARN:            p.ARN,
		SourcePipelineName:           p.Name,
		ImageRecipe:                  clone(recipe),
		InfrastructureConfiguration:  clone(infra),
		DistributionConfiguration:    clone(dist),
		ImageTestsConfiguration:      clone(p.ImageTestsConfiguration),
		EnhancedImageMetadataEnabled: p.EnhancedImageMetadataEnabled,
		Tags:                         tags,
	}
	if parent, _ := resolveParent(sc, recipe.ParentImage); parent != nil {
		img.OSVersion = osVersion(parent)
	}
	sc.ib.Images[img.ARN] = img
	return img, nil
}

type cancelInput struct {
	ImageBuildVersionARN string `json:"imageBuildVersionArn"`
	ClientToken          string `json:"clientToken"`
}

func (s *service) cancelImageCreation(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *cancelInput) (any, error) {
		arn := in.ImageBuildVersionARN
		if err := checkBuildARN(arn); err != nil {
			return nil, err
		}
		// A build that has ended by now cannot be cancelled: advance first.
		settled := func(sc *scope, now time.Time) error {
			advanceAll(sc, now)
			return nil
		}
		return s.mutate(req, in.ClientToken, in, settled, func(sc *scope, now time.Time) (any, error) {
			img := sc.ib.Images[arn]
			if img == nil || img.Owner != sc.account() {
				return nil, notFound(arn)
			}
			if !inProgress(img.State) {
				return nil, protocol.Errorf("ResourceInUseException",
					"The image '%s' cannot be cancelled: its state is %s.", arn, img.State)
			}
			img.State, img.StateReason, img.StateChangedAt = stateCancelled, "The image build was cancelled by the user.", now
			return imageOutput{ClientToken: in.ClientToken, ImageBuildVersionARN: arn}, nil
		})
	})
}

func checkBuildARN(arn string) error {
	return checkARN("imageBuildVersionArn", arn, "an image build version", func(a resourceARN) bool {
		return a.Kind == "image" && a.Build > 0
	})
}

type getImageOutput struct {
	RequestID               string                   `json:"requestId"`
	Image                   wireImage                `json:"image"`
	LatestVersionReferences *latestVersionReferences `json:"latestVersionReferences"`
}

func (s *service) getImage(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imageBuildVersionArn")
	err := checkARN("imageBuildVersionArn", arn, "an image version or build version", func(a resourceARN) bool {
		return a.Kind == "image" && a.HasVersion
	})
	if err != nil {
		return nil, err
	}
	if err := s.settle(req); err != nil {
		return nil, err
	}
	var out getImageOutput
	err = s.view(req, func(sc *scope) error {
		img := findImage(sc, arn, false)
		if img == nil {
			return notFound(arn)
		}
		out = getImageOutput{RequestID: req.RequestID, Image: toImage(img),
			LatestVersionReferences: references(sc.r.Name, accountOf(img.Owner), "image", img.Name, img.Version)}
		return nil
	})
	return out, err
}

type listImagesInput struct {
	listInput
	Owner             string `json:"owner"`
	ByName            bool   `json:"byName"`
	IncludeDeprecated bool   `json:"includeDeprecated"`
}

type listImagesOutput struct {
	RequestID        string         `json:"requestId"`
	ImageVersionList []imageVersion `json:"imageVersionList"`
	NextToken        string         `json:"nextToken,omitempty"`
}

// imageFilters are the image lists' filters; ListImagePipelineImages takes
// only its name and version.
var (
	imageFilters = fields[world.ImageBuildVersion]{
		"name":      func(img *world.ImageBuildVersion) []string { return one(img.Name) },
		"osVersion": func(img *world.ImageBuildVersion) []string { return one(img.OSVersion) },
		"platform":  func(img *world.ImageBuildVersion) []string { return one(img.Platform) },
		"type":      func(img *world.ImageBuildVersion) []string { return one(img.Type) },
		"version":   func(img *world.ImageBuildVersion) []string { return one(img.Version) },
	}
	pipelineImageFilters = fields[world.ImageBuildVersion]{"name": imageFilters["name"], "version": imageFilters["version"]}
)

// listImages lists one entry per image version (its newest build's), or
// with byName one per image, its newest version.
func (s *service) listImages(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listImagesInput) (any, error) {
		if err := imageFilters.check(in.Filters); err != nil {
			return nil, err
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listImagesOutput
		err := s.view(req, func(sc *scope) error {
			owned, err := ownerFilter(sc, in.Owner)
			if err != nil {
				return err
			}
			versions := newest(sc.ib.Images, func(img *world.ImageBuildVersion) bool {
				return owned(img.Owner) && (img.State != "DEPRECATED" || in.IncludeDeprecated)
			}, func(img *world.ImageBuildVersion) string {
				if in.ByName {
					return arnName(img.Name)
				}
				return arnName(img.Name) + "/" + img.Version
			}, compareImages)
			all := collect(versions, func(img *world.ImageBuildVersion) bool { return imageFilters.match(in.Filters, img) }, compareImages)
			list, next, err := answerPage(all, in.listInput, toImageVersion)
			out = listImagesOutput{RequestID: req.RequestID, NextToken: next, ImageVersionList: list}
			return err
		})
		return out, err
	})
}

type listBuildsOutput struct {
	RequestID        string         `json:"requestId"`
	ImageSummaryList []imageSummary `json:"imageSummaryList"`
	NextToken        string         `json:"nextToken,omitempty"`
}

// summaries pages the builds that keep passes into a list answer.
func summaries(sc *scope, keep func(*world.ImageBuildVersion) bool, in listInput) (listBuildsOutput, error) {
	all := collect(sc.ib.Images, keep, compareImages)
	list, next, err := answerPage(all, in, toImageSummary)
	return listBuildsOutput{RequestID: sc.req.RequestID, NextToken: next, ImageSummaryList: list}, err
}

type listImageBuildVersionsInput struct {
	listInput
	ImageVersionARN string `json:"imageVersionArn"`
}

// listImageBuildVersions lists the builds of a version, or without a
// version ARN every build the account owns, as AWS does since September 2025.
func (s *service) listImageBuildVersions(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listImageBuildVersionsInput) (any, error) {
		if err := imageFilters.check(in.Filters); err != nil {
			return nil, err
		}
		var want resourceARN
		if in.ImageVersionARN != "" {
			a, ok := parseARN(in.ImageVersionARN)
			if !ok || a.Kind != "image" || !a.HasVersion || a.Build > 0 {
				return nil, invalidParam("imageVersionArn", "'imageVersionArn' must be the ARN of an image version.")
			}
			want = a
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listBuildsOutput
		err := s.view(req, func(sc *scope) error {
			var err error
			out, err = summaries(sc, func(img *world.ImageBuildVersion) bool {
				return ofVersion(sc, want, img.Owner, img.Name, img.Version) && imageFilters.match(in.Filters, img)
			}, in.listInput)
			return err
		})
		return out, err
	})
}

type listPipelineImagesInput struct {
	listInput
	ImagePipelineARN string `json:"imagePipelineArn"`
}

func (s *service) listImagePipelineImages(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listPipelineImagesInput) (any, error) {
		if err := checkKindARN("imagePipelineArn", in.ImagePipelineARN, "image-pipeline"); err != nil {
			return nil, err
		}
		if err := pipelineImageFilters.check(in.Filters); err != nil {
			return nil, err
		}
		if err := s.settle(req); err != nil {
			return nil, err
		}
		var out listBuildsOutput
		err := s.view(req, func(sc *scope) error {
			if sc.ib.ImagePipelines[in.ImagePipelineARN] == nil {
				return notFound(in.ImagePipelineARN)
			}
			var err error
			out, err = summaries(sc, func(img *world.ImageBuildVersion) bool {
				return img.SourcePipelineARN == in.ImagePipelineARN && pipelineImageFilters.match(in.Filters, img)
			}, in.listInput)
			return err
		})
		return out, err
	})
}

type deleteImageOutput struct {
	RequestID            string `json:"requestId"`
	ImageBuildVersionARN string `json:"imageBuildVersionArn"`
}

// deleteImage deletes the Image Builder image only; its AMIs and snapshots
// stay, as AWS's DeleteImage leaves them.
func (s *service) deleteImage(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imageBuildVersionArn")
	if err := checkBuildARN(arn); err != nil {
		return nil, err
	}
	err := remove(s, req, arn, func(ib *world.ImageBuilder) map[string]*world.ImageBuildVersion { return ib.Images },
		func(img *world.ImageBuildVersion) string { return img.Owner },
		func(sc *scope, _ *world.ImageBuildVersion) bool {
			return anyOf(sc.ib.ImageRecipes, func(r *world.ImageRecipe) bool { return r.ParentImage == arn })
		})
	if err != nil {
		return nil, err
	}
	return deleteImageOutput{RequestID: req.RequestID, ImageBuildVersionARN: arn}, nil
}
