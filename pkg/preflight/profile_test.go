package preflight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// onePerPage lists instance profiles one a page, so that the closest name
// is found only by reading every page.
type onePerPage struct {
	awsapi.IAMAPI
	calls int
}

func (o *onePerPage) ListInstanceProfiles(ctx context.Context, in *iam.ListInstanceProfilesInput, optFns ...func(*iam.Options)) (*iam.ListInstanceProfilesOutput, error) {
	o.calls++
	in.MaxItems = aws.Int32(1)
	return o.IAMAPI.ListInstanceProfiles(ctx, in, optFns...)
}

// A misspelled instance profile names the existing one it is close to,
// rather than suggesting to create the misspelling (issue 10, item 9).
func TestMisspelledProfileSuggestsTheClosest(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	for _, typo := range []string{"winami-buidl", "Winami-Build", "winami-build-no-ecrr"} {
		s, err := spec.Parse("winami.yaml", []byte(specFor(typo, "")))
		if err != nil {
			t.Fatal(err)
		}
		d := preflight.DepsFromClients(awsapi.NewClients(cfg))
		paged := &onePerPage{IAMAPI: d.IAM}
		d.IAM = paged
		rep := preflight.Run(t.Context(), d, s)
		wantName := "winami-build"
		if strings.HasSuffix(typo, "ecrr") {
			wantName = "winami-build-no-ecr"
		}
		c := want(t, rep, preflight.IDInstanceProfile, preflight.Fail, "", "set build.instanceProfile: "+wantName)
		if !strings.Contains(c.Detail, "did you mean "+wantName+"?") || strings.Contains(c.Fix, "create-instance-profile") {
			t.Errorf("%s: %q / %q", typo, c.Detail, c.Fix)
		}
		if paged.calls < 3 {
			t.Errorf("%s: %d pages read", typo, paged.calls)
		}
	}
	// Nothing close: the fix creates it.
	rep := run(t, cfg, specFor("nope", ""))
	c := want(t, rep, preflight.IDInstanceProfile, preflight.Fail, "", "aws iam create-instance-profile --instance-profile-name nope")
	if strings.Contains(c.Detail, "did you mean") {
		t.Errorf("detail %q", c.Detail)
	}
}
