package imagebuilder

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// maxRecipeComponents is how many components a recipe may have.
const maxRecipeComponents = 20

type createImageRecipeInput struct {
	Name                            string                                 `json:"name"`
	SemanticVersion                 string                                 `json:"semanticVersion"`
	Description                     string                                 `json:"description,omitempty"`
	ParentImage                     string                                 `json:"parentImage"`
	Components                      []world.ComponentConfiguration         `json:"components,omitempty"`
	BlockDeviceMappings             []world.InstanceBlockDeviceMapping     `json:"blockDeviceMappings,omitempty"`
	WorkingDirectory                string                                 `json:"workingDirectory,omitempty"`
	AdditionalInstanceConfiguration *world.AdditionalInstanceConfiguration `json:"additionalInstanceConfiguration,omitempty"`
	AMITags                         map[string]string                      `json:"amiTags,omitempty"`
	Tags                            map[string]string                      `json:"tags,omitempty"`
	ClientToken                     string                                 `json:"clientToken"`
}

type createImageRecipeOutput struct {
	ClientToken             string                   `json:"clientToken"`
	ImageRecipeARN          string                   `json:"imageRecipeArn"`
	LatestVersionReferences *latestVersionReferences `json:"latestVersionReferences"`
}

// recipeVersion reads a recipe's semanticVersion: exact, or with an x as its
// patch ("1.2.x"), which Image Builder turns into the next patch of 1.2.
func recipeVersion(v string) (semver, error) {
	ver, ok := parseVersion(v, true)
	if !ok || ver[1] < 0 {
		return semver{}, invalidVersion("semanticVersion", v)
	}
	return ver, nil
}

func (in *createImageRecipeInput) check() error {
	if err := checkName(in.Name); err != nil {
		return err
	}
	if _, err := recipeVersion(in.SemanticVersion); err != nil {
		return err
	}
	switch {
	case in.ParentImage == "":
		return missingParam("parentImage")
	case len(in.Components) > maxRecipeComponents:
		return invalidParam("components", "A recipe takes at most %d components; got %d.", maxRecipeComponents, len(in.Components))
	case len(in.Description) > 1024:
		return invalidParam("description", "'description' must be at most 1024 characters.")
	case len(in.WorkingDirectory) > 1024:
		return invalidParam("workingDirectory", "'workingDirectory' must be at most 1024 characters.")
	}
	if err := checkBlockDevices(in.BlockDeviceMappings); err != nil {
		return err
	}
	if err := checkTags("amiTags", in.AMITags); err != nil {
		return err
	}
	return checkTags("tags", in.Tags)
}

func checkBlockDevices(mappings []world.InstanceBlockDeviceMapping) error {
	for _, m := range mappings {
		if m.EBS == nil {
			continue
		}
		switch m.EBS.VolumeType {
		case "", "standard", "io1", "io2", "gp2", "gp3", "sc1", "st1":
		default:
			return invalidParam("blockDeviceMappings", "Volume type '%s' of device '%s' is not one of standard, io1, io2, gp2, gp3, sc1, st1.",
				m.EBS.VolumeType, m.DeviceName)
		}
		if sz := m.EBS.VolumeSize; sz != nil && (*sz < 1 || *sz > 16384) {
			return invalidParam("blockDeviceMappings", "Volume size %d of device '%s' is not between 1 and 16384 GiB.", *sz, m.DeviceName)
		}
	}
	return nil
}

func (s *service) createImageRecipe(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *createImageRecipeInput) (any, error) {
		if err := in.check(); err != nil {
			return nil, err
		}
		return s.mutate(req, in.ClientToken, in, nil, func(sc *scope, _ time.Time) (any, error) {
			return s.makeRecipe(sc, in)
		})
	})
}

func (s *service) makeRecipe(sc *scope, in *createImageRecipeInput) (any, error) {
	parent, problem := resolveParent(sc, in.ParentImage)
	if parent == nil {
		return nil, invalidParam("parentImage", "The parent image '%s' is not valid: %s.", in.ParentImage, problem)
	}
	platform := platformOf(parent)
	for _, cc := range in.Components {
		if err := checkRecipeComponent(sc, cc, platform); err != nil {
			return nil, err
		}
	}
	want, _ := recipeVersion(in.SemanticVersion)
	version := want.String()
	if want.wild() {
		// Auto-versioning: the next patch of major.minor.
		next := 0
		for _, r := range sc.ib.ImageRecipes {
			v := mustVersion(r.Version)
			if r.Owner == sc.account() && arnName(r.Name) == arnName(in.Name) && want.matches(v) {
				next = max(next, v[2]+1)
			}
		}
		version = fmt.Sprintf("%d.%d.%d", want[0], want[1], next)
	}
	arn := makeARN(sc.r.Name, sc.account(), "image-recipe", in.Name, version, 0)
	if sc.ib.ImageRecipes[arn] != nil {
		return nil, alreadyExists("ImageRecipe", arn)
	}
	sc.ib.ImageRecipes[arn] = &world.ImageRecipe{
		ARN:                             arn,
		Name:                            in.Name,
		Version:                         version,
		Description:                     in.Description,
		Owner:                           sc.account(),
		Platform:                        platform,
		ParentImage:                     in.ParentImage,
		Components:                      in.Components,
		BlockDeviceMappings:             in.BlockDeviceMappings,
		WorkingDirectory:                in.WorkingDirectory,
		AdditionalInstanceConfiguration: in.AdditionalInstanceConfiguration,
		AMITags:                         in.AMITags,
		DateCreated:                     s.now().UTC(),
		Tags:                            in.Tags,
	}
	return createImageRecipeOutput{ClientToken: in.ClientToken, ImageRecipeARN: arn,
		LatestVersionReferences: references(sc.r.Name, sc.account(), "image-recipe", in.Name, version)}, nil
}

