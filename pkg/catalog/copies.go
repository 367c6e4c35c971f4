package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

// NoCopyError says the account holds no usable copy of a release in a
// region: none was made (winami ami copy makes one), or it is not
// available yet.
type NoCopyError struct {
	Key     eksami.Key
	Region  string
	Release eksami.Date
	// State is the copy's state when one exists but is not available
	// ("pending", "failed"); "" when there is none.
	State string
	// CopyID is that copy's ID.
	CopyID string
}

func (e *NoCopyError) Error() string {
	how := fmt.Sprintf("winami ami copy --windows %s --edition %s --kubernetes %s --release %s --regions %s",
		e.Key.Windows, e.Key.Edition, e.Key.Kubernetes, e.Release.NameForm(), e.Region)
	if e.State != "" {
		return fmt.Sprintf("the account's copy %s of %s is %s in %s, not available: wait for it, or run %s again",
			e.CopyID, e.Key.AMIName(e.Release), e.State, e.Region, how)
	}
	return fmt.Sprintf("the account holds no copy of %s in %s: make one with %s", e.Key.AMIName(e.Release), e.Region, how)
}

func (e *NoCopyError) regionName() string { return e.Region }

// CopyImages returns the account's copies of key's release d in region, in
// any state, the newest first (there may be several, copied by hand): the
// images the caller owns whose winami:copy-of tag names the public AMI
// (the public AMI's ID is no use once Amazon has made it private). One
// DescribeImages call. Copy picks the usable one; winami ami copy also
// follows a pending one.
func (f *Finder) CopyImages(ctx context.Context, key eksami.Key, region string, d eksami.Date) ([]types.Image, error) {
	out, err := f.ec2(region).DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners:            []string{"self"},
		Filters:           []types.Filter{{Name: aws.String("tag:" + amimeta.TagCopyOf), Values: []string{key.AMIName(d)}}},
		IncludeDeprecated: aws.Bool(true), // a deprecated copy still builds; the warnings say so
	})
	if err != nil {
		return nil, &awsapi.RegionError{Region: region, Err: fmt.Errorf("looking for the account's copy of %s: %w", key.AMIName(d), err)}
	}
	imgs := slices.Clone(out.Images)
	slices.SortStableFunc(imgs, func(a, b types.Image) int {
		return -strings.Compare(aws.ToString(a.CreationDate), aws.ToString(b.CreationDate))
	})
	return imgs, nil
}

// Copy finds the account's available copy of key's release d in region
// (the newest of CopyImages). The copy is returned as a Release of the
// same key and date, with the copy's ID, name and deprecation time.
func (f *Finder) Copy(ctx context.Context, key eksami.Key, region string, d eksami.Date) (Release, error) {
	if err := key.WellFormed(); err != nil {
		return Release{}, err
	}
	imgs, err := f.CopyImages(ctx, key, region, d)
	if err != nil {
		return Release{}, err
	}
	var notReady *types.Image
	for i, img := range imgs {
		if img.State != types.ImageStateAvailable {
			if notReady == nil {
				notReady = &imgs[i]
			}
			continue
		}
		return Release{
			Region: region, Key: key, AMIID: aws.ToString(img.ImageId), Name: aws.ToString(img.Name),
			ReleaseVersion: key.ReleaseVersion(d), ReleaseDate: d,
			CreationDate: aws.ToString(img.CreationDate), DeprecationTime: aws.ToString(img.DeprecationTime),
		}, nil
	}
	e := &NoCopyError{Key: key, Region: region, Release: d}
	if notReady != nil {
		e.State, e.CopyID = string(notReady.State), aws.ToString(notReady.ImageId)
	}
	return Release{}, e
}
