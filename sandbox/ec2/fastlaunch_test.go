package ec2_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

const pace = 10 * time.Second

// flEnv is a sandbox with a movable clock and the AMIs Fast Launch tests use.
type flEnv struct {
	srv     *sandbox.Server
	cfg     aws.Config
	c       *ec2.Client
	clock   *sandboxtest.Clock
	own     string // the caller's demo AMI, shared with the partner
	shared  string // the partner's AMI shared with the caller
	amazon  string // one of Amazon's public EKS AMIs
	partner *ec2.Client
}

func startFastLaunch(t *testing.T) *flEnv {
	t.Helper()
	clk := sandboxtest.NewClock(clock)
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: clk.Now, FastLaunchPace: pace})
	e := &flEnv{srv: srv, cfg: cfg, c: ec2.NewFromConfig(cfg), clock: clk,
		partner: ec2.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))}
	e.own, _ = ownImage(t, srv)
	_ = srv.Store().View(func(w *world.World) error {
		for id, img := range w.Region("us-east-1").Images {
			switch {
			case img.OwnerID == world.PartnerAccountID && slices.Contains(img.LaunchPermissions, w.AccountID):
				e.shared = id
			case img.OwnerID == world.AmazonWindowsOwnerID && img.Public && e.amazon == "":
				e.amazon = id
			}
		}
		return nil
	})
	if e.shared == "" || e.amazon == "" {
		t.Fatal("the seed lacks a shared or an Amazon AMI in us-east-1")
	}
	return e
}

func (e *flEnv) describe(t *testing.T, c *ec2.Client, in *ec2.DescribeFastLaunchImagesInput) []types.DescribeFastLaunchImagesSuccessItem {
	t.Helper()
	out, err := c.DescribeFastLaunchImages(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.FastLaunchImages
}

func (e *flEnv) hasRole(t *testing.T, account, role string) bool {
	t.Helper()
	var ok bool
	_ = e.srv.Store().View(func(w *world.World) error { ok = w.IAMOf(account).Roles[role] != nil; return nil })
	return ok
}

const flRole = "AWSServiceRoleForEC2FastLaunch"

func TestFastLaunchStateMachine(t *testing.T) {
	e := startFastLaunch(t)
	start := e.clock.Now()
	out, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{
		ImageId: aws.String(e.own), ResourceType: aws.String("snapshot"), MaxParallelLaunches: aws.Int32(8),
		SnapshotConfiguration: &types.FastLaunchSnapshotConfigurationRequest{TargetResourceCount: aws.Int32(7)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.State != types.FastLaunchStateCodeEnabling || aws.ToInt32(out.MaxParallelLaunches) != 8 ||
		aws.ToInt32(out.SnapshotConfiguration.TargetResourceCount) != 7 || aws.ToString(out.OwnerId) != world.DefaultAccountID ||
		out.ResourceType != types.FastLaunchResourceTypeSnapshot || !aws.ToTime(out.StateTransitionTime).Equal(start) {
		t.Fatalf("EnableFastLaunch = %+v", out)
	}
	if !e.hasRole(t, world.DefaultAccountID, flRole) {
		t.Error("EnableFastLaunch did not create the Fast Launch service-linked role")
	}

	e.clock.Advance(pace - time.Second)
	if got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{}); len(got) != 1 || got[0].State != types.FastLaunchStateCodeEnabling {
		t.Fatalf("before the pace: %+v", got)
	}
	e.clock.Advance(time.Second)
	got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{ImageIds: []string{e.own}})
	if len(got) != 1 || got[0].State != types.FastLaunchStateCodeEnabled || !aws.ToTime(got[0].StateTransitionTime).Equal(start.Add(pace)) ||
		aws.ToString(got[0].StateTransitionReason) != "Client.UserInitiated - Lifecycle state transition" {
		t.Fatalf("after the pace: %+v", got)
	}

	// Re-enabling with other settings reconfigures it.
	re, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), MaxParallelLaunches: aws.Int32(10),
		LaunchTemplate: &types.FastLaunchLaunchTemplateSpecificationRequest{LaunchTemplateName: aws.String(world.WindowsNodesLaunchTemplate), Version: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if re.State != types.FastLaunchStateCodeEnabling || aws.ToInt32(re.MaxParallelLaunches) != 10 || re.LaunchTemplate == nil ||
		aws.ToString(re.LaunchTemplate.LaunchTemplateName) != world.WindowsNodesLaunchTemplate || aws.ToString(re.LaunchTemplate.Version) != "1" {
		t.Fatalf("re-enable = %+v", re)
	}

	// Disabling while enabling needs Force.
	_, err = e.c.DisableFastLaunch(t.Context(), &ec2.DisableFastLaunchInput{ImageId: aws.String(e.own)})
	sandboxtest.WantAPIError(t, err, "IncorrectState", "")
	dis, err := e.c.DisableFastLaunch(t.Context(), &ec2.DisableFastLaunchInput{ImageId: aws.String(e.own), Force: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if dis.State != types.FastLaunchStateCodeDisabling {
		t.Fatalf("DisableFastLaunch = %+v", dis)
	}
	_, err = e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own)})
	sandboxtest.WantAPIError(t, err, "IncorrectState", "")
	e.clock.Advance(pace)
	if got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{}); len(got) != 0 {
		t.Fatalf("after disabling: %+v", got)
	}
	_, err = e.c.DisableFastLaunch(t.Context(), &ec2.DisableFastLaunchInput{ImageId: aws.String(e.own)})
	sandboxtest.WantAPIError(t, err, "InvalidParameter", "Windows fast launch is not enabled for image "+e.own+".")
}

