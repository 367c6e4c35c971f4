package ec2_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var clock = time.Date(2026, time.November, 28, 12, 0, 0, 0, time.UTC)

const key135 = "Windows_Server-2022-English-Core-EKS_Optimized-1.35"

func start(t *testing.T) (aws.Config, *ec2.Client) {
	t.Helper()
	_, cfg, c := startServer(t)
	return cfg, c
}

func startServer(t *testing.T) (*sandbox.Server, aws.Config, *ec2.Client) {
	t.Helper()
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return clock }})
	return srv, cfg, ec2.NewFromConfig(cfg)
}

func inRegion(region string) func(*ec2.Options) {
	return func(o *ec2.Options) { o.Region = region }
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func names(images []types.Image) []string {
	var out []string
	for _, img := range images {
		out = append(out, aws.ToString(img.Name))
	}
	slices.Sort(out)
	return out
}

func describe(t *testing.T, c *ec2.Client, in *ec2.DescribeImagesInput, opts ...func(*ec2.Options)) []types.Image {
	t.Helper()
	out, err := c.DescribeImages(t.Context(), in, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return out.Images
}

func TestDescribeImagesOneKeyHasFourReleases(t *testing.T) {
	_, c := start(t)
	images := describe(t, c, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []types.Filter{filter("name", key135+"-*")}})
	want := []string{key135 + "-2026.08.12", key135 + "-2026.09.09", key135 + "-2026.10.14", key135 + "-2026.11.11"}
	if got := names(images); !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	img := images[0]
	created, err := time.Parse(time.RFC3339, aws.ToString(img.CreationDate))
	if err != nil || !strings.HasSuffix(aws.ToString(img.CreationDate), ".000Z") {
		t.Errorf("creationDate %q: %v", aws.ToString(img.CreationDate), err)
	}
	if created.Year() != 2026 {
		t.Errorf("created %s", created)
	}
	if aws.ToString(img.OwnerId) != "801119661308" || aws.ToString(img.ImageOwnerAlias) != "amazon" || !aws.ToBool(img.Public) ||
		img.Platform != "windows" || aws.ToString(img.PlatformDetails) != "Windows" ||
		aws.ToString(img.UsageOperation) != "RunInstances:0002" || img.Architecture != types.ArchitectureValuesX8664 ||
		img.State != types.ImageStateAvailable || img.ImageType != types.ImageTypeValuesMachine ||
		img.RootDeviceType != types.DeviceTypeEbs || aws.ToString(img.RootDeviceName) != "/dev/sda1" ||
		img.VirtualizationType != types.VirtualizationTypeHvm || img.Hypervisor != types.HypervisorTypeXen ||
		!aws.ToBool(img.EnaSupport) || aws.ToString(img.DeprecationTime) == "" ||
		aws.ToString(img.ImageLocation) != "amazon/"+aws.ToString(img.Name) ||
		!strings.Contains(aws.ToString(img.Description), "optimized for EKS and Kubernetes 1.35") {
		t.Errorf("image attributes: %+v", img)
	}
	if len(img.BlockDeviceMappings) != 1 {
		t.Fatalf("block devices %+v", img.BlockDeviceMappings)
	}
	bd := img.BlockDeviceMappings[0]
	if aws.ToString(bd.DeviceName) != "/dev/sda1" || bd.Ebs == nil || !strings.HasPrefix(aws.ToString(bd.Ebs.SnapshotId), "snap-") ||
		aws.ToInt32(bd.Ebs.VolumeSize) != 50 || !aws.ToBool(bd.Ebs.DeleteOnTermination) {
		t.Errorf("block device %+v / %+v", bd, bd.Ebs)
	}
	if len(img.Tags) != 0 {
		t.Errorf("Amazon's image shows tags %v", img.Tags)
	}
}

func TestDescribeImagesFilters(t *testing.T) {
	_, c := start(t)
	count := func(filters ...types.Filter) int {
		return len(describe(t, c, &ec2.DescribeImagesInput{Filters: filters}))
	}
	cases := []struct {
		what    string
		filters []types.Filter
		want    int
	}{
		{"? matches one character", []types.Filter{filter("name", "Windows_Server-2022-English-Core-EKS_Optimized-1.3?-2026.11.11")}, 6},
		{"names are case-sensitive", []types.Filter{filter("name", "windows_server-*")}, 0},
		{"values of one filter OR", []types.Filter{filter("name", key135+"-*", "Windows_Server-2022-English-Core-EKS_Optimized-1.36-*")}, 8},
		{"filters AND", []types.Filter{filter("name", "*EKS_Optimized-1.35-2026.11.11"), filter("name", "Windows_Server-2025-*")}, 2},
		{"owner-alias and platform", []types.Filter{filter("owner-alias", "amazon"), filter("platform", "windows"), filter("name", "*-EKS_Optimized-*")}, 28 * 4},
		{"owner-id", []types.Filter{filter("owner-id", world.AmazonLinuxOwnerID)}, 1},
		{"is-public false: own (demo and broken) and shared", []types.Filter{filter("is-public", "false")}, 3},
		{"image-id", []types.Filter{filter("image-id", "ami-*"), filter("name", "Windows_Server-2019-*-1.31-2026.08.12")}, 2},
		{"state and architecture", []types.Filter{filter("state", "available"), filter("architecture", "arm64")}, 0},
		{"tag on own images", []types.Filter{filter("tag:Name", "winami-*")}, 2},
		{"tag-key", []types.Filter{filter("tag-key", "winami:managed")}, 1},
		{"tags of others' images are not visible", []types.Filter{filter("tag:team", "partner-platform")}, 0},
	}
	for _, tc := range cases {
		if got := count(tc.filters...); got != tc.want {
			t.Errorf("%s: %d images, want %d", tc.what, got, tc.want)
		}
	}
}

func TestDescribeImagesOwnersAndVisibility(t *testing.T) {
	_, c := start(t)
	self := describe(t, c, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{filter("name", "winami-demo-*")}})
	if got := names(self); len(got) != 1 || !strings.HasPrefix(got[0], "winami-demo-") {
		t.Fatalf("self: %v", got)
	}
	if tags := self[0].Tags; len(tags) != 2 || aws.ToString(tags[0].Key) != "Name" || aws.ToString(tags[0].Value) != "winami-demo" {
		t.Errorf("own image tags %+v", tags)
	}
	if aws.ToBool(self[0].Public) || aws.ToString(self[0].ImageOwnerAlias) != "" {
		t.Errorf("own image %+v", self[0])
	}
	partner := describe(t, c, &ec2.DescribeImagesInput{Owners: []string{world.PartnerAccountID}})
	if got := names(partner); len(got) != 1 || got[0] != "partner-golden-windows-2022-2026.10.20" {
		t.Errorf("partner's images visible to the account: %v", got)
	}
	shared := describe(t, c, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}})
	if got := names(shared); len(got) != 1 || got[0] != "partner-golden-windows-2022-2026.10.20" {
		t.Errorf("executable by self: %v", got)
	}
	all := describe(t, c, &ec2.DescribeImagesInput{})
	for _, img := range all {
		if n := aws.ToString(img.Name); strings.HasPrefix(n, "partner-internal") || strings.HasPrefix(n, "Windows_Server-2016") {
			t.Errorf("default listing shows %s", n)
		}
	}
	withDeprecated := describe(t, c, &ec2.DescribeImagesInput{IncludeDeprecated: aws.Bool(true)})
	if len(withDeprecated) != len(all)+1 {
		t.Errorf("IncludeDeprecated adds %d images, want the one deprecated 2016 AMI", len(withDeprecated)-len(all))
	}
	_, err := c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{Owners: []string{"nobody"}})
	sandboxtest.WantAPIError(t, err, "InvalidUserID.Malformed", "User ID 'nobody' is invalid")
}

