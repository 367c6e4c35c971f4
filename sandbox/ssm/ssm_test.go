package ssm_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var clock = time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC)

const (
	key2022Core135 = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35"
	windowsLatest  = "/aws/service/ami-windows-latest"
)

func start(t *testing.T) (*sandbox.Server, *ssm.Client) {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }})
	return srv, ssm.NewFromConfig(cfg)
}

func inRegion(region string) func(*ssm.Options) {
	return func(o *ssm.Options) { o.Region = region }
}

// newestAMI is the world's newest AMI of a key's AMI name prefix in a region.
func newestAMI(t *testing.T, srv *sandbox.Server, region, prefix string) *world.Image {
	t.Helper()
	var best *world.Image
	_ = srv.Store().View(func(w *world.World) error {
		for _, img := range w.Region(region).Images {
			if strings.HasPrefix(img.Name, prefix+"-") && (best == nil || img.Name > best.Name) {
				c := *img
				best = &c
			}
		}
		return nil
	})
	if best == nil {
		t.Fatalf("no AMI named %s-* in %s", prefix, region)
	}
	return best
}

func TestGetParameterPublic(t *testing.T) {
	ctx := t.Context()
	srv, c := start(t)
	for _, region := range []string{"us-east-1", "ap-south-1"} {
		out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(key2022Core135 + "/image_id")}, inRegion(region))
		if err != nil {
			t.Fatal(err)
		}
		p := out.Parameter
		want := newestAMI(t, srv, region, "Windows_Server-2022-English-Core-EKS_Optimized-1.35")
		if aws.ToString(p.Value) != want.ImageID {
			t.Errorf("%s: image_id = %s, want %s (%s)", region, aws.ToString(p.Value), want.ImageID, want.Name)
		}
		if got := aws.ToString(p.ARN); got != "arn:aws:ssm:"+region+"::parameter"+key2022Core135+"/image_id" {
			t.Errorf("ARN = %s", got)
		}
		if aws.ToString(p.DataType) != "aws:ec2:image" || p.Type != types.ParameterTypeString || p.Version < 1 ||
			p.LastModifiedDate == nil || p.LastModifiedDate.Before(want.CreationDate) {
			t.Errorf("parameter %+v", p)
		}
	}
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(key2022Core135)})
	if err != nil {
		t.Fatal(err)
	}
	want := newestAMI(t, srv, "us-east-1", "Windows_Server-2022-English-Core-EKS_Optimized-1.35")
	doc := fmt.Sprintf(`{"image_id":"%s","image_name":"%s","release_version":"1.35-2026.11.11"}`, want.ImageID, want.Name)
	if got := aws.ToString(out.Parameter.Value); got != doc {
		t.Errorf("release document\n got %s\nwant %s", got, doc)
	}
}

func TestGetParameterErrors(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	_, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(windowsLatest + "/Windows_Server-2025-English-Core-EKS_Optimized-1.31/image_id")})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want ParameterNotFound", err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/has space")})
	sandboxtest.WantAPIError(t, err, "ValidationException", `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`)
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(key2022Core135 + "/image_id:1")})
	sandboxtest.WantAPIError(t, err, "ParameterVersionNotFound", "")
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(key2022Core135)}, inRegion("us-east-2"))
	sandboxtest.WantAPIError(t, err, "UnrecognizedClientException", "")
}

func TestGetParameters(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	names := []string{key2022Core135 + "/image_id", "/nope", key2022Core135 + "/image_id", "bad name", key2022Core135}
	out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Parameters) != 2 || strings.Join(out.InvalidParameters, ",") != "/nope,bad name" {
		t.Errorf("got %d parameters, invalid %v", len(out.Parameters), out.InvalidParameters)
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("/p%d", i)
	}
	_, err = c.GetParameters(ctx, &ssm.GetParametersInput{Names: eleven})
	sandboxtest.WantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value '[/p0, /p1, /p2, /p3, /p4, /p5, /p6, /p7, /p8, /p9, /p10]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10")
}

