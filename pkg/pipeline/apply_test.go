package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/pipeline"
)

// destroyAll removes the spec's Image Builder resources, as winami destroy.
func destroyAll(t *testing.T, e *env, api awsapi.ImageBuilderAPI) {
	t.Helper()
	o, err := pipeline.Observe(t.Context(), api, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := pipeline.Destroy(t.Context(), api, e.clients.EC2, pipeline.DestroyPlan(o), nil); err != nil {
		t.Fatal(err)
	}
}

// TestApplyAfterDestroyCreatesAgain: Image Builder replays the answer to a
// client token it knows, so an apply after destroy must not reuse the
// first apply's tokens.
func TestApplyAfterDestroyCreatesAgain(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	destroyAll(t, e, api)
	applied, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{})
	if err != nil {
		t.Fatalf("apply after destroy: %v", err)
	}
	if pl, err := pipeline.FindPipeline(t.Context(), api, "ci"); err != nil || pl == nil || aws.ToString(pl.Arn) != applied.Pipeline {
		t.Fatalf("after apply the pipeline is %v (%v), want %s", pl, err, applied.Pipeline)
	}
	if p := e.plan(t, api); p.HasChanges() {
		t.Errorf("plan after apply has changes: %+v", actions(p))
	}
	assertOneOfEach(t, api)
}

// TestApplyRefusesAReplayedAnswer forces the old defect (the same tokens
// after destroy) and checks apply then fails instead of reporting as
// created what does not exist.
func TestApplyRefusesAReplayedAnswer(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{Nonce: "same"}); err != nil {
		t.Fatal(err)
	}
	destroyAll(t, e, api)
	_, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{Nonce: "same"})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("apply with replayed answers returned %v, want an error saying the resource does not exist", err)
	}
}

// tokenRecorder keeps the client token of every CreateImagePipeline.
type tokenRecorder struct {
	awsapi.ImageBuilderAPI
	tokens []string
}

func (r *tokenRecorder) CreateImagePipeline(ctx context.Context, in *ib.CreateImagePipelineInput, o ...func(*ib.Options)) (*ib.CreateImagePipelineOutput, error) {
	r.tokens = append(r.tokens, aws.ToString(in.ClientToken))
	return r.ImageBuilderAPI.CreateImagePipeline(ctx, in, o...)
}

// TestApplyTokensArePerInvocation: two applies of the same content send
// different tokens; without a nonce each apply draws its own.
func TestApplyTokensArePerInvocation(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	rec := &tokenRecorder{ImageBuilderAPI: api}
	for range 2 {
		if _, err := pipeline.Apply(t.Context(), rec, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		destroyAll(t, e, api)
	}
	if len(rec.tokens) != 2 || rec.tokens[0] == rec.tokens[1] || len(rec.tokens[0]) != 36 {
		t.Errorf("pipeline create tokens %q: want two different 36-character tokens", rec.tokens)
	}
}

// TestUpdateBackAndForth changes the infrastructure A → B → A → B: the
// fourth update has the content of the second, and must still be made.
func TestUpdateBackAndForth(t *testing.T) {
	e := newEnv(t)
	api := e.clients.ImageBuilder("us-east-1")
	for i, it := range []string{"m5.large", "m5.xlarge", "m5.large", "m5.xlarge"} {
		e.write(t, "winami.yaml", strings.Replace(testSpec, "  instanceProfile: winami-build\n",
			"  instanceProfile: winami-build\n  instanceTypes: ["+it+"]\n", 1))
		if _, err := pipeline.Apply(t.Context(), api, e.plan(t, api), pipeline.ApplyOptions{}); err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
		if p := e.plan(t, api); p.HasChanges() {
			t.Fatalf("after apply %d (%s) the plan has changes: %+v", i, it, actions(p))
		}
	}
}