func TestEnableFastLaunchErrors(t *testing.T) {
	e := startFastLaunch(t)
	lt := func(id, name, version string) *types.FastLaunchLaunchTemplateSpecificationRequest {
		return &types.FastLaunchLaunchTemplateSpecificationRequest{LaunchTemplateId: aws.String(id), LaunchTemplateName: aws.String(name), Version: aws.String(version)}
	}
	for name, tt := range map[string]struct {
		in        ec2.EnableFastLaunchInput
		code, msg string
	}{
		"too few launches": {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), MaxParallelLaunches: aws.Int32(5)},
			"InvalidParameterValue", "Value (5) for parameter maxParallelLaunches is invalid. The value must be 6 or greater."},
		"resource type": {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), ResourceType: aws.String("volume")},
			"InvalidParameterValue", "Value (volume) for parameter resourceType is invalid. Valid values: snapshot"},
		"no snapshots":    {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), SnapshotConfiguration: &types.FastLaunchSnapshotConfigurationRequest{TargetResourceCount: aws.Int32(0)}}, "InvalidParameterValue", ""},
		"malformed":       {ec2.EnableFastLaunchInput{ImageId: aws.String("ami-xyz")}, "InvalidAMIID.Malformed", `Invalid id: "ami-xyz" (expecting "ami-...")`},
		"unknown image":   {ec2.EnableFastLaunchInput{ImageId: aws.String("ami-0123456789abcdef0")}, "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist"},
		"Amazon's AMI":    {ec2.EnableFastLaunchInput{ImageId: aws.String(e.amazon)}, "InvalidParameter", ""},
		"id and name":     {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), LaunchTemplate: lt("lt-0123456789abcdef0", "x-name", "1")}, "InvalidParameterCombination", ""},
		"unknown name":    {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), LaunchTemplate: &types.FastLaunchLaunchTemplateSpecificationRequest{LaunchTemplateName: aws.String("nope-template"), Version: aws.String("1")}}, "InvalidLaunchTemplateName.NotFoundException", ""},
		"unknown id":      {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), LaunchTemplate: &types.FastLaunchLaunchTemplateSpecificationRequest{LaunchTemplateId: aws.String("lt-0123456789abcdef0"), Version: aws.String("1")}}, "InvalidLaunchTemplateId.NotFound", ""},
		"dry run invalid": {ec2.EnableFastLaunchInput{ImageId: aws.String(e.own), MaxParallelLaunches: aws.Int32(2), DryRun: aws.Bool(true)}, "InvalidParameterValue", ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.c.EnableFastLaunch(t.Context(), &tt.in)
			sandboxtest.WantAPIError(t, err, tt.code, tt.msg)
		})
	}
	if e.hasRole(t, world.DefaultAccountID, flRole) {
		t.Error("a failed EnableFastLaunch created the service-linked role")
	}
}

func TestEnableFastLaunchQuota(t *testing.T) {
	e := startFastLaunch(t)
	enable := func(id string, n int32) error {
		_, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(id), MaxParallelLaunches: aws.Int32(n)})
		return err
	}
	if err := enable(e.own, 40); err != nil {
		t.Fatal(err)
	}
	sandboxtest.WantAPIError(t, enable(e.shared, 6), "ResourceLimitExceeded",
		"You have exceeded the quota of 40 parallel launches for Windows fast launch in this Region: 40 are in use by other images and 6 were requested.")
	// Reconfiguring an image replaces its own share of the quota.
	if err := enable(e.own, 34); err != nil {
		t.Fatal(err)
	}
	if err := enable(e.shared, 6); err != nil {
		t.Fatal(err)
	}
	// The quota is per region.
	if _, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own)}, inRegion("us-west-2")); err != nil {
		sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "") // us-west-2 has its own demo AMI, not this one
	}
}