func TestDescribeImagesByID(t *testing.T) {
	_, c := start(t)
	amazon := describe(t, c, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, IncludeDeprecated: aws.Bool(true),
		Filters: []types.Filter{filter("name", "Windows_Server-2016-*", key135+"-2026.11.11")}})
	if len(amazon) != 2 {
		t.Fatalf("setup: %v", names(amazon))
	}
	ids := []string{aws.ToString(amazon[0].ImageId), aws.ToString(amazon[1].ImageId)}
	// By ID, a deprecated image is returned without IncludeDeprecated.
	if got := describe(t, c, &ec2.DescribeImagesInput{ImageIds: ids}); len(got) != 2 {
		t.Errorf("by ID: %v", names(got))
	}
	_, err := c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{ids[0], "ami-0000000000000000f"}})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "The image id '[ami-0000000000000000f]' does not exist")
	_, err = c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{"ami-12345"}})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.Malformed", `Invalid id: "ami-12345" (expecting "ami-...")`)
	// Another region has other IDs.
	_, err = c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: ids[:1]}, inRegion("eu-west-1"))
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "")
	_, err = c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: ids[:1], MaxResults: aws.Int32(10)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterCombination", "The parameter imageIdsSet cannot be used with the parameter maxResults")
}

func TestDescribeImagesHiddenIDIsNotFound(t *testing.T) {
	srv, _, c := startServer(t)
	var hidden string
	_ = srv.Store().View(func(w *world.World) error {
		for id, img := range w.Region("us-east-1").Images {
			if strings.HasPrefix(img.Name, "partner-internal") {
				hidden = id
			}
		}
		return nil
	})
	if hidden == "" {
		t.Fatal("the world has no private partner image")
	}
	_, err := c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{hidden}})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "The image id '["+hidden+"]' does not exist")
}

