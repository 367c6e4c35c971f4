package amicopy_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/pkg/amicopy"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/eksami"
)

var (
	key     = eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	release = eksami.Date{Year: 2026, Month: time.August, Day: 12}
	t0      = time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC)
)

// fakeEC2 is one region's EC2: Amazon's public release, the account's
// images, and CopyImage making a pending copy that becomes available
// after `pendingPolls` looks. It records the copies asked for.
type fakeEC2 struct {
	awsapi.EC2API
	region       string
	pendingPolls int
	copyErr      error
	endState     types.ImageState
	noPublic     bool // Amazon has not published the release here

	mu     sync.Mutex
	owned  []types.Image
	copies []*ec2.CopyImageInput
	polls  int
}

func (f *fakeEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case len(in.ImageIds) == 1:
		f.polls++
		for i := range f.owned {
			if aws.ToString(f.owned[i].ImageId) == in.ImageIds[0] {
				if f.polls > f.pendingPolls {
					f.owned[i].State = f.endState
				}
				return &ec2.DescribeImagesOutput{Images: []types.Image{f.owned[i]}}, nil
			}
		}
		return &ec2.DescribeImagesOutput{}, nil
	case slices.Equal(in.Owners, []string{"self"}):
		want := in.Filters[0].Values[0]
		var out []types.Image
		for _, img := range f.owned {
			for _, tg := range img.Tags {
				if "tag:"+aws.ToString(tg.Key) == aws.ToString(in.Filters[0].Name) && aws.ToString(tg.Value) == want {
					out = append(out, img)
				}
			}
		}
		return &ec2.DescribeImagesOutput{Images: out}, nil
	case slices.Equal(in.Owners, []string{eksami.OwnerAccount}) && f.noPublic:
		return &ec2.DescribeImagesOutput{}, nil
	case slices.Equal(in.Owners, []string{eksami.OwnerAccount}):
		return &ec2.DescribeImagesOutput{Images: []types.Image{{
			ImageId: aws.String("ami-pub-" + f.region), Name: aws.String(key.AMIName(release)),
			OwnerId: aws.String(eksami.OwnerAccount), State: types.ImageStateAvailable,
		}}}, nil
	}
	return nil, fmt.Errorf("unexpected DescribeImages %+v", in)
}

func (f *fakeEC2) CopyImage(_ context.Context, in *ec2.CopyImageInput, _ ...func(*ec2.Options)) (*ec2.CopyImageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.copies = append(f.copies, in)
	if f.copyErr != nil {
		return nil, f.copyErr
	}
	id := "ami-copy-" + f.region
	f.owned = append(f.owned, types.Image{ImageId: aws.String(id), Name: in.Name, State: types.ImageStatePending, Tags: in.TagSpecifications[0].Tags})
	return &ec2.CopyImageOutput{ImageId: aws.String(id)}, nil
}

type noSSM struct{ awsapi.SSMAPI }

func (noSSM) GetParameters(context.Context, *ssm.GetParametersInput, ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	return &ssm.GetParametersOutput{}, nil
}

type env struct {
	ec2    map[string]*fakeEC2
	clock  *clock.Fake
	mu     sync.Mutex
	events []amicopy.Event
	runner *amicopy.Runner
}

func newEnv(regions ...string) *env {
	e := &env{ec2: map[string]*fakeEC2{}, clock: clock.NewFake(t0)}
	for _, r := range regions {
		e.ec2[r] = &fakeEC2{region: r, pendingPolls: 2, endState: types.ImageStateAvailable}
	}
	ec2For := func(r string) awsapi.EC2API { return e.ec2[r] }
	e.runner = &amicopy.Runner{
		Finder: catalog.NewFinder(func(string) awsapi.SSMAPI { return noSSM{} }, ec2For),
		EC2:    ec2For,
		Clock:  e.clock,
		Progress: func(ev amicopy.Event) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.events = append(e.events, ev)
		},
		PollInterval: 10 * time.Second,
	}
	return e
}

func (e *env) copy(t *testing.T, regions ...string) ([]amicopy.Result, error) {
	t.Helper()
	return e.runner.Copy(t.Context(), amicopy.Request{Key: key, Release: release, Regions: regions})
}

func (e *env) statesOf(region string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.events {
		if ev.Region == region {
			out = append(out, ev.State)
		}
	}
	return out
}

