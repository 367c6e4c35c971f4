package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ib "github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/test/inflight"
)

// versionsIB lists n image versions of a spec; listing a version's builds
// takes a moment, and the failing version's fails while the others are
// held until their context ends.
type versionsIB struct {
	awsapi.ImageBuilderAPI
	name    string
	n       int
	failing int // 1-based; 0: none
	calls   inflight.Counter
}

func (f *versionsIB) ListImages(context.Context, *ib.ListImagesInput, ...func(*ib.Options)) (*ib.ListImagesOutput, error) {
	out := &ib.ListImagesOutput{}
	for i := range f.n {
		out.ImageVersionList = append(out.ImageVersionList, types.ImageVersion{
			Name: aws.String(f.name), Arn: aws.String(fmt.Sprintf("arn:aws:imagebuilder:us-east-1:111122223333:image/%s/1.0.%d", f.name, i+1)),
		})
	}
	return out, nil
}

func (f *versionsIB) ListImageBuildVersions(ctx context.Context, in *ib.ListImageBuildVersionsInput, _ ...func(*ib.Options)) (*ib.ListImageBuildVersionsOutput, error) {
	_, leave := f.calls.Enter()
	defer leave()
	arn := aws.ToString(in.ImageVersionArn)
	switch {
	case f.failing > 0 && strings.HasSuffix(arn, fmt.Sprintf("/1.0.%d", f.failing)):
		return nil, errors.New("ThrottlingException")
	case f.failing > 0:
		return nil, inflight.Hold(ctx)
	}
	time.Sleep(2 * time.Millisecond)
	return &ib.ListImageBuildVersionsOutput{ImageSummaryList: []types.ImageSummary{{Arn: aws.String(arn + "/1")}}}, nil
}

// TestSpecImagesFanOut: the builds of many versions are listed a few at
// a time, in the listing's order, and the first failure ends the listing.
func TestSpecImagesFanOut(t *testing.T) {
	name := pipeline.ResourceName("prod")
	api := &versionsIB{name: name, n: 12}
	builds, err := pipeline.SpecImages(t.Context(), api, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(builds) != 12 || !strings.HasSuffix(aws.ToString(builds[0].Arn), "/1.0.1/1") || !strings.HasSuffix(aws.ToString(builds[11].Arn), "/1.0.12/1") {
		t.Errorf("builds %d, first %s", len(builds), aws.ToString(builds[0].Arn))
	}
	if got := api.calls.Peak(); got < 2 || got > 4 {
		t.Errorf("%d lists at once, want between 2 and 4", got)
	}

	api = &versionsIB{name: name, n: 12, failing: 1}
	_, err = pipeline.SpecImages(t.Context(), api, "prod")
	if err == nil || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Errorf("err = %v, want the first failure", err)
	}
	if got := api.calls.Calls(); got > 4 {
		t.Errorf("%d lists after the first failed, want at most the 4 in flight", got)
	}
}
