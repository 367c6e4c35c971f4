package imagebuilder

import (
	"context"
	"maps"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// taggable finds the tags of an account's resource by ARN (component and
// image build versions, recipes, configurations and pipelines), to read or
// to replace.
func taggable(sc *scope, arn string) (tags *map[string]string, err error) {
	a, ok := parseARN(arn)
	if !ok {
		return nil, protocol.Errorf("InvalidParameterException", "The resource ARN '%s' is not a valid Image Builder ARN.", arn)
	}
	if a.Region != sc.r.Name || a.Account != sc.account() {
		return nil, notFound(arn)
	}
	switch a.Kind {
	case "component":
		tags = tagsOf(sc.ib.Components, arn, func(c *world.Component) *map[string]string { return &c.Tags })
	case "image-recipe":
		tags = tagsOf(sc.ib.ImageRecipes, arn, func(r *world.ImageRecipe) *map[string]string { return &r.Tags })
	case "infrastructure-configuration":
		tags = tagsOf(sc.ib.InfrastructureConfigurations, arn, func(c *world.InfrastructureConfiguration) *map[string]string { return &c.Tags })
	case "distribution-configuration":
		tags = tagsOf(sc.ib.DistributionConfigurations, arn, func(c *world.DistributionConfiguration) *map[string]string { return &c.Tags })
	case "image-pipeline":
		tags = tagsOf(sc.ib.ImagePipelines, arn, func(p *world.ImagePipeline) *map[string]string { return &p.Tags })
	case "image":
		tags = tagsOf(sc.ib.Images, arn, func(img *world.ImageBuildVersion) *map[string]string { return &img.Tags })
	}
	if tags == nil {
		return nil, notFound(arn)
	}
	return tags, nil
}

// tagsOf is the tags of the resource arn of m, or nil when there is none.
func tagsOf[T any](m map[string]*T, arn string, tags func(*T) *map[string]string) *map[string]string {
	if v := m[arn]; v != nil {
		return tags(v)
	}
	return nil
}

// cloneTags copies tags for an answer or a change: never nil, since an
// answer's tags are {} rather than null.
func cloneTags(tags map[string]string) map[string]string {
	if out := maps.Clone(tags); out != nil {
		return out
	}
	return map[string]string{}
}

type listTagsOutput struct {
	Tags map[string]string `json:"tags"`
}

func (s *service) listTagsForResource(ctx context.Context, req *protocol.Request) (any, error) {
	var out listTagsOutput
	err := s.view(req, func(sc *scope) error {
		tags, err := taggable(sc, req.PathParams["resourceArn"])
		if err != nil {
			return err
		}
		out.Tags = cloneTags(*tags)
		return nil
	})
	return out, err
}

type tagResourceInput struct {
	Tags map[string]string `json:"tags"`
}

func (s *service) tagResource(ctx context.Context, req *protocol.Request) (any, error) {
	return handle(req, func(in *tagResourceInput) (any, error) {
		if len(in.Tags) == 0 {
			return nil, protocol.Errorf("InvalidParameterException", "'tags' must hold at least one tag.")
		}
		err := s.update(req, func(sc *scope) error {
			tags, err := taggable(sc, req.PathParams["resourceArn"])
			if err != nil {
				return err
			}
			merged := cloneTags(*tags)
			maps.Copy(merged, in.Tags)
			if err := checkTags("tags", merged); err != nil {
				return err
			}
			*tags = merged
			return nil
		})
		if err != nil {
			return nil, err
		}
		return struct{}{}, nil
	})
}

func (s *service) untagResource(ctx context.Context, req *protocol.Request) (any, error) {
	keys := req.Query["tagKeys"]
	if len(keys) == 0 {
		return nil, protocol.Errorf("InvalidParameterException", "'tagKeys' must name at least one tag.")
	}
	err := s.update(req, func(sc *scope) error {
		tags, err := taggable(sc, req.PathParams["resourceArn"])
		if err != nil {
			return err
		}
		for _, k := range keys {
			delete(*tags, k)
		}
		if len(*tags) == 0 {
			*tags = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
