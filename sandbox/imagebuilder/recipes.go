package imagebuilder

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

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
		var out map[string]any
		err := s.update(req, func(sc *scope) error {
			now := s.now().UTC()
			var err error
			out, err = idempotent(sc.ib, req.Operation, in.ClientToken, in, now, func() (any, error) {
				return s.makeRecipe(sc, in)
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		return withRequestID(out, req.RequestID), nil
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

func (s *service) getImageRecipe(ctx context.Context, req *protocol.Request) (any, error) {
	arn := req.Query.Get("imageRecipeArn")
	if arn == "" {
		return nil, missingParam("imageRecipeArn")
	}
	if a, ok := parseARN(arn); !ok || a.Kind != "image-recipe" || !a.HasVersion || a.Build > 0 {
		return nil, invalidParam("imageRecipeArn", "'imageRecipeArn' must be the ARN of an image recipe version.")
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

func (s *service) listImageRecipes(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *listImageRecipesInput) (any, error) {
		if err := checkFilters(in.Filters, "name", "parentImage", "platform"); err != nil {
			return nil, err
		}
		var out listImageRecipesOutput
		err := s.view(req, func(sc *scope) error {
			owned, err := ownerFilter(sc, in.Owner)
			if err != nil {
				return err
			}
			var all []*world.ImageRecipe
			for _, r := range sc.ib.ImageRecipes {
				if owned(r.Owner) && matchFilters(in.Filters, func(name string) []string {
					switch name {
					case "name":
						return one(r.Name)
					case "parentImage":
						return one(r.ParentImage)
					}
					return one(r.Platform)
				}) {
					all = append(all, r)
				}
			}
			slices.SortFunc(all, func(a, b *world.ImageRecipe) int {
				if c := strings.Compare(arnName(a.Name), arnName(b.Name)); c != 0 {
					return c
				}
				return compareVersions(mustVersion(a.Version), mustVersion(b.Version))
			})
			page, next, err := paginate(all, in.listInput)
			if err != nil {
				return err
			}
			out = listImageRecipesOutput{RequestID: req.RequestID, NextToken: next, ImageRecipeSummaryList: []recipeSummary{}}
			for _, r := range page {
				out.ImageRecipeSummaryList = append(out.ImageRecipeSummaryList, recipeSummary{
					ARN: r.ARN, Name: r.Name, Platform: r.Platform, Owner: r.Owner, ParentImage: r.ParentImage,
					DateCreated: date(r.DateCreated), Tags: maps.Clone(r.Tags)})
			}
			return nil
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
	if arn == "" {
		return nil, missingParam("imageRecipeArn")
	}
	if a, ok := parseARN(arn); !ok || a.Kind != "image-recipe" || !a.HasVersion || a.Version.wild() || a.Build > 0 {
		return nil, invalidParam("imageRecipeArn", "'imageRecipeArn' must be the ARN of an image recipe version.")
	}
	err := s.update(req, func(sc *scope) error {
		if r := sc.ib.ImageRecipes[arn]; r == nil || r.Owner != sc.account() {
			return notFound(arn)
		}
		for _, p := range sc.ib.ImagePipelines {
			if p.ImageRecipeARN == arn {
				return dependency(arn)
			}
		}
		delete(sc.ib.ImageRecipes, arn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deleteImageRecipeOutput{RequestID: req.RequestID, ImageRecipeARN: arn}, nil
}
