package imagebuilder_test

import (
	"maps"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
)

func TestTags(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := makeStack(t, e, "tagged", stackOptions{})
	img := run(t, e, s.pipeline)
	component := createComponent(t, e, "tagged", "1.0.0", helloDoc)
	for _, arn := range []string{s.recipe, s.infra, s.dist, s.pipeline, aws.ToString(img.Arn), component} {
		try(e.ib.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}})).must(t)
		try(e.ib.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"b": "3"}})).must(t)
		try(e.ib.UntagResource(ctx, &imagebuilder.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a", "nope"}})).must(t)
		got := try(e.ib.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String(arn)})).must(t).Tags
		if !maps.Equal(got, map[string]string{"b": "3"}) {
			t.Errorf("%s: tags %v", arn, got)
		}
	}
	// Tags written through TagResource are the resource's own.
	p := try(e.ib.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(s.pipeline)})).must(t)
	if p.ImagePipeline.Tags["b"] != "3" {
		t.Errorf("pipeline tags %v", p.ImagePipeline.Tags)
	}

	_, err := e.ib.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:image-pipeline/nope")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String("arn:aws:s3:::bucket"), Tags: map[string]string{"a": "1"}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterException", "")
	_, err = e.ib.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(s.pipeline), Tags: map[string]string{"aws:reserved": "1"}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
	_, err = e.ib.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0.3/1"), Tags: map[string]string{"a": "1"}})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}
