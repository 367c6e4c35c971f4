package fastlaunch_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
)

// fakeEC2 is one account's EC2 in every region, scripted by the test. It
// records each call as "Method region [ami]" and the most calls it served
// at once.
type fakeEC2 struct {
	mu sync.Mutex
	// states is each AMI's Fast Launch state at its 1st, 2nd, … read
	// (keyed "region/ami"); the last one stays. No entry: no Fast Launch.
	states  map[string][]string
	reasons map[string]string
	reads   map[string]int
	// images are what DescribeImages finds, by region.
	images map[string][]types.Image
	// versions are the launch template versions, by region.
	versions map[string][]types.LaunchTemplateVersion
	// sharedWith is the accounts each AMI ("region/ami") is shared with.
	sharedWith map[string][]string
	// delay holds each call a little, so that concurrent calls overlap.
	delay time.Duration
	// fail makes DescribeImages of a region fail; hang makes it wait for
	// its context's end (for a second at most).
	fail map[string]error
	hang map[string]bool

	calls       []string
	inFlight    int
	maxInFlight int
}

func newFake() *fakeEC2 {
	return &fakeEC2{states: map[string][]string{}, reasons: map[string]string{}, reads: map[string]int{},
		images: map[string][]types.Image{}, fail: map[string]error{}, hang: map[string]bool{}, versions: map[string][]types.LaunchTemplateVersion{}, sharedWith: map[string][]string{}}
}

// ec2 is the fake as the client of a region.
func (f *fakeEC2) ec2(region string) awsapi.EC2API { return &fakeClient{f: f, region: region} }

// count is how many calls began with prefix ("DescribeFastLaunchImages",
// "DescribeFastLaunchImages us-east-1 ami-1", …).
func (f *fakeEC2) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == prefix || strings.HasPrefix(c, prefix+" ") {
			n++
		}
	}
	return n
}

func (f *fakeEC2) methods() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	for _, c := range f.calls {
		seen[strings.Fields(c)[0]] = true
	}
	var out []string
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func (f *fakeEC2) enter(call string) func() {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	d := f.delay
	f.mu.Unlock()
	time.Sleep(d)
	return func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}
}

type fakeClient struct {
	awsapi.EC2API // calls the fake does not serve panic: the test then fails loudly
	f             *fakeEC2
	region        string
}

func (c *fakeClient) DescribeFastLaunchImages(ctx context.Context, in *ec2.DescribeFastLaunchImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeFastLaunchImagesOutput, error) {
	defer c.f.enter(strings.TrimSpace(fmt.Sprintf("DescribeFastLaunchImages %s %s", c.region, strings.Join(in.ImageIds, ","))))()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	out := &ec2.DescribeFastLaunchImagesOutput{}
	var keys []string
	for k := range c.f.states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		region, ami, _ := strings.Cut(k, "/")
		if region != c.region || len(in.ImageIds) > 0 && !slices.Contains(in.ImageIds, ami) {
			continue
		}
		seq := c.f.states[k]
		n := min(c.f.reads[k], len(seq)-1)
		c.f.reads[k]++
		out.FastLaunchImages = append(out.FastLaunchImages, types.DescribeFastLaunchImagesSuccessItem{
			ImageId: aws.String(ami), State: types.FastLaunchStateCode(seq[n]), OwnerId: aws.String("111122223333"),
			StateTransitionReason: aws.String(c.f.reasons[k]),
		})
	}
	return out, nil
}

func (c *fakeClient) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	var ids []string
	for _, flt := range in.Filters {
		if aws.ToString(flt.Name) == "image-id" {
			ids = flt.Values
		}
	}
	defer c.f.enter(fmt.Sprintf("DescribeImages %s", c.region))()
	c.f.mu.Lock()
	err, hang := c.f.fail[c.region], c.f.hang[c.region]
	c.f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if hang {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	out := &ec2.DescribeImagesOutput{}
	for _, img := range c.f.images[c.region] {
		if slices.Contains(ids, aws.ToString(img.ImageId)) {
			out.Images = append(out.Images, img)
		}
	}
	return out, nil
}

func (c *fakeClient) DescribeLaunchTemplateVersions(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
	defer c.f.enter(fmt.Sprintf("DescribeLaunchTemplateVersions %s %s", c.region, aws.ToString(in.LaunchTemplateName)))()
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	out := &ec2.DescribeLaunchTemplateVersionsOutput{}
	for _, v := range c.f.versions[c.region] {
		if name := aws.ToString(in.LaunchTemplateName); name == "" || name == aws.ToString(v.LaunchTemplateName) {
			out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, v)
		}
	}
	return out, nil
}

func (c *fakeClient) DescribeImageAttribute(ctx context.Context, in *ec2.DescribeImageAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeImageAttributeOutput, error) {
	defer c.f.enter(fmt.Sprintf("DescribeImageAttribute %s %s", c.region, aws.ToString(in.ImageId)))()
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	out := &ec2.DescribeImageAttributeOutput{ImageId: in.ImageId}
	for _, acct := range c.f.sharedWith[c.region+"/"+aws.ToString(in.ImageId)] {
		out.LaunchPermissions = append(out.LaunchPermissions, types.LaunchPermission{UserId: aws.String(acct)})
	}
	return out, nil
}

// The rest are not the workflows' to call: a call fails the test's
// expectations by showing up in calls.
func (c *fakeClient) EnableFastLaunch(ctx context.Context, in *ec2.EnableFastLaunchInput, _ ...func(*ec2.Options)) (*ec2.EnableFastLaunchOutput, error) {
	defer c.f.enter("EnableFastLaunch " + c.region)()
	return nil, fmt.Errorf("not scripted")
}

func (c *fakeClient) DisableFastLaunch(ctx context.Context, in *ec2.DisableFastLaunchInput, _ ...func(*ec2.Options)) (*ec2.DisableFastLaunchOutput, error) {
	defer c.f.enter("DisableFastLaunch " + c.region)()
	return nil, fmt.Errorf("not scripted")
}

func (c *fakeClient) DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	defer c.f.enter("DescribeVpcs " + c.region)()
	return nil, fmt.Errorf("not scripted")
}

func (c *fakeClient) DescribeLaunchTemplates(ctx context.Context, in *ec2.DescribeLaunchTemplatesInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error) {
	defer c.f.enter("DescribeLaunchTemplates " + c.region)()
	return nil, fmt.Errorf("not scripted")
}
