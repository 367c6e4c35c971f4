package preflight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/preflight"
	"github.com/winami/winami/pkg/spec"
	"github.com/winami/winami/test/hostile"
)

// TestPreflightAgainstEmptyReplies: an endpoint whose replies parse but
// hold nothing makes checks fail or warn with the reason, never panic.
func TestPreflightAgainstEmptyReplies(t *testing.T) {
	url := hostile.Empty(t)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	s, err := spec.Parse("w.yaml", []byte("apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: x\nregion: us-east-1\nbase: {windows: 2022, edition: core}\nkubernetes: {version: \"1.35\"}\nbuild: {instanceProfile: winami-build}\ndistribution: {regions: [us-east-1, eu-west-1], fastLaunch: {enabled: true}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := preflight.DepsFromClients(awsapi.NewClients(cfg))
	rep := preflight.Run(t.Context(), d, s)
	if !rep.Failed() {
		t.Errorf("preflight passed against an endpoint that answers nothing: %+v", rep.Checks)
	}
	// Past the identity check too: a caller read from a complete reply,
	// then every other check against empty ones.
	d.STS = fixedCaller{}
	rep = preflight.Run(t.Context(), d, s)
	if !rep.Failed() {
		t.Errorf("preflight passed against an endpoint that answers nothing: %+v", rep.Checks)
	}
	for _, c := range rep.Checks {
		t.Logf("%s %s: %s", c.Status, c.ID, c.Detail)
		switch {
		case c.ID == "instance-profile", c.ID == "slr-imagebuilder", c.ID == "slr-fastlaunch", strings.HasPrefix(c.ID, "region:"):
			if c.Status == preflight.Pass {
				t.Errorf("%s passed on an empty reply: %s", c.ID, c.Detail)
			}
		}
	}
}

// fixedCaller answers GetCallerIdentity as STS does for the sandbox user.
type fixedCaller struct{}

func (fixedCaller) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String("111122223333"), Arn: aws.String("arn:aws:iam::111122223333:user/sandbox"), UserId: aws.String("AIDA")}, nil
}
