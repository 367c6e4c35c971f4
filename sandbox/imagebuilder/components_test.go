package imagebuilder_test

import (
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/sandbox/world"
)

func TestCreateAndGetComponent(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	out := try(e.ib.CreateComponent(ctx, &imagebuilder.CreateComponentInput{
		Name: aws.String("Hello World"), SemanticVersion: aws.String("1.2.3"), Platform: types.PlatformWindows,
		Data: aws.String(helloDoc), Description: aws.String("says hello"), ChangeDescription: aws.String("first"),
		KmsKeyId: aws.String("alias/ignored"), Tags: map[string]string{"team": "platform"}, ClientToken: aws.String("tok-1"),
	})).must(t)
	arn := aws.ToString(out.ComponentBuildVersionArn)
	if want := "arn:aws:imagebuilder:us-east-1:111122223333:component/hello-world/1.2.3/1"; arn != want {
		t.Fatalf("ARN %s, want %s", arn, want)
	}
	refs := out.LatestVersionReferences
	base := "arn:aws:imagebuilder:us-east-1:111122223333:component/hello-world/"
	if refs == nil || aws.ToString(refs.LatestVersionArn) != base+"x.x.x" || aws.ToString(refs.LatestMajorVersionArn) != base+"1.x.x" ||
		aws.ToString(refs.LatestMinorVersionArn) != base+"1.2.x" || aws.ToString(refs.LatestPatchVersionArn) != base+"1.2.3" {
		t.Errorf("latestVersionReferences %+v", refs)
	}
	if aws.ToString(out.ClientToken) != "tok-1" || aws.ToString(out.RequestId) == "" {
		t.Errorf("clientToken %q requestId %q", aws.ToString(out.ClientToken), aws.ToString(out.RequestId))
	}

	c := try(e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(arn)})).must(t).Component
	if aws.ToString(c.Name) != "Hello World" || aws.ToString(c.Version) != "1.2.3" || c.Platform != types.PlatformWindows ||
		c.Type != types.ComponentTypeBuild || aws.ToString(c.Owner) != "111122223333" || aws.ToString(c.Data) != helloDoc ||
		aws.ToString(c.Description) != "says hello" || aws.ToString(c.ChangeDescription) != "first" ||
		c.Tags["team"] != "platform" || !aws.ToBool(c.Encrypted) || c.State == nil || c.State.Status != types.ComponentStatusActive {
		t.Errorf("component %+v", c)
	}
	if aws.ToString(c.DateCreated) != "2026-11-28T12:00:00.000Z" {
		t.Errorf("dateCreated %s", aws.ToString(c.DateCreated))
	}
	if len(c.Parameters) != 1 || aws.ToString(c.Parameters[0].Name) != "Greeting" || aws.ToString(c.Parameters[0].Type) != "string" ||
		len(c.Parameters[0].DefaultValue) != 1 || c.Parameters[0].DefaultValue[0] != "hello" {
		t.Errorf("parameters %+v", c.Parameters)
	}

	// A version ARN, with or without wildcards, gets the newest build.
	second := createComponent(t, e, "Hello World", "1.2.3", helloDoc)
	if !strings.HasSuffix(second, "/1.2.3/2") {
		t.Fatalf("same name and version: %s, want build 2 (Image Builder increments component builds)", second)
	}
	for _, ref := range []string{base + "1.2.3", base + "x.x.x", base + "1.x.x"} {
		got := try(e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(ref)})).must(t)
		if aws.ToString(got.Component.Arn) != second {
			t.Errorf("%s resolves to %s, want %s", ref, aws.ToString(got.Component.Arn), second)
		}
	}
	tc := createComponent(t, e, "smoke", "1.0.0", testOnlyDoc)
	if got := try(e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(tc)})).must(t); got.Component.Type != types.ComponentTypeTest {
		t.Errorf("a document with only a test phase is %s, want TEST", got.Component.Type)
	}
}

