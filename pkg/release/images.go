package release

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// tagBuild is the tag Image Builder puts on every AMI of a build: the image
// build version's ARN, the same in every region. (winami's own tags are
// amimeta's.)
const tagBuild = "Ec2ImageBuilderArn"

// Image is one AMI as the release workflows need it.
type Image struct {
	Region      string            `json:"region"`
	ID          string            `json:"ami"`
	Name        string            `json:"name"`
	State       string            `json:"state"`
	Deprecation *time.Time        `json:"deprecationTime,omitempty"`
	Tags        map[string]string `json:"-"`
}

// Build is the image build an AMI came from.
func (i Image) Build() string { return i.Tags[tagBuild] }

// Label is the SSM label a promotion puts on the channel's version: the
// build's version, "v1.0.3-2" for .../image/name/1.0.3/2. SSM labels may not
// start with a digit and take letters, digits, '.', '-' and '_' only.
func Label(buildARN string) string {
	parts := strings.Split(buildARN, "/")
	if len(parts) < 2 {
		return ""
	}
	return "v" + parts[len(parts)-2] + "-" + parts[len(parts)-1]
}

func imageOf(region string, img types.Image) Image {
	out := Image{Region: region, ID: aws.ToString(img.ImageId), Name: aws.ToString(img.Name), State: string(img.State), Tags: map[string]string{}}
	for _, t := range img.Tags {
		out.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	if d := aws.ToString(img.DeprecationTime); d != "" {
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			out.Deprecation = &t
		}
	}
	return out
}

// describe1 reads one AMI by ID in a region, deprecated and disabled ones
// included (they are what the gates must see); nil when it does not exist.
func (r *Runner) describe1(ctx context.Context, region, id string) (*Image, error) {
	res, err := r.EC2(region).DescribeImages(ctx, &ec2.DescribeImagesInput{
		ImageIds: []string{id}, IncludeDeprecated: aws.Bool(true), IncludeDisabled: aws.Bool(true),
	})
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading AMI %s in %s: %w", id, region, err)
	}
	if len(res.Images) == 0 {
		return nil, nil
	}
	img := imageOf(region, res.Images[0])
	return &img, nil
}

// describeIn reads AMIs by ID in one region, up to 200 a call, deprecated
// and disabled ones included; one that no longer exists is missing from the
// map (a filter, not ImageIds, so that it does not fail the call).
func (r *Runner) describeIn(ctx context.Context, region string, ids []string) (map[string]Image, error) {
	out := map[string]Image{}
	for start := 0; start < len(ids); start += awsapi.MaxFilterValues {
		batch := ids[start:min(start+awsapi.MaxFilterValues, len(ids))]
		res, err := r.EC2(region).DescribeImages(ctx, &ec2.DescribeImagesInput{
			Filters:           []types.Filter{{Name: aws.String("image-id"), Values: batch}},
			IncludeDeprecated: aws.Bool(true), IncludeDisabled: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("reading AMIs %s in %s: %w", strings.Join(batch, ", "), region, err)
		}
		for _, img := range res.Images {
			out[aws.ToString(img.ImageId)] = imageOf(region, img)
		}
	}
	return out, nil
}

func isNotFound(err error) bool {
	var api interface{ ErrorCode() string }
	return errors.As(err, &api) && api.ErrorCode() == "InvalidAMIID.NotFound"
}

// BuildImages finds a build's AMIs of the caller's account in every region
// of the channel, by the build's tag; a region without one is missing from
// the map.
func (r *Runner) BuildImages(ctx context.Context, build string) (map[string]Image, error) {
	out := map[string]Image{}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.limit())
	for _, region := range r.regions() {
		g.Go(func() error {
			res, err := r.EC2(region).DescribeImages(ctx, &ec2.DescribeImagesInput{
				Owners:            []string{"self"},
				Filters:           []types.Filter{{Name: aws.String("tag:" + tagBuild), Values: []string{build}}},
				IncludeDeprecated: aws.Bool(true), IncludeDisabled: aws.Bool(true),
			})
			if err != nil {
				return fmt.Errorf("finding the AMIs of build %s in %s: %w", build, region, err)
			}
			if len(res.Images) > 0 {
				mu.Lock()
				out[region] = imageOf(region, res.Images[0])
				mu.Unlock()
			}
			return nil
		})
	}
	return out, g.Wait()
}

// FindAMI finds an AMI given by ID in the channel's regions (home first),
// so that `--ami` may name any region's copy of a build.
func (r *Runner) FindAMI(ctx context.Context, id string) (Image, error) {
	for _, region := range r.regions() {
		img, err := r.describe1(ctx, region, id)
		if err != nil {
			return Image{}, err
		}
		if img != nil {
			return *img, nil
		}
	}
	return Image{}, fmt.Errorf("AMI %s was not found in the spec's regions (%s) with these credentials", id, strings.Join(r.regions(), ", "))
}