// pathNames pages through GetParametersByPath by hand, checking each page.
func pathNames(t *testing.T, c *ssm.Client, path string, recursive bool, pageSize int32) []string {
	t.Helper()
	var names []string
	seen := map[string]bool{}
	var token *string
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		out, err := c.GetParametersByPath(t.Context(), &ssm.GetParametersByPathInput{
			Path: aws.String(path), Recursive: aws.Bool(recursive), MaxResults: aws.Int32(pageSize), NextToken: token,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Parameters) > int(pageSize) {
			t.Fatalf("page of %d, limit %d", len(out.Parameters), pageSize)
		}
		for _, p := range out.Parameters {
			n := aws.ToString(p.Name)
			if seen[n] {
				t.Fatalf("%s returned twice", n)
			}
			seen[n] = true
			names = append(names, n)
		}
		if out.NextToken == nil {
			return names
		}
		token = out.NextToken
	}
}

func TestGetParametersByPathPaging(t *testing.T) {
	_, c := start(t)
	// 28 EKS keys with /image_id beneath each, and 6 Windows Base parameters.
	all := pathNames(t, c, windowsLatest, true, 10)
	if len(all) != 28*2+6 {
		t.Errorf("recursive: %d parameters, want %d", len(all), 28*2+6)
	}
	if again := pathNames(t, c, windowsLatest+"/", true, 7); len(again) != len(all) {
		t.Errorf("with trailing slash and pages of 7: %d parameters, want %d", len(again), len(all))
	}
	one := pathNames(t, c, windowsLatest, false, 10)
	if len(one) != 28+6 {
		t.Errorf("one level: %d parameters, want %d", len(one), 28+6)
	}
	for _, n := range one {
		if strings.HasSuffix(n, "/image_id") {
			t.Errorf("one-level query returned %s", n)
		}
	}
	regions := pathNames(t, c, "/aws/service/global-infrastructure/regions", false, 10)
	if len(regions) != 7 {
		t.Errorf("regions one level: %v", regions)
	}
	if deep := pathNames(t, c, "/aws/service/global-infrastructure/regions", true, 10); len(deep) != 14 {
		t.Errorf("regions recursive: %d, want codes and longNames (14)", len(deep))
	}
	// The SDK's paginator reaches the same count.
	p := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), Recursive: aws.Bool(true)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Parameters)
	}
	if n != len(all) {
		t.Errorf("paginator saw %d, want %d", n, len(all))
	}
}

func TestGetParametersByPathErrors(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	_, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), MaxResults: aws.Int32(11)})
	sandboxtest.WantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10")
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), MaxResults: aws.Int32(0)})
	sandboxtest.WantAPIError(t, err, "ValidationException", "")
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("aws/service")})
	sandboxtest.WantAPIError(t, err, "ValidationException", `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`)
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), NextToken: aws.String("garbage")})
	var bad *types.InvalidNextToken
	if !errors.As(err, &bad) {
		t.Fatalf("got %v, want InvalidNextToken", err)
	}
	// A token of one query does not resume another.
	out, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), MaxResults: aws.Int32(5)})
	if err != nil || out.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest), Recursive: aws.Bool(true), NextToken: out.NextToken})
	if !errors.As(err, &bad) {
		t.Fatalf("got %v, want InvalidNextToken", err)
	}
	_, err = c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String(windowsLatest),
		ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"x"}}}})
	var badKey *types.InvalidFilterKey
	if !errors.As(err, &badKey) {
		t.Fatalf("got %v, want InvalidFilterKey", err)
	}
}

func TestAccountParametersStayOutOfPublicPaths(t *testing.T) {
	_, c := start(t)
	root := pathNames(t, c, "/", true, 10)
	if strings.Join(root, ",") != "/winami/demo/image_id" {
		t.Errorf("account's parameters under /: %v", root)
	}
}

