package ec2_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/smithy-go/middleware"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const copyPace = 30 * time.Second

// copyEnv is a sandbox with a movable clock and a known copy pace.
type copyEnv struct {
	srv   *sandbox.Server
	cfg   aws.Config
	c     *ec2.Client
	clock *sandboxtest.Clock
}

func startCopy(t *testing.T) *copyEnv {
	t.Helper()
	clk := sandboxtest.NewClock(clock)
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now, CopyPace: copyPace})
	return &copyEnv{srv: srv, cfg: cfg, c: ec2.NewFromConfig(cfg), clock: clk}
}

// eksAMI is the ID of the seeded EKS optimized AMI of a release in a region.
func (e *copyEnv) eksAMI(t *testing.T, region, release string) string {
	t.Helper()
	var id string
	_ = e.srv.Store().View(func(w *world.World) error {
		for _, img := range w.Region(region).Images {
			if img.Name == key135+"-"+release {
				id = img.ImageID
			}
		}
		return nil
	})
	if id == "" {
		t.Fatalf("no %s-%s in %s", key135, release, region)
	}
	return id
}

func (e *copyEnv) image(t *testing.T, region, id string) types.Image {
	t.Helper()
	imgs := describe(t, e.c, &ec2.DescribeImagesInput{ImageIds: []string{id}, IncludeDisabled: aws.Bool(true)}, inRegion(region))
	if len(imgs) != 1 {
		t.Fatalf("DescribeImages %s in %s: %d images", id, region, len(imgs))
	}
	return imgs[0]
}

// noValidation lets a request the SDK would refuse reach the sandbox.
func noValidation(o *ec2.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// A copy of Amazon's public EKS AMI into another region is the caller's own
// private AMI, pending until the copy pace has passed, with new snapshots and
// its source recorded.
func TestCopyImageGoesPendingThenAvailable(t *testing.T) {
	e := startCopy(t)
	src := e.eksAMI(t, "us-east-1", "2026.10.14")
	out, err := e.c.CopyImage(t.Context(), &ec2.CopyImageInput{
		Name: aws.String("eks-1.35-2026.10.14"), Description: aws.String("pinned parent"),
		SourceImageId: aws.String(src), SourceRegion: aws.String("us-east-1"),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeImage, Tags: []types.Tag{{Key: aws.String("winami:release"), Value: aws.String("2026.10.14")}}},
			{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}},
		},
	}, inRegion("us-west-2"))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ImageId)
	source := e.image(t, "us-east-1", src)
	got := e.image(t, "us-west-2", id)
	switch {
	case id == src || !strings.HasPrefix(id, "ami-0"):
		t.Errorf("copy ID %s (source %s)", id, src)
	case got.State != types.ImageStatePending:
		t.Errorf("state %s right after the copy, want pending", got.State)
	case aws.ToString(got.OwnerId) != world.DefaultAccountID || aws.ToBool(got.Public) || got.ImageOwnerAlias != nil:
		t.Errorf("owner %s alias %v public %v, want the caller's private AMI", aws.ToString(got.OwnerId), got.ImageOwnerAlias, aws.ToBool(got.Public))
	case aws.ToString(got.SourceImageId) != src || aws.ToString(got.SourceImageRegion) != "us-east-1":
		t.Errorf("source %s in %s, want %s in us-east-1", aws.ToString(got.SourceImageId), aws.ToString(got.SourceImageRegion), src)
	case aws.ToString(got.Name) != "eks-1.35-2026.10.14" || aws.ToString(got.Description) != "pinned parent":
		t.Errorf("name %q description %q", aws.ToString(got.Name), aws.ToString(got.Description))
	case got.DeprecationTime != nil:
		t.Errorf("the copy is deprecated at %s; a copy has no deprecation of its own", aws.ToString(got.DeprecationTime))
	case got.Platform != source.Platform || aws.ToString(got.PlatformDetails) != aws.ToString(source.PlatformDetails):
		t.Errorf("platform %s/%s, want the source's", got.Platform, aws.ToString(got.PlatformDetails))
	case len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "winami:release":
		t.Errorf("tags %v, want the image tag only", got.Tags)
	}
	if len(got.BlockDeviceMappings) != 1 || aws.ToString(got.BlockDeviceMappings[0].Ebs.SnapshotId) == aws.ToString(source.BlockDeviceMappings[0].Ebs.SnapshotId) {
		t.Errorf("the copy's snapshots %v are not new", got.BlockDeviceMappings)
	}
	pending := describe(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("state", "pending")}}, inRegion("us-west-2"))
	if len(pending) != 1 || aws.ToString(pending[0].ImageId) != id {
		t.Errorf("state=pending filter: %v", names(pending))
	}

	e.clock.Advance(copyPace - time.Second)
	if st := e.image(t, "us-west-2", id).State; st != types.ImageStatePending {
		t.Errorf("state %s before the pace has passed", st)
	}
	e.clock.Advance(time.Second)
	if st := e.image(t, "us-west-2", id).State; st != types.ImageStateAvailable {
		t.Errorf("state %s once the pace has passed, want available", st)
	}
	available := describe(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("state", "available")}}, inRegion("us-west-2"))
	if !slices.ContainsFunc(available, func(img types.Image) bool { return aws.ToString(img.ImageId) == id }) {
		t.Errorf("state=available filter leaves the finished copy out: %v", names(available))
	}
	// The SDK's waiter sees it too.
	w := ec2.NewImageAvailableWaiter(e.c, func(o *ec2.ImageAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = time.Millisecond, time.Millisecond })
	if err := w.Wait(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{id}}, time.Second, func(o *ec2.ImageAvailableWaiterOptions) {
		o.ClientOptions = append(o.ClientOptions, inRegion("us-west-2"))
	}); err != nil {
		t.Fatal(err)
	}
}

