package imagebuilder

import (
	"context"
	"maps"

	"github.com/winami/winami/sandbox/protocol"
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
		if c := sc.ib.Components[arn]; c != nil {
			return &c.Tags, nil
		}
	case "image-recipe":
		if r := sc.ib.ImageRecipes[arn]; r != nil {
			return &r.Tags, nil
		}
	case "infrastructure-configuration":
		if c := sc.ib.InfrastructureConfigurations[arn]; c != nil {
			return &c.Tags, nil
		}
	case "distribution-configuration":
		if c := sc.ib.DistributionConfigurations[arn]; c != nil {
			return &c.Tags, nil
		}
	case "image-pipeline":
		if p := sc.ib.ImagePipelines[arn]; p != nil {
			return &p.Tags, nil
		}
	case "image":
		if img := sc.ib.Images[arn]; img != nil {
			return &img.Tags, nil
		}
	}
	return nil, notFound(arn)
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
		out.Tags = maps.Clone(*tags)
		if out.Tags == nil {
			out.Tags = map[string]string{}
		}
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
			merged := maps.Clone(*tags)
			if merged == nil {
				merged = map[string]string{}
			}
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