func TestEnableFastLaunchWithoutDefaultVPC(t *testing.T) {
	e := startFastLaunch(t)
	_ = e.srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		for id, v := range r.VPCs {
			if v.IsDefault {
				delete(r.VPCs, id)
			}
		}
		return nil
	})
	out, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own)})
	if err != nil {
		t.Fatal(err)
	}
	if out.State != types.FastLaunchStateCodeEnabling {
		t.Fatalf("state %s, want enabling: EC2 fails only once it tries", out.State)
	}
	// A launch template brings its own network.
	if _, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.shared),
		LaunchTemplate: &types.FastLaunchLaunchTemplateSpecificationRequest{LaunchTemplateName: aws.String(world.WindowsNodesLaunchTemplate), Version: aws.String("$Default")}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(pace)
	got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{})
	states := map[string]types.DescribeFastLaunchImagesSuccessItem{}
	for _, it := range got {
		states[aws.ToString(it.ImageId)] = it
	}
	if f := states[e.own]; f.State != types.FastLaunchStateCodeEnablingFailed || aws.ToString(f.StateTransitionReason) == "" {
		t.Errorf("without a template: %s %q, want enabling-failed with a reason", f.State, aws.ToString(f.StateTransitionReason))
	}
	if s := states[e.shared]; s.State != types.FastLaunchStateCodeEnabled {
		t.Errorf("with a template: %s, want enabled", s.State)
	}
}

// TestFastLaunchPerAccount: the partner enables Fast Launch for the AMI the
// caller shared with it; each account sees only its own.
func TestFastLaunchPerAccount(t *testing.T) {
	e := startFastLaunch(t)
	if e.hasRole(t, world.PartnerAccountID, flRole) {
		t.Fatal("the partner starts with the Fast Launch role")
	}
	imgs, err := e.partner.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs.Images) != 1 || aws.ToString(imgs.Images[0].ImageId) != e.own {
		t.Fatalf("the partner sees %d images shared with it, want the caller's demo AMI", len(imgs.Images))
	}
	out, err := e.partner.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(e.own)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.OwnerId) != world.DefaultAccountID {
		t.Errorf("ownerId %s, want the AMI's owner", aws.ToString(out.OwnerId))
	}
	if !e.hasRole(t, world.PartnerAccountID, flRole) || e.hasRole(t, world.DefaultAccountID, flRole) {
		t.Error("the service-linked role was not created in the partner's account alone")
	}
	if got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{}); len(got) != 0 {
		t.Errorf("the caller sees the partner's Fast Launch: %+v", got)
	}
	if got := e.describe(t, e.partner, &ec2.DescribeFastLaunchImagesInput{}); len(got) != 1 {
		t.Errorf("the partner sees %d Fast Launch images, want 1", len(got))
	}
	// Amazon's public AMIs are refused in every account.
	_, err = e.partner.DisableFastLaunch(t.Context(), &ec2.DisableFastLaunchInput{ImageId: aws.String(e.amazon)})
	sandboxtest.WantAPIError(t, err, "InvalidParameter", "")
}

func TestDescribeFastLaunchImagesFiltersAndPages(t *testing.T) {
	e := startFastLaunch(t)
	for _, id := range []string{e.own, e.shared} {
		if _, err := e.c.EnableFastLaunch(t.Context(), &ec2.EnableFastLaunchInput{ImageId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(pace / 2)
	}
	// Now the first is enabled, the second still enabling.
	var ids []string
	pager := ec2.NewDescribeFastLaunchImagesPaginator(e.c, &ec2.DescribeFastLaunchImagesInput{MaxResults: aws.Int32(1)})
	pages := 0
	for pager.HasMorePages() {
		out, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range out.FastLaunchImages {
			ids = append(ids, aws.ToString(it.ImageId))
		}
	}
	want := []string{e.own, e.shared}
	slices.Sort(want)
	if !slices.Equal(ids, want) || pages != 2 {
		t.Errorf("pages %d ids %v, want %v in 2", pages, ids, want)
	}
	for _, tt := range []struct {
		filter types.Filter
		want   []string
	}{
		{filter("state", "enabled"), []string{e.own}},
		{filter("owner-id", world.PartnerAccountID), []string{e.shared}},
		{filter("resource-type", "snapshot"), want},
		{filter("state", "disabling", "enabling-failed"), nil},
	} {
		filter, want := tt.filter, tt.want
		got := e.describe(t, e.c, &ec2.DescribeFastLaunchImagesInput{Filters: []types.Filter{filter}})
		var gotIDs []string
		for _, it := range got {
			gotIDs = append(gotIDs, aws.ToString(it.ImageId))
		}
		if !slices.Equal(gotIDs, want) {
			t.Errorf("filter %s=%v: %v, want %v", aws.ToString(filter.Name), filter.Values, gotIDs, want)
		}
	}
	_, err := e.c.DescribeFastLaunchImages(t.Context(), &ec2.DescribeFastLaunchImagesInput{Filters: []types.Filter{{Name: aws.String("image-id"), Values: []string{"x"}}}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'image-id' is invalid")
	_, err = e.c.DescribeFastLaunchImages(t.Context(), &ec2.DescribeFastLaunchImagesInput{MaxResults: aws.Int32(201)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "")
	_, err = e.c.DescribeFastLaunchImages(t.Context(), &ec2.DescribeFastLaunchImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "")
}