func TestPutGetOverwriteDelete(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	name := aws.String("/winami/test/pinned")
	put, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: aws.String("ami-0123456789abcdef0"),
		Type: types.ParameterTypeString, DataType: aws.String("aws:ec2:image")})
	if err != nil {
		t.Fatal(err)
	}
	if put.Version != 1 || put.Tier != types.ParameterTierStandard {
		t.Errorf("put: %+v", put)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	p := got.Parameter
	if aws.ToString(p.Value) != "ami-0123456789abcdef0" || aws.ToString(p.DataType) != "aws:ec2:image" ||
		aws.ToString(p.ARN) != "arn:aws:ssm:us-east-1:111122223333:parameter/winami/test/pinned" ||
		!p.LastModifiedDate.Equal(clock) {
		t.Errorf("got %+v", p)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: aws.String("x"), Type: types.ParameterTypeString})
	var exists *types.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("got %v, want ParameterAlreadyExists", err)
	}
	put, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: aws.String("ami-0fedcba9876543210"), Overwrite: aws.Bool(true)})
	if err != nil || put.Version != 2 {
		t.Fatalf("overwrite: %+v, %v", put, err)
	}
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/winami/test/pinned:2")})
	if err != nil || aws.ToString(got.Parameter.Value) != "ami-0fedcba9876543210" || got.Parameter.Version != 2 ||
		got.Parameter.Type != types.ParameterTypeString || aws.ToString(got.Parameter.Selector) != ":2" {
		t.Fatalf("after overwrite: %+v, %v", got, err)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: name}, inRegion("eu-west-1")); err == nil {
		t.Error("a us-east-1 parameter is visible in eu-west-1")
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: name})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("after delete: %v", err)
	}
	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: name})
	if !errors.As(err, &nf) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestPutValidation(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	put := func(name string) error {
		_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: types.ParameterTypeString})
		return err
	}
	sandboxtest.WantAPIError(t, put("/aws/service/ami-windows-latest/mine"), "AccessDeniedException",
		"No access to reserved parameter name: aws/service/ami-windows-latest/mine.")
	sandboxtest.WantAPIError(t, put("/AWS-tools/x"), "AccessDeniedException", "No access to reserved parameter name: AWS-tools/x.")
	sandboxtest.WantAPIError(t, put("awsLimits"), "AccessDeniedException", "No access to reserved parameter name: awsLimits.")
	sandboxtest.WantAPIError(t, put("/SSM/x"), "ValidationException", "")
	sandboxtest.WantAPIError(t, put("relative/path"), "ValidationException", "")
	sandboxtest.WantAPIError(t, put("/a/b@c"), "ValidationException", "")
	sandboxtest.WantAPIError(t, put("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16"), "HierarchyLevelLimitExceededException", "")
	if err := put("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15"); err != nil {
		t.Errorf("15 levels: %v", err)
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/no/type"), Value: aws.String("v")})
	sandboxtest.WantAPIError(t, err, "ValidationException", "A parameter type is required when you create a parameter.")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/big"), Value: aws.String(strings.Repeat("x", 4097)), Type: types.ParameterTypeString})
	sandboxtest.WantAPIError(t, err, "ValidationException", "")
	_, err = c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(key2022Core135 + "/image_id")})
	sandboxtest.WantAPIError(t, err, "AccessDeniedException", "")
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(key2022Core135 + "/image_id")}); err != nil {
		t.Errorf("public parameter gone after a refused delete: %v", err)
	}
}

func TestSecureString(t *testing.T) {
	ctx := t.Context()
	_, c := start(t)
	name := aws.String("/winami/secret")
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: name, Value: aws.String("s3cr3t"), Type: types.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	enc, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: name})
	if err != nil || strings.Contains(aws.ToString(enc.Parameter.Value), "s3cr3t") {
		t.Fatalf("without decryption: %+v, %v", enc, err)
	}
	dec, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: name, WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(dec.Parameter.Value) != "s3cr3t" {
		t.Fatalf("with decryption: %+v, %v", dec, err)
	}
}

func TestPutPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	opts := sandbox.Options{Seed: 1, StatePath: path, Now: func() time.Time { return clock }}
	first, cfg := sandboxtest.Start(t, opts)
	name := aws.String("/winami/persisted")
	if _, err := ssm.NewFromConfig(cfg).PutParameter(t.Context(), &ssm.PutParameterInput{Name: name, Value: aws.String("kept"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	// A state file is one sandbox's at a time: stop the first, as a restart does.
	if err := first.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, cfg2 := sandboxtest.Start(t, opts)
	out, err := ssm.NewFromConfig(cfg2).GetParameter(context.WithoutCancel(t.Context()), &ssm.GetParameterInput{Name: name})
	if err != nil || aws.ToString(out.Parameter.Value) != "kept" {
		t.Fatalf("after restart: %+v, %v", out, err)
	}
}
