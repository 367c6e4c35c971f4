package fastlaunch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
)

// Target is one AMI in the region it lives in.
type Target struct {
	AMI    string
	Region string
	Image  types.Image
}

// Locate finds each AMI in the regions given — an AMI ID belongs to one
// region — with one DescribeImages call per region and 200 AMIs, regions
// at once (at most DefaultLimit). An AMI found in none is an error naming
// the regions searched.
func Locate(ctx context.Context, ec2For func(region string) awsapi.EC2API, amis, regions []string) ([]Target, error) {
	images := make([][]types.Image, len(regions))
	// The first error fails Locate: the other regions' answers would go
	// unused, so their calls are cancelled.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(DefaultLimit)
	for i, region := range regions {
		g.Go(func() error {
			for batch := range slices.Chunk(amis, awsapi.MaxFilterValues) {
				// A filter, not ImageIds: an ID of another region must not
				// fail the whole call with InvalidAMIID.NotFound.
				out, err := ec2For(region).DescribeImages(gctx, &ec2.DescribeImagesInput{
					Filters:           []types.Filter{{Name: aws.String("image-id"), Values: batch}},
					IncludeDeprecated: aws.Bool(true),
				})
				if err != nil {
					return fmt.Errorf("looking for the AMIs in %s: %w", region, err)
				}
				images[i] = append(images[i], out.Images...)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var targets []Target
	for i, imgs := range images {
		for _, img := range imgs {
			targets = append(targets, Target{AMI: aws.ToString(img.ImageId), Region: regions[i], Image: img})
		}
	}
	var missing []string
	for _, id := range amis {
		if !slices.ContainsFunc(targets, func(t Target) bool { return t.AMI == id }) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: no such AMI in %s (or not visible to this account): name its region with --regions",
			strings.Join(missing, ", "), strings.Join(regions, ", "))
	}
	// The order asked for, whatever order the regions answered in.
	slices.SortStableFunc(targets, func(a, b Target) int { return slices.Index(amis, a.AMI) - slices.Index(amis, b.AMI) })
	return targets, nil
}