func TestDescribeImagesPaging(t *testing.T) {
	_, c := start(t)
	in := func() *ec2.DescribeImagesInput {
		return &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []types.Filter{filter("platform", "windows")}}
	}
	all := describe(t, c, in())
	paged := in()
	paged.MaxResults = aws.Int32(7)
	p := ec2.NewDescribeImagesPaginator(c, paged)
	seen := map[string]bool{}
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Images) > 7 {
			t.Fatalf("page of %d", len(page.Images))
		}
		for _, img := range page.Images {
			id := aws.ToString(img.ImageId)
			if seen[id] {
				t.Fatalf("%s on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(all) || pages != (len(all)+6)/7 {
		t.Errorf("paged %d images in %d pages, unpaged %d", len(seen), pages, len(all))
	}
	for _, n := range []int32{4, 1001} {
		bad := in()
		bad.MaxResults = aws.Int32(n)
		_, err := c.DescribeImages(t.Context(), bad)
		sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "")
	}
	bad := in()
	bad.NextToken = aws.String("not-a-token")
	_, err := c.DescribeImages(t.Context(), bad)
	sandboxtest.WantAPIError(t, err, "InvalidPaginationToken", "")
}

func TestDescribeImagesRequestErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{Filters: []types.Filter{filter("bogus", "x")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'bogus' is invalid")
	_, err = c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	_, err = c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{}, inRegion("us-east-2"))
	sandboxtest.WantAPIError(t, err, "AuthFailure", "")
}

func TestDescribeRegions(t *testing.T) {
	_, c := start(t)
	out, err := c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		got = append(got, name)
		if aws.ToString(r.Endpoint) != "ec2."+name+".amazonaws.com" || aws.ToString(r.OptInStatus) != "opt-in-not-required" {
			t.Errorf("region %+v", r)
		}
	}
	if strings.Join(got, " ") != "ap-northeast-1 ap-south-1 ap-southeast-1 eu-central-1 eu-west-1 us-east-1 us-west-2" {
		t.Errorf("regions %v", got)
	}
	out, err = c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1", "us-west-2"}})
	if err != nil || len(out.Regions) != 2 {
		t.Fatalf("by name: %+v, %v", out, err)
	}
	out, err = c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{Filters: []types.Filter{filter("region-name", "eu-*", "ap-south-?")}})
	if err != nil || len(out.Regions) != 3 {
		t.Fatalf("by filter: %+v, %v", out, err)
	}
	_, err = c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{RegionNames: []string{"mars-east-1"}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Invalid region: [mars-east-1]")
	_, err = c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{Filters: []types.Filter{filter("zone", "x")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'zone' is invalid")
}

// In every region, each key's SSM image_id names the AMI with the newest
// release date in its name, as EC2 lists that region's AMIs.
func TestLatestParameterIsNewestAMIInEveryRegion(t *testing.T) {
	cfg, c := start(t)
	s := ssm.NewFromConfig(cfg)
	regions, err := c.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	keys := world.EKSWindowsKeys()
	ids := map[string]string{} // AMI ID -> region, to see that regions differ
	for _, r := range regions.Regions {
		region := aws.ToString(r.RegionName)
		images := describe(t, c, &ec2.DescribeImagesInput{Owners: []string{"amazon"},
			Filters: []types.Filter{filter("name", "Windows_Server-*-EKS_Optimized-*")}}, inRegion(region))
		newest := map[string]types.Image{} // key -> newest image
		for _, img := range images {
			n := aws.ToString(img.Name)
			key, stamp := n[:strings.LastIndex(n, "-")], n[strings.LastIndex(n, "-")+1:]
			if cur, ok := newest[key]; !ok || stamp > aws.ToString(cur.Name)[len(key)+1:] {
				newest[key] = img
			}
			if other, dup := ids[aws.ToString(img.ImageId)]; dup {
				t.Errorf("%s in %s and %s", aws.ToString(img.ImageId), other, region)
			}
			ids[aws.ToString(img.ImageId)] = region
		}
		for batch := range slices.Chunk(keys, 10) {
			var params []string
			for _, k := range batch {
				params = append(params, world.WindowsLatestPath+"/"+k.ParameterName()+"/image_id")
			}
			out, err := s.GetParameters(t.Context(), &ssm.GetParametersInput{Names: params}, func(o *ssm.Options) { o.Region = region })
			if err != nil {
				t.Fatal(err)
			}
			if len(out.InvalidParameters) > 0 || len(out.Parameters) != len(batch) {
				t.Fatalf("%s: invalid %v", region, out.InvalidParameters)
			}
			for _, p := range out.Parameters {
				key := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(p.Name), world.WindowsLatestPath+"/"), "/image_id")
				want := newest[key]
				if aws.ToString(p.Value) != aws.ToString(want.ImageId) {
					t.Errorf("%s: %s = %s, want %s (%s)", region, aws.ToString(p.Name), aws.ToString(p.Value),
						aws.ToString(want.ImageId), aws.ToString(want.Name))
				}
			}
		}
	}
}
