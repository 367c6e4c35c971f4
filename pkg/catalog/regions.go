package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/winami/winami/pkg/awsapi"
)

// regionsPageSize is MaxResults for GetParametersByPath (SSM allows at most 10).
const regionsPageSize = 10

// Regions returns the AWS region codes, sorted, asking region's SSM for its
// public list under RegionsPath. SSM lists every region of the partition.
// Identities without ssm:GetParametersByPath fall back to EC2 DescribeRegions,
// which lists only the regions enabled for the account.
func (f *Finder) Regions(ctx context.Context, region string) ([]string, error) {
	regions, err := f.ssmRegions(ctx, region)
	if err == nil {
		return regions, nil
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || !isAccessDenied(apiErr.ErrorCode()) {
		return nil, &awsapi.RegionError{Region: region, Err: err}
	}
	regions, ec2Err := f.ec2Regions(ctx, region)
	if ec2Err != nil {
		return nil, &awsapi.RegionError{Region: region, Err: errors.Join(err, ec2Err)}
	}
	return regions, nil
}

func isAccessDenied(code string) bool {
	return code == "AccessDeniedException" || code == "AccessDenied" || code == "UnauthorizedOperation"
}

func (f *Finder) ssmRegions(ctx context.Context, region string) ([]string, error) {
	in := &ssm.GetParametersByPathInput{
		Path:       aws.String(RegionsPath),
		Recursive:  aws.Bool(false),
		MaxResults: aws.Int32(regionsPageSize),
	}
	var out []string
	pages := ssm.NewGetParametersByPathPaginator(f.ssm(region), in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing regions from SSM %s: %w", RegionsPath, err)
		}
		for _, p := range page.Parameters {
			// The name's last element is the region code (the value is too).
			if code := path.Base(aws.ToString(p.Name)); code != "" && code != "." && code != "/" {
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func (f *Finder) ec2Regions(ctx context.Context, region string) ([]string, error) {
	resp, err := f.ec2(region).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, fmt.Errorf("listing regions from EC2: %w", err)
	}
	var out []string
	for _, r := range resp.Regions {
		if name := aws.ToString(r.RegionName); name != "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}
