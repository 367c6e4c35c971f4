package ssm_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// put writes value to name, creating it on the first call.
func put(t *testing.T, c *ssm.Client, name, value string) int64 {
	t.Helper()
	out, err := c.PutParameter(t.Context(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("PutParameter %s = %s: %v", name, value, err)
	}
	return out.Version
}

func history(t *testing.T, c *ssm.Client, name string, pageSize int32) []types.ParameterHistory {
	t.Helper()
	var all []types.ParameterHistory
	p := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String(name), MaxResults: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Parameters) > int(pageSize) {
			t.Fatalf("a page of %d entries, asked for at most %d", len(page.Parameters), pageSize)
		}
		all = append(all, page.Parameters...)
	}
	return all
}

func errCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestHistoryPagesThroughEveryVersionOldestFirst(t *testing.T) {
	srv, c := start(t)
	var user string
	_ = srv.Store().View(func(w *world.World) error { user = w.CallerARN(w.AccountID, "us-east-1"); return nil })
	for i := 1; i <= 7; i++ {
		if v := put(t, c, "/winami/demo/stable", fmt.Sprintf("ami-%017d", i)); v != int64(i) {
			t.Fatalf("write %d made version %d", i, v)
		}
	}
	h := history(t, c, "/winami/demo/stable", 3)
	if len(h) != 7 {
		t.Fatalf("history has %d versions, want 7", len(h))
	}
	for i, e := range h {
		if e.Version != int64(i+1) || aws.ToString(e.Value) != fmt.Sprintf("ami-%017d", i+1) {
			t.Errorf("entry %d = version %d %s", i, e.Version, aws.ToString(e.Value))
		}
		if got := aws.ToString(e.LastModifiedUser); got != user || user == "" {
			t.Errorf("entry %d LastModifiedUser = %q, want the caller %q", i, got, user)
		}
	}
	// An old version stays readable by selector.
	old, err := c.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/winami/demo/stable:2")})
	if err != nil || aws.ToString(old.Parameter.Value) != fmt.Sprintf("ami-%017d", 2) || old.Parameter.Version != 2 {
		t.Fatalf("GetParameter :2 = %+v, %v", old, err)
	}
	if _, err := c.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/winami/demo/stable:9")}); errCode(err) != "ParameterVersionNotFound" {
		t.Fatalf("GetParameter of a version never written: %v, want ParameterVersionNotFound", err)
	}
	for _, bad := range []int32{0, 51} {
		_, err := c.GetParameterHistory(t.Context(), &ssm.GetParameterHistoryInput{Name: aws.String("/winami/demo/stable"), MaxResults: aws.Int32(bad)})
		if errCode(err) != "ValidationException" {
			t.Errorf("MaxResults %d: %v, want ValidationException", bad, err)
		}
	}
	_, err = c.GetParameterHistory(t.Context(), &ssm.GetParameterHistoryInput{Name: aws.String("/winami/demo/other"), NextToken: aws.String(encodeForeignToken())})
	if errCode(err) != "InvalidNextToken" {
		t.Errorf("a token of another parameter: %v, want InvalidNextToken", err)
	}
	if _, err := c.GetParameterHistory(t.Context(), &ssm.GetParameterHistoryInput{Name: aws.String("/winami/nothing")}); errCode(err) != "ParameterNotFound" {
		t.Errorf("history of a missing parameter: %v, want ParameterNotFound", err)
	}
}

// encodeForeignToken is a token the sandbox issued for another parameter.
func encodeForeignToken() string { return "MjovZm9v" } // "2:/foo"