func TestCreateComponentErrors(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	in := func(mod func(*imagebuilder.CreateComponentInput)) *imagebuilder.CreateComponentInput {
		c := &imagebuilder.CreateComponentInput{Name: aws.String("okay"), SemanticVersion: aws.String("1.0.0"),
			Platform: types.PlatformWindows, Data: aws.String(helloDoc)}
		mod(c)
		return c
	}
	for _, tc := range []struct {
		name string
		mod  func(*imagebuilder.CreateComponentInput)
		code string
	}{
		{"two-part version", func(c *imagebuilder.CreateComponentInput) { c.SemanticVersion = aws.String("1.0") }, "InvalidVersionNumberException"},
		{"wildcard version", func(c *imagebuilder.CreateComponentInput) { c.SemanticVersion = aws.String("1.0.x") }, "InvalidVersionNumberException"},
		{"node over 2^30-1", func(c *imagebuilder.CreateComponentInput) { c.SemanticVersion = aws.String("1.0.1073741824") }, "InvalidVersionNumberException"},
		{"negative node", func(c *imagebuilder.CreateComponentInput) { c.SemanticVersion = aws.String("1.-1.0") }, "InvalidVersionNumberException"},
		{"bad name", func(c *imagebuilder.CreateComponentInput) { c.Name = aws.String("no/slashes") }, "InvalidParameterValueException"},
		{"short name", func(c *imagebuilder.CreateComponentInput) { c.Name = aws.String("a") }, "InvalidParameterValueException"},
		{"S3 uri", func(c *imagebuilder.CreateComponentInput) { c.Data = nil; c.Uri = aws.String("s3://bucket/doc.yaml") }, "InvalidParameterValueException"},
		{"data and uri", func(c *imagebuilder.CreateComponentInput) { c.Uri = aws.String("s3://bucket/doc.yaml") }, "InvalidParameterCombinationException"},
		{"no document", func(c *imagebuilder.CreateComponentInput) { c.Data = nil }, "InvalidParameterValueException"},
		{"too long", func(c *imagebuilder.CreateComponentInput) { c.Data = aws.String(strings.Repeat("#", 16001)) }, "InvalidParameterValueException"},
		{"aws: tag", func(c *imagebuilder.CreateComponentInput) { c.Tags = map[string]string{"aws:x": "y"} }, "InvalidParameterValueException"},
		{"dry run", func(c *imagebuilder.CreateComponentInput) { c.DryRun = true }, "DryRunOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ib.CreateComponent(ctx, in(tc.mod))
			sandboxtest.WantAPIError(t, err, tc.code, "")
		})
	}
	_, err := e.ib.CreateComponent(ctx, in(func(c *imagebuilder.CreateComponentInput) { c.Data = nil; c.Uri = aws.String("s3://b/k") }))
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException",
		"The value supplied for parameter 'uri' is not valid. The sandbox has no Amazon S3 to read 's3://b/k' from: pass the document inline in 'data'.")
	var n int
	_ = e.store.View(func(w *world.World) error {
		for _, c := range w.Region("us-east-1").ImageBuilder.Components {
			if c.Owner == w.AccountID {
				n++
			}
		}
		return nil
	})
	if n != 0 {
		t.Errorf("failed creates left %d components", n)
	}
}

func TestComponentClientToken(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	in := &imagebuilder.CreateComponentInput{Name: aws.String("tok"), SemanticVersion: aws.String("1.0.0"),
		Platform: types.PlatformWindows, Data: aws.String(helloDoc), ClientToken: aws.String("same"), Tags: map[string]string{"a": "1", "b": "2"}}
	first := try(e.ib.CreateComponent(ctx, in)).must(t)
	again := try(e.ib.CreateComponent(ctx, in)).must(t)
	if aws.ToString(first.ComponentBuildVersionArn) != aws.ToString(again.ComponentBuildVersionArn) {
		t.Errorf("a repeated request made %s, then %s", aws.ToString(first.ComponentBuildVersionArn), aws.ToString(again.ComponentBuildVersionArn))
	}
	if aws.ToString(first.RequestId) == aws.ToString(again.RequestId) {
		t.Errorf("the repeat answered the first request's ID")
	}
	builds := try(e.ib.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{
		ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:111122223333:component/tok/1.0.0")})).must(t)
	if len(builds.ComponentSummaryList) != 1 {
		t.Errorf("%d builds after a repeated request, want 1", len(builds.ComponentSummaryList))
	}
	changed := *in
	changed.Description = aws.String("different")
	_, err := e.ib.CreateComponent(ctx, &changed)
	sandboxtest.WantAPIError(t, err, "IdempotentParameterMismatchException", "")
	// A token is forgotten a day later: the same request makes a new build.
	e.clock.Advance(25 * time.Hour)
	later := try(e.ib.CreateComponent(ctx, in)).must(t)
	if !strings.HasSuffix(aws.ToString(later.ComponentBuildVersionArn), "/1.0.0/2") {
		t.Errorf("a day later the token still answers %s", aws.ToString(later.ComponentBuildVersionArn))
	}
	// The token is per operation.
	try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("tok"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String(eksAMI(t, e, "us-east-1").ImageID), ClientToken: aws.String("same")})).must(t)
}