// The same client token gets the same copy; reused with other parameters it
// is refused.
func TestCopyImageClientTokenIsIdempotent(t *testing.T) {
	e := startCopy(t)
	in := &ec2.CopyImageInput{
		Name: aws.String("pinned"), SourceImageId: aws.String(e.eksAMI(t, "us-east-1", "2026.09.09")),
		SourceRegion: aws.String("us-east-1"), ClientToken: aws.String("token-1"),
	}
	first, err := e.c.CopyImage(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	again, err := e.c.CopyImage(t.Context(), in)
	if err != nil {
		t.Fatalf("retry with the same token: %v", err)
	}
	if aws.ToString(first.ImageId) != aws.ToString(again.ImageId) {
		t.Errorf("retry made %s, first %s", aws.ToString(again.ImageId), aws.ToString(first.ImageId))
	}
	own := describe(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("name", "pinned")}})
	if len(own) != 1 {
		t.Errorf("%d copies named pinned, want 1", len(own))
	}
	other := *in
	other.Description = aws.String("something else")
	_, err = e.c.CopyImage(t.Context(), &other)
	sandboxtest.WantAPIError(t, err, "IdempotentParameterMismatch", "")
	// Without the token, the name is taken.
	other = *in
	other.ClientToken = aws.String("token-2")
	_, err = e.c.CopyImage(t.Context(), &other)
	sandboxtest.WantAPIError(t, err, "InvalidAMIName.Duplicate", "AMI name pinned is already in use by AMI "+aws.ToString(first.ImageId))
}

func TestCopyImageErrors(t *testing.T) {
	e := startCopy(t)
	src := e.eksAMI(t, "us-east-1", "2026.11.11")
	own, _ := ownImage(t, e.srv)
	var hidden string
	_ = e.srv.Store().View(func(w *world.World) error {
		for id, img := range w.Region("us-east-1").Images {
			if img.OwnerID == world.PartnerAccountID && len(img.LaunchPermissions) == 0 {
				hidden = id
			}
		}
		return nil
	})
	in := func(mod func(*ec2.CopyImageInput)) *ec2.CopyImageInput {
		c := &ec2.CopyImageInput{Name: aws.String("a-copy"), SourceImageId: aws.String(src), SourceRegion: aws.String("us-east-1")}
		mod(c)
		return c
	}
	cases := []struct {
		name string
		in   *ec2.CopyImageInput
		code string
	}{
		{"no name", in(func(c *ec2.CopyImageInput) { c.Name = nil }), "MissingParameter"},
		{"no source", in(func(c *ec2.CopyImageInput) { c.SourceImageId = nil }), "MissingParameter"},
		{"no source region", in(func(c *ec2.CopyImageInput) { c.SourceRegion = nil }), "MissingParameter"},
		{"malformed", in(func(c *ec2.CopyImageInput) { c.SourceImageId = aws.String("ami-nothex") }), "InvalidAMIID.Malformed"},
		{"unknown", in(func(c *ec2.CopyImageInput) { c.SourceImageId = aws.String("ami-0123456789abcdef0") }), "InvalidAMIID.NotFound"},
		{"in another region", in(func(c *ec2.CopyImageInput) { c.SourceRegion = aws.String("eu-west-1") }), "InvalidAMIID.NotFound"},
		{"not shared", in(func(c *ec2.CopyImageInput) { c.SourceImageId = aws.String(hidden) }), "InvalidAMIID.NotFound"},
		{"bad name", in(func(c *ec2.CopyImageInput) { c.Name = aws.String("a*b") }), "InvalidAMIName.Malformed"},
		{"short name", in(func(c *ec2.CopyImageInput) { c.Name = aws.String("ab") }), "InvalidAMIName.Malformed"},
		{"name taken", in(func(c *ec2.CopyImageInput) { c.Name = aws.String("winami-demo-2022-core-1.35-20261115") }), "InvalidAMIName.Duplicate"},
		{"key without encryption", in(func(c *ec2.CopyImageInput) { c.KmsKeyId = aws.String("alias/aws/ebs") }), "InvalidParameterCombination"},
		{"tags on an instance", in(func(c *ec2.CopyImageInput) {
			c.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}
		}), "InvalidParameterValue"},
		{"unknown source region", in(func(c *ec2.CopyImageInput) { c.SourceRegion = aws.String("sa-east-1") }), "InvalidParameterValue"},
	}
	if hidden == "" {
		t.Fatal("the seed has no private partner AMI")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CopyImage(t.Context(), tc.in, noValidation)
			sandboxtest.WantAPIError(t, err, tc.code, "")
		})
	}
	// The account's own AMI copies, with its tags when asked.
	out, err := e.c.CopyImage(t.Context(), in(func(c *ec2.CopyImageInput) {
		c.SourceImageId, c.CopyImageTags, c.Encrypted = aws.String(own), aws.Bool(true), aws.Bool(true)
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := e.image(t, "us-east-1", aws.ToString(out.ImageId))
	if len(got.Tags) != 2 || !aws.ToBool(got.BlockDeviceMappings[0].Ebs.Encrypted) {
		t.Errorf("copy of the own AMI: tags %v, encrypted %v", got.Tags, aws.ToBool(got.BlockDeviceMappings[0].Ebs.Encrypted))
	}
	// Nothing else was made by the refused calls.
	mine := describe(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("name", "a-copy")}})
	if len(mine) != 1 {
		t.Errorf("%d images named a-copy, want the one copy", len(mine))
	}
}

