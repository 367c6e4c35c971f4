package release

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
)

// fakeSSM is Parameter Store in every region: versions, labels, and a
// region whose writes fail. It records the writes.
type fakeSSM struct {
	awsapi.SSMAPI
	mu       sync.Mutex
	clock    clock.Clock
	params   map[string]map[string][]Version // region -> name -> versions
	failPut  map[string]bool                 // region -> PutParameter fails
	writes   []string                        // "region name value"
	labelled []string
}

func newFakeSSM(c clock.Clock) *fakeSSM {
	return &fakeSSM{clock: c, params: map[string]map[string][]Version{}, failPut: map[string]bool{}}
}

// in is the client of one region.
func (f *fakeSSM) in(region string) awsapi.SSMAPI { return &regionSSM{f: f, region: region} }

// seed writes versions directly, at the given times.
func (f *fakeSSM) seed(region, name string, at time.Time, amis ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.params[region] == nil {
		f.params[region] = map[string][]Version{}
	}
	for _, a := range amis {
		h := f.params[region][name]
		f.params[region][name] = append(h, Version{Region: region, Version: int64(len(h) + 1), AMI: a, Date: at, User: "arn:aws:iam::111122223333:user/seed"})
	}
}

func (f *fakeSSM) current(region, name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.params[region][name]
	if len(h) == 0 {
		return ""
	}
	return h[len(h)-1].AMI
}

type regionSSM struct {
	awsapi.SSMAPI
	f      *fakeSSM
	region string
}

type apiErr struct{ code string }

func (e *apiErr) Error() string     { return e.code }
func (e *apiErr) ErrorCode() string { return e.code }

func (s *regionSSM) PutParameter(ctx context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failPut[s.region] {
		return nil, &apiErr{"AccessDeniedException"}
	}
	if f.params[s.region] == nil {
		f.params[s.region] = map[string][]Version{}
	}
	name := aws.ToString(in.Name)
	h := f.params[s.region][name]
	v := Version{Region: s.region, Version: int64(len(h) + 1), AMI: aws.ToString(in.Value), Date: f.clock.Now(), User: "arn:aws:iam::111122223333:user/dev"}
	if len(h) > 0 {
		v.Version = h[len(h)-1].Version + 1
	}
	f.params[s.region][name] = append(h, v)
	f.writes = append(f.writes, s.region+" "+name+" "+v.AMI)
	return &ssm.PutParameterOutput{Version: v.Version}, nil
}

func (s *regionSSM) DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, _ ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.params[s.region], aws.ToString(in.Name))
	f.writes = append(f.writes, s.region+" "+aws.ToString(in.Name)+" deleted")
	return &ssm.DeleteParameterOutput{}, nil
}

func (s *regionSSM) GetParameterHistory(ctx context.Context, in *ssm.GetParameterHistoryInput, _ ...func(*ssm.Options)) (*ssm.GetParameterHistoryOutput, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.params[s.region][aws.ToString(in.Name)]
	if !ok {
		return nil, &types.ParameterNotFound{}
	}
	out := &ssm.GetParameterHistoryOutput{}
	for _, v := range h {
		out.Parameters = append(out.Parameters, types.ParameterHistory{
			Name: in.Name, Value: aws.String(v.AMI), Version: v.Version, LastModifiedDate: aws.Time(v.Date),
			LastModifiedUser: aws.String(v.User), Labels: slices.Clone(v.Labels),
		})
	}
	return out, nil
}

func (s *regionSSM) LabelParameterVersion(ctx context.Context, in *ssm.LabelParameterVersionInput, _ ...func(*ssm.Options)) (*ssm.LabelParameterVersionOutput, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.params[s.region][aws.ToString(in.Name)]
	for i := range h {
		h[i].Labels = slices.DeleteFunc(h[i].Labels, func(l string) bool { return slices.Contains(in.Labels, l) })
		if h[i].Version == aws.ToInt64(in.ParameterVersion) {
			h[i].Labels = append(h[i].Labels, in.Labels...)
		}
	}
	f.labelled = append(f.labelled, fmt.Sprintf("%s %d %s", s.region, aws.ToInt64(in.ParameterVersion), strings.Join(in.Labels, ",")))
	return &ssm.LabelParameterVersionOutput{ParameterVersion: aws.ToInt64(in.ParameterVersion)}, nil
}

// fakeEC2 holds AMIs per region and Fast Launch states.
type fakeEC2 struct {
	mu         sync.Mutex
	images     map[string]map[string]Image // region -> id -> image
	fastLaunch map[string]string           // ami -> state
}

func newFakeEC2() *fakeEC2 {
	return &fakeEC2{images: map[string]map[string]Image{}, fastLaunch: map[string]string{}}
}

func (f *fakeEC2) add(img Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.images[img.Region] == nil {
		f.images[img.Region] = map[string]Image{}
	}
	f.images[img.Region][img.ID] = img
}

func (f *fakeEC2) in(region string) awsapi.EC2API { return &regionEC2{f: f, region: region} }

type regionEC2 struct {
	awsapi.EC2API
	f      *fakeEC2
	region string
}

func wire(img Image) ec2types.Image {
	out := ec2types.Image{ImageId: aws.String(img.ID), Name: aws.String(img.Name), State: ec2types.ImageState(img.State)}
	if img.Deprecation != nil {
		out.DeprecationTime = aws.String(img.Deprecation.Format(time.RFC3339))
	}
	for k, v := range img.Tags {
		out.Tags = append(out.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

func (e *regionEC2) DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	out := &ec2.DescribeImagesOutput{}
	imgs := e.f.images[e.region]
	if len(in.ImageIds) > 0 {
		for _, id := range in.ImageIds {
			img, ok := imgs[id]
			if !ok {
				return nil, &apiErr{"InvalidAMIID.NotFound"}
			}
			out.Images = append(out.Images, wire(img))
		}
		return out, nil
	}
	for _, img := range imgs {
		ok := true
		for _, flt := range in.Filters {
			val := img.Tags[strings.TrimPrefix(aws.ToString(flt.Name), "tag:")]
			if aws.ToString(flt.Name) == "image-id" {
				val = img.ID
			}
			ok = ok && slices.Contains(flt.Values, val)
		}
		if ok {
			out.Images = append(out.Images, wire(img))
		}
	}
	return out, nil
}

func (e *regionEC2) DescribeFastLaunchImages(ctx context.Context, in *ec2.DescribeFastLaunchImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeFastLaunchImagesOutput, error) {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	out := &ec2.DescribeFastLaunchImagesOutput{}
	for _, id := range in.ImageIds {
		if st, ok := e.f.fastLaunch[id]; ok {
			out.FastLaunchImages = append(out.FastLaunchImages, ec2types.DescribeFastLaunchImagesSuccessItem{ImageId: aws.String(id), State: ec2types.FastLaunchStateCode(st)})
		}
	}
	return out, nil
}