func TestLabelsMoveSelectAndLimit(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	const name = "/winami/demo/stable"
	for i := 1; i <= 3; i++ {
		put(t, c, name, fmt.Sprintf("ami-%017d", i))
	}
	out, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{
		Name: aws.String(name), ParameterVersion: aws.Int64(1), Labels: []string{"release-1", "aws-nope", "9lives", "bad label", "SSMx"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ParameterVersion != 1 || !slices.Equal(out.InvalidLabels, []string{"aws-nope", "9lives", "bad label", "SSMx"}) {
		t.Fatalf("LabelParameterVersion = version %d, invalid %v", out.ParameterVersion, out.InvalidLabels)
	}
	// Without a version the current one is labelled; the label moves there.
	out, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), Labels: []string{"release-1"}})
	if err != nil || out.ParameterVersion != 3 {
		t.Fatalf("label of the current version = %+v, %v", out, err)
	}
	h := history(t, c, name, 50)
	if len(h[0].Labels) != 0 || !slices.Equal(h[2].Labels, []string{"release-1"}) {
		t.Fatalf("after the move: v1 %v, v3 %v", h[0].Labels, h[2].Labels)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name + ":release-1")})
	if err != nil || got.Parameter.Version != 3 || aws.ToString(got.Parameter.Selector) != ":release-1" {
		t.Fatalf("GetParameter :release-1 = %+v, %v", got, err)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name + ":nolabel")}); errCode(err) != "ParameterNotFound" {
		t.Fatalf("a label on no version: %v, want ParameterNotFound", err)
	}
	// Ten labels fit on a version; the eleventh does not, and nothing changes.
	var ten []string
	for i := range 9 {
		ten = append(ten, fmt.Sprintf("l%d", i))
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(3), Labels: ten}); err != nil {
		t.Fatal(err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(3), Labels: []string{"one-more"}})
	var limit *types.ParameterVersionLabelLimitExceeded
	if !errors.As(err, &limit) {
		t.Fatalf("an eleventh label: %v, want ParameterVersionLabelLimitExceeded", err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(7), Labels: []string{"x"}})
	var notFound *types.ParameterVersionNotFound
	if !errors.As(err, &notFound) {
		t.Fatalf("labelling a version that does not exist: %v, want ParameterVersionNotFound", err)
	}
	un, err := c.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{
		Name: aws.String(name), ParameterVersion: aws.Int64(3), Labels: []string{"release-1", "never-there"},
	})
	if err != nil || !slices.Equal(un.RemovedLabels, []string{"release-1"}) || !slices.Equal(un.InvalidLabels, []string{"never-there"}) {
		t.Fatalf("UnlabelParameterVersion = %+v, %v", un, err)
	}
	long := make([]byte, 101)
	for i := range long {
		long[i] = 'a'
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), Labels: []string{string(long)}}); errCode(err) != "ValidationException" {
		t.Fatalf("a label of 101 characters: %v, want ValidationException", err)
	}
}

func TestHundredVersionsDropTheOldestUnlessLabelled(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	const name = "/winami/demo/candidate"
	for i := 1; i <= 100; i++ {
		put(t, c, name, fmt.Sprintf("ami-%017d", i))
	}
	if v := put(t, c, name, "ami-00000000000000101"); v != 101 {
		t.Fatalf("version %d, want 101", v)
	}
	h := history(t, c, name, 50)
	if len(h) != 100 || h[0].Version != 2 || h[99].Version != 101 {
		t.Fatalf("after 101 writes the history is %d versions, %d..%d; want 100, 2..101", len(h), h[0].Version, h[len(h)-1].Version)
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String(name), ParameterVersion: aws.Int64(2), Labels: []string{"stable"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("ami-00000000000000102"), Overwrite: aws.Bool(true)})
	var max *types.ParameterMaxVersionLimitExceeded
	if !errors.As(err, &max) {
		t.Fatalf("a write with the oldest version labelled: %v, want ParameterMaxVersionLimitExceeded", err)
	}
	cur, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if err != nil || cur.Parameter.Version != 101 {
		t.Fatalf("the refused write changed the parameter: %+v, %v", cur, err)
	}
}

func TestDenyFaultFailsOneRegionsWrites(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }, Faults: "deny=ssm:PutParameter@eu-west-1"})
	c := ssm.NewFromConfig(cfg)
	in := &ssm.PutParameterInput{Name: aws.String("/winami/demo/stable"), Value: aws.String("ami-0123456789abcdef0"), Type: types.ParameterTypeString}
	if _, err := c.PutParameter(t.Context(), in, inRegion("us-east-1")); err != nil {
		t.Fatalf("us-east-1: %v", err)
	}
	_, err := c.PutParameter(t.Context(), in, inRegion("eu-west-1"))
	if errCode(err) != "AccessDeniedException" {
		t.Fatalf("eu-west-1: %v, want AccessDeniedException", err)
	}
	// AWS's words for a denial name the caller's ARN, not the region.
	sandboxtest.WantAPIError(t, err, "AccessDeniedException",
		"User: arn:aws:iam::111122223333:user/sandbox is not authorized to perform: ssm:PutParameter with an explicit deny in a service control policy")
	if n := srv.Faults().Denied(); n != 1 {
		t.Fatalf("denied %d requests, want 1 (no retries of a denial)", n)
	}
	if _, err := c.GetParameter(t.Context(), &ssm.GetParameterInput{Name: in.Name}, inRegion("eu-west-1")); errCode(err) != "ParameterNotFound" {
		t.Fatalf("the denied write left something in eu-west-1: %v", err)
	}
}