// checkRecipeComponent checks a recipe's component: it exists, fits the
// parent's platform, and declares every parameter the recipe sets.
func checkRecipeComponent(sc *scope, cc world.ComponentConfiguration, platform string) error {
	c := findComponent(sc, cc.ComponentARN)
	if c == nil {
		return invalidParam("components", "The component '%s' does not exist in %s.", cc.ComponentARN, sc.r.Name)
	}
	if c.Platform != platform {
		return invalidParam("components", "The component '%s' is for %s, but the parent image is %s.", cc.ComponentARN, c.Platform, platform)
	}
	doc, _ := parseDocument(c.Data)
	for _, p := range cc.Parameters {
		switch {
		case !doc.declares(p.Name):
			return invalidParam("components", "The component '%s' has no parameter '%s'.", cc.ComponentARN, p.Name)
		case len(p.Value) == 0:
			return invalidParam("components", "The parameter '%s' of component '%s' needs a value.", p.Name, cc.ComponentARN)
		}
	}
	return nil
}

// findRecipe resolves a recipe ARN: a version, or the newest matching a
// wildcard version.
func findRecipe(sc *scope, arn string) *world.ImageRecipe {
	a, ok := parseARN(arn)
	if !ok || a.Kind != "image-recipe" || !a.HasVersion || a.Build > 0 || a.Region != sc.r.Name {
		return nil
	}
	var best *world.ImageRecipe
	for _, r := range sc.ib.ImageRecipes {
		if r.Owner != sc.account() || a.Account != sc.account() || arnName(r.Name) != a.Name ||
			!a.Version.matches(mustVersion(r.Version)) {
			continue
		}
		if best == nil || compareVersions(mustVersion(r.Version), mustVersion(best.Version)) > 0 {
			best = r
		}
	}
	return best
}

type getImageRecipeOutput struct {
	RequestID               string                   `json:"requestId"`
	ImageRecipe             *wireRecipe              `json:"imageRecipe"`
	LatestVersionReferences *latestVersionReferences `json:"latestVersionReferences"`
}

// checkRecipeARN checks an image recipe version ARN parameter; wildcards
// are for reading.
func checkRecipeARN(arn string, wildcards bool) error {
	return checkARN("imageRecipeArn", arn, "an image recipe version", func(a resourceARN) bool {
		return a.Kind == "image-recipe" && a.HasVersion && (wildcards || !a.Version.wild()) && a.Build == 0
	})
}

func (s *service) getImageRecipe(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imageRecipeArn")
	if err := checkRecipeARN(arn, true); err != nil {
		return nil, err
	}
	var out getImageRecipeOutput
	err := s.view(req, func(sc *scope) error {
		r := findRecipe(sc, arn)
		if r == nil {
			return notFound(arn)
		}
		out = getImageRecipeOutput{RequestID: req.RequestID, ImageRecipe: toRecipe(r),
			LatestVersionReferences: references(sc.r.Name, sc.account(), "image-recipe", r.Name, r.Version)}
		return nil
	})
	return out, err
}

type listImageRecipesInput struct {
	listInput
	Owner string `json:"owner"`
}

type listImageRecipesOutput struct {
	RequestID              string          `json:"requestId"`
	ImageRecipeSummaryList []recipeSummary `json:"imageRecipeSummaryList"`
	NextToken              string          `json:"nextToken,omitempty"`
}

// recipeFilters are ListImageRecipes' filters.
var recipeFilters = fields[world.ImageRecipe]{
	"name":        func(r *world.ImageRecipe) []string { return one(r.Name) },
	"parentImage": func(r *world.ImageRecipe) []string { return one(r.ParentImage) },
	"platform":    func(r *world.ImageRecipe) []string { return one(r.Platform) },
}

// compareRecipes orders recipes by name, then version.
func compareRecipes(a, b *world.ImageRecipe) int {
	return cmp.Or(strings.Compare(arnName(a.Name), arnName(b.Name)),
		compareVersions(mustVersion(a.Version), mustVersion(b.Version)))
}

func (s *service) listImageRecipes(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listImageRecipesInput) (any, error) {
		if err := recipeFilters.check(in.Filters); err != nil {
			return nil, err
		}
		var out listImageRecipesOutput
		err := s.view(req, func(sc *scope) error {
			owned, err := ownerFilter(sc, in.Owner)
			if err != nil {
				return err
			}
			all := collect(sc.ib.ImageRecipes, func(r *world.ImageRecipe) bool {
				return owned(r.Owner) && recipeFilters.match(in.Filters, r)
			}, compareRecipes)
			list, next, err := answerPage(all, in.listInput, toRecipeSummary)
			out = listImageRecipesOutput{RequestID: req.RequestID, NextToken: next, ImageRecipeSummaryList: list}
			return err
		})
		return out, err
	})
}

type deleteImageRecipeOutput struct {
	RequestID      string `json:"requestId"`
	ImageRecipeARN string `json:"imageRecipeArn"`
}

func (s *service) deleteImageRecipe(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imageRecipeArn")
	if err := checkRecipeARN(arn, false); err != nil {
		return nil, err
	}
	err := remove(s, req, arn, func(ib *world.ImageBuilder) map[string]*world.ImageRecipe { return ib.ImageRecipes },
		func(r *world.ImageRecipe) string { return r.Owner },
		func(sc *scope, _ *world.ImageRecipe) bool {
			return anyOf(sc.ib.ImagePipelines, func(p *world.ImagePipeline) bool { return p.ImageRecipeARN == arn })
		})
	if err != nil {
		return nil, err
	}
	return deleteImageRecipeOutput{RequestID: req.RequestID, ImageRecipeARN: arn}, nil
}