// A pending copy cannot be copied yet, a disabled AMI not at all.
func TestCopyImageRefusesUnavailableSources(t *testing.T) {
	e := startCopy(t)
	out, err := e.c.CopyImage(t.Context(), &ec2.CopyImageInput{
		Name: aws.String("first"), SourceImageId: aws.String(e.eksAMI(t, "us-east-1", "2026.11.11")), SourceRegion: aws.String("us-east-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	first := aws.ToString(out.ImageId)
	second := &ec2.CopyImageInput{Name: aws.String("second"), SourceImageId: aws.String(first), SourceRegion: aws.String("us-east-1")}
	_, err = e.c.CopyImage(t.Context(), second)
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.Unavailable", "")

	e.clock.Advance(copyPace)
	if _, err := e.c.DisableImage(t.Context(), &ec2.DisableImageInput{ImageId: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CopyImage(t.Context(), second)
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.Unavailable", "")

	if _, err := e.c.EnableImage(t.Context(), &ec2.EnableImageInput{ImageId: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CopyImage(t.Context(), second); err != nil {
		t.Fatalf("copy of the re-enabled AMI: %v", err)
	}
	var names []string
	_ = e.srv.Store().View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			if img.OwnerID == w.AccountID {
				names = append(names, img.Name)
			}
		}
		return nil
	})
	slices.Sort(names)
	if strings.Join(names, ",") != "first,second,"+world.BadAMIName+",winami-demo-2022-core-1.35-20261115" {
		t.Errorf("the account's images: %v", names)
	}
}

// Image Builder takes a copy as a recipe's parent once it is available, as
// EC2 shows it, and not while it is pending.
func TestCopyIsAParentOnceAvailable(t *testing.T) {
	e := startCopy(t)
	out, err := e.c.CopyImage(t.Context(), &ec2.CopyImageInput{
		Name: aws.String("parent-copy"), SourceImageId: aws.String(e.eksAMI(t, "us-east-1", "2026.10.14")), SourceRegion: aws.String("us-east-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ib := imagebuilder.NewFromConfig(e.cfg)
	recipe := func(version string) error {
		_, err := ib.CreateImageRecipe(t.Context(), &imagebuilder.CreateImageRecipeInput{
			Name: aws.String("from-copy"), SemanticVersion: aws.String(version), ParentImage: out.ImageId,
		})
		return err
	}
	sandboxtest.WantAPIError(t, recipe("1.0.0"), "InvalidParameterValueException", "")
	e.clock.Advance(copyPace)
	if err := recipe("1.0.1"); err != nil {
		t.Fatalf("a recipe on the available copy: %v", err)
	}
}

// A dry run asks for ec2:CopyImage, which the caller's policy grants and the
// partner's does not, and copies nothing.
func TestCopyImageDryRun(t *testing.T) {
	e := startCopy(t)
	in := &ec2.CopyImageInput{
		Name: aws.String("dry"), SourceImageId: aws.String(e.eksAMI(t, "us-east-1", "2026.10.14")),
		SourceRegion: aws.String("us-east-1"), DryRun: aws.Bool(true),
	}
	_, err := e.c.CopyImage(t.Context(), in)
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "")
	partner := ec2.NewFromConfig(sandboxtest.AsAccount(e.cfg, world.PartnerAccountID))
	_, err = partner.CopyImage(t.Context(), in)
	sandboxtest.WantAPIError(t, err, "UnauthorizedOperation", "")
	if own := describe(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("name", "dry")}}); len(own) != 0 {
		t.Errorf("a dry run copied: %v", names(own))
	}
}