func TestCopyEachRegionAndFollowUntilAvailable(t *testing.T) {
	e := newEnv("us-east-1", "eu-west-1")
	res, err := e.copy(t, "us-east-1", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	for i, region := range []string{"us-east-1", "eu-west-1"} {
		r := res[i]
		if r.Region != region || r.AMIID != "ami-copy-"+region || r.State != "available" || r.Reused ||
			r.SourceAMI != "ami-pub-"+region || r.Name != "winami-copy-"+key.AMIName(release) || r.ReleaseVersion != "1.35-2026.08.12" {
			t.Errorf("result %d = %+v", i, r)
		}
		f := e.ec2[region]
		if len(f.copies) != 1 {
			t.Fatalf("%s: %d CopyImage calls, want 1", region, len(f.copies))
		}
		in := f.copies[0]
		if aws.ToString(in.SourceImageId) != "ami-pub-"+region || aws.ToString(in.SourceRegion) != region ||
			aws.ToString(in.ClientToken) != "winami-copy-ami-pub-"+region || in.TagSpecifications[0].ResourceType != types.ResourceTypeImage {
			t.Errorf("%s: CopyImage %+v", region, in)
		}
		tags := map[string]string{}
		for _, tg := range in.TagSpecifications[0].Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if tags["winami:copy-of"] != key.AMIName(release) || tags["winami:copy-source"] != "ami-pub-"+region ||
			tags["winami:release"] != "1.35-2026.08.12" || tags["winami:managed"] != "true" {
			t.Errorf("%s: tags %v", region, tags)
		}
		if got := strings.Join(e.statesOf(region), ","); got != "pending,pending,pending,available" {
			t.Errorf("%s: progress %s, want the start and each look until available", region, got)
		}
	}
	for _, d := range e.clock.Slept() {
		if d != 10*time.Second {
			t.Errorf("slept %s, want the poll interval", d)
		}
	}
}

func TestCopyReusesAnEarlierCopy(t *testing.T) {
	e := newEnv("us-east-1")
	if _, err := e.copy(t, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	res, err := e.copy(t, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.ec2["us-east-1"].copies); n != 1 {
		t.Errorf("%d CopyImage calls after a second run, want 1: the copy is reused", n)
	}
	if r := res[0]; !r.Reused || r.AMIID != "ami-copy-us-east-1" || r.State != "available" || r.SourceAMI != "ami-pub-us-east-1" {
		t.Errorf("second run = %+v, want the first copy, reused", r)
	}
}

// TestCopyReusesAPendingCopy: a run interrupted while the copy was pending
// leaves it; the next run follows it instead of copying again.
func TestCopyReusesAPendingCopy(t *testing.T) {
	e := newEnv("us-east-1")
	f := e.ec2["us-east-1"]
	f.owned = []types.Image{{ImageId: aws.String("ami-earlier"), State: types.ImageStatePending,
		Tags: amicopy.Tags(key, release, "ami-pub-us-east-1")}}
	res, err := e.copy(t, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.copies) != 0 || !res[0].Reused || res[0].AMIID != "ami-earlier" || res[0].State != "available" {
		t.Errorf("copies %d, result %+v: want the pending copy followed until available", len(f.copies), res[0])
	}
}

func TestCopyFailureInOneRegionLeavesTheOthers(t *testing.T) {
	e := newEnv("us-east-1", "eu-west-1")
	e.ec2["eu-west-1"].copyErr = errors.New("api error ResourceLimitExceeded: too many copies in flight")
	res, err := e.copy(t, "us-east-1", "eu-west-1")
	if err == nil || !strings.Contains(err.Error(), "eu-west-1") || !strings.Contains(err.Error(), "ResourceLimitExceeded") ||
		strings.Contains(err.Error(), "us-east-1") {
		t.Errorf("error %v, want eu-west-1's failure alone", err)
	}
	if res[0].State != "available" || res[0].Error != "" {
		t.Errorf("us-east-1 = %+v, want its copy available", res[0])
	}
	if res[1].Error == "" || res[1].AMIID != "" {
		t.Errorf("eu-west-1 = %+v, want its error", res[1])
	}
}

func TestCopyThatFailsNamesTheFix(t *testing.T) {
	e := newEnv("us-east-1")
	e.ec2["us-east-1"].endState = types.ImageStateFailed
	res, err := e.copy(t, "us-east-1")
	if err == nil || !strings.Contains(err.Error(), "ami-copy-us-east-1 is failed: deregister it (aws ec2 deregister-image --image-id ami-copy-us-east-1 --region us-east-1)") {
		t.Errorf("error %v", err)
	}
	if res[0].State != "failed" {
		t.Errorf("result %+v", res[0])
	}
}

func TestCopyTimesOutButSaysItIsResumable(t *testing.T) {
	e := newEnv("us-east-1")
	e.ec2["us-east-1"].pendingPolls = 1 << 30
	e.runner.Timeout = time.Minute
	_, err := e.copy(t, "us-east-1")
	if err == nil || !strings.Contains(err.Error(), "still pending after 1m0s: run winami ami copy again to follow it") {
		t.Errorf("error %v", err)
	}
	if n := len(e.clock.Slept()); n != 6 {
		t.Errorf("%d polls in a minute at 10s, want 6", n)
	}
}

// A release missing from a region fails that region with the catalog's
// error, which names the region already: not named a second time.
func TestCopyNotPublishedNamesRegionOnce(t *testing.T) {
	e := newEnv("us-east-1", "eu-west-1")
	e.ec2["eu-west-1"].noPublic = true
	res, err := e.copy(t, "us-east-1", "eu-west-1")
	if err == nil || strings.Count(err.Error(), "eu-west-1") != 1 || strings.Contains(err.Error(), "us-east-1") {
		t.Fatalf("err = %v, want one failure naming eu-west-1 once", err)
	}
	if res[0].State != "available" || res[1].Error != err.Error() || len(e.ec2["eu-west-1"].copies) != 0 {
		t.Fatalf("results = %+v", res)
	}
}