func TestListComponents(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	createComponent(t, e, "alpha", "1.0.0", helloDoc)
	createComponent(t, e, "alpha", "1.0.0", helloDoc)
	createComponent(t, e, "alpha", "1.10.0", helloDoc)
	createComponent(t, e, "alpha", "1.9.0", helloDoc)
	createComponent(t, e, "beta", "2.0.0", testOnlyDoc)

	own := try(e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{})).must(t)
	var got []string
	for _, v := range own.ComponentVersionList {
		got = append(got, aws.ToString(v.Arn))
	}
	base := "arn:aws:imagebuilder:us-east-1:111122223333:component/"
	want := []string{base + "alpha/1.0.0", base + "alpha/1.9.0", base + "alpha/1.10.0", base + "beta/2.0.0"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("own versions\n got %v\nwant %v", got, want)
	}
	byName := try(e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{ByName: true})).must(t)
	if len(byName.ComponentVersionList) != 2 || aws.ToString(byName.ComponentVersionList[0].Version) != "1.10.0" {
		t.Errorf("byName %+v", byName.ComponentVersionList)
	}
	tests := try(e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{
		Filters: []types.Filter{{Name: aws.String("type"), Values: []string{"TEST"}}}})).must(t)
	if len(tests.ComponentVersionList) != 1 || aws.ToString(tests.ComponentVersionList[0].Name) != "beta" {
		t.Errorf("type=TEST %+v", tests.ComponentVersionList)
	}

	// Amazon's: every eks-optimized-ami-windows version, and by name the newest.
	eks := try(e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipAmazon,
		Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"eks-optimized-ami-windows"}}}})).must(t)
	if len(eks.ComponentVersionList) != len(world.EKSComponentVersions()) {
		t.Errorf("%d eks-optimized-ami-windows versions, want %d", len(eks.ComponentVersionList), len(world.EKSComponentVersions()))
	}
	for _, v := range eks.ComponentVersionList {
		if aws.ToString(v.Owner) != "Amazon" || !strings.HasPrefix(aws.ToString(v.Arn), "arn:aws:imagebuilder:us-east-1:aws:component/eks-optimized-ami-windows/1.3") {
			t.Errorf("managed component %+v", v)
		}
	}
	names := try(e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipAmazon, ByName: true})).must(t)
	latest := map[string]string{}
	for _, v := range names.ComponentVersionList {
		latest[aws.ToString(v.Name)] = aws.ToString(v.Version)
	}
	if latest["eks-optimized-ami-windows"] != "1.36.1" || latest["update-windows"] != "1.0.3" || latest["reboot-windows"] != "1.0.1" {
		t.Errorf("Amazon's by name: %v", latest)
	}
	// The newest patch of a Kubernetes minor through a wildcard ARN.
	c := try(e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{
		ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:component/eks-optimized-ami-windows/1.35.x")})).must(t)
	if aws.ToString(c.Component.Arn) != "arn:aws:imagebuilder:us-east-1:aws:component/eks-optimized-ami-windows/1.35.2/1" ||
		!strings.Contains(aws.ToString(c.Component.Data), "v1.35.2") {
		t.Errorf("1.35.x resolved to %s", aws.ToString(c.Component.Arn))
	}

	_, err := e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{Filters: []types.Filter{{Name: aws.String("color"), Values: []string{"red"}}}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
	_, err = e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{MaxResults: aws.Int32(26)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
	_, err = e.ib.ListComponents(ctx, &imagebuilder.ListComponentsInput{NextToken: aws.String("garbage")})
	sandboxtest.WantAPIError(t, err, "InvalidPaginationTokenException", "")
}

func TestListComponentsPaging(t *testing.T) {
	e := start(t)
	seen := map[string]bool{}
	pages := 0
	p := imagebuilder.NewListComponentsPaginator(e.ib, &imagebuilder.ListComponentsInput{Owner: types.OwnershipAmazon, MaxResults: aws.Int32(4)})
	for p.HasMorePages() {
		page := try(p.NextPage(t.Context())).must(t)
		pages++
		if len(page.ComponentVersionList) > 4 {
			t.Fatalf("page of %d", len(page.ComponentVersionList))
		}
		for _, v := range page.ComponentVersionList {
			if seen[aws.ToString(v.Arn)] {
				t.Errorf("%s on two pages", aws.ToString(v.Arn))
			}
			seen[aws.ToString(v.Arn)] = true
		}
	}
	want := len(world.EKSComponentVersions()) + 4 // update-windows and reboot-windows, two versions each
	if len(seen) != want || pages != (want+3)/4 {
		t.Errorf("%d versions in %d pages, want %d in %d", len(seen), pages, want, (want+3)/4)
	}
}

func TestDeleteComponent(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	arn := createComponent(t, e, "used", "1.0.0", helloDoc)
	other := createComponent(t, e, "unused", "1.0.0", helloDoc)
	try(e.ib.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("rec"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String(eksAMI(t, e, "us-east-1").ImageID),
		Components:  []types.ComponentConfiguration{{ComponentArn: aws.String(strings.TrimSuffix(arn, "/1"))}}})).must(t)
	_, err := e.ib.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(arn)})
	sandboxtest.WantAPIError(t, err, "ResourceDependencyException",
		"Resource dependency error: The resource ARN '"+arn+"' has other resources depended on it.")
	out := try(e.ib.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(other)})).must(t)
	if aws.ToString(out.ComponentBuildVersionArn) != other {
		t.Errorf("deleted %s", aws.ToString(out.ComponentBuildVersionArn))
	}
	_, err = e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(other)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "The resource ARN '"+other+"' cannot be found.")
	_, err = e.ib.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(other)})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{
		ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:aws:component/update-windows/1.0.3/1")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = e.ib.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String("not-an-arn")})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValueException", "")
	// A component of another region is not this region's.
	_, err = e.ib.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(arn)}, inRegion("eu-west-1"))
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
}
