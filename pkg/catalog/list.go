package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/winami/winami/pkg/eksami"
)

// describeImagesPageSize is MaxResults for DescribeImages (EC2 allows 6..1000).
// EC2 rejects MaxResults together with ImageIds; winami never sends ImageIds.
const describeImagesPageSize = 1000

// ListQuery selects releases; empty fields match anything.
type ListQuery struct {
	Windows    string
	Edition    string
	Kubernetes string
	// Since keeps releases on or after this date.
	Since *eksami.Date
}

// normalize canonicalizes the set fields, so "core" works like "Core".
func (q ListQuery) normalize() (ListQuery, error) {
	var err error
	if q.Windows != "" {
		if q.Windows, err = eksami.ParseWindows(q.Windows); err != nil {
			return q, err
		}
	}
	if q.Edition != "" {
		if q.Edition, err = eksami.ParseEdition(q.Edition); err != nil {
			return q, err
		}
	}
	if q.Kubernetes != "" {
		if q.Kubernetes, err = eksami.ParseKubernetes(q.Kubernetes); err != nil {
			return q, err
		}
	}
	return q, nil
}

// nameFilter is the DescribeImages name filter, "*" for every unset part:
// "Windows_Server-2022-English-*-EKS_Optimized-1.35-*".
func (q ListQuery) nameFilter() string {
	orAny := func(s string) string {
		if s == "" {
			return "*"
		}
		return s
	}
	return eksami.Key{Windows: orAny(q.Windows), Edition: orAny(q.Edition), Kubernetes: orAny(q.Kubernetes)}.NamePrefix() + "-*"
}

func (q ListQuery) matches(r Release) bool {
	return (q.Windows == "" || q.Windows == r.Windows) &&
		(q.Edition == "" || q.Edition == r.Edition) &&
		(q.Kubernetes == "" || q.Kubernetes == r.Kubernetes) &&
		(q.Since == nil || !r.ReleaseDate.Before(*q.Since))
}

// List returns the public releases matching q in each region, newest release
// first (by the date in the name, never CreationDate), then by key and region,
// each marked Latest when SSM publishes it as the latest. Cost per region: one
// DescribeImages per page of up to 1000 images, plus one GetParameters per 10
// distinct keys found. On error, the result holds the regions that succeeded.
func (f *Finder) List(ctx context.Context, q ListQuery, regions []string) ([]Release, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	perRegion := make([][]Release, len(regions))
	err = eachRegion(ctx, regions, func(ctx context.Context, i int, region string) error {
		rs, err := f.describe(ctx, region, q.nameFilter())
		if err != nil {
			return err
		}
		rs = slices.DeleteFunc(rs, func(r Release) bool { return !q.matches(r) })
		if err := f.markLatest(ctx, region, rs); err != nil {
			return err
		}
		perRegion[i] = rs
		return nil
	})
	all := slices.Concat(perRegion...)
	sortReleases(all, regions)
	return all, err
}

// describe lists the Amazon-owned images whose name matches nameFilter and
// that parse as EKS optimized Windows AMI names.
func (f *Finder) describe(ctx context.Context, region, nameFilter string) ([]Release, error) {
	// Deprecated releases too: EC2 leaves them out otherwise, and a
	// release pinned by date, or running on nodes, is still what it is
	// until Amazon makes it private.
	in := &ec2.DescribeImagesInput{
		Owners:            []string{eksami.OwnerAccount},
		Filters:           []types.Filter{{Name: aws.String("name"), Values: []string{nameFilter}}},
		MaxResults:        aws.Int32(describeImagesPageSize),
		IncludeDeprecated: aws.Bool(true),
	}
	var out []Release
	pages := ec2.NewDescribeImagesPaginator(f.ec2(region), in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing EC2 images named %s: %w", nameFilter, err)
		}
		for _, img := range page.Images {
			if r, ok := releaseFromImage(region, img); ok {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// markLatest sets Latest on the releases SSM publishes as latest, asking for
// every distinct key in batches of 10.
func (f *Finder) markLatest(ctx context.Context, region string, rs []Release) error {
	var names []string
	for _, r := range rs {
		if n := r.LatestParameter(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	latest, err := getParameters(ctx, f.ssm(region), f.concurrency, names)
	if err != nil {
		return fmt.Errorf("reading which releases are latest: %w", err)
	}
	for i := range rs {
		rs[i].Latest = latest[rs[i].LatestParameter()] == rs[i].AMIID
	}
	return nil
}

// ResolveQuery pins a release: exactly one of Release (that release date) or
// Before (the newest release on or before that date).
type ResolveQuery struct {
	Release *eksami.Date
	Before  *eksami.Date
}

// Resolve finds one release of key in region. With q.Release it asks EC2 for
// the exact AMI name; with q.Before it lists the key's releases and takes the
// newest on or before the date. Either way one SSM call marks Latest. When
// nothing matches, the *NoReleaseError lists the releases that exist.
func (f *Finder) Resolve(ctx context.Context, key eksami.Key, region string, q ResolveQuery) (Release, error) {
	if err := key.WellFormed(); err != nil {
		return Release{}, err
	}
	if (q.Release == nil) == (q.Before == nil) {
		return Release{}, errors.New("resolving a release needs exactly one of a release date or a before date")
	}
	var found *Release
	err := eachRegion(ctx, []string{region}, func(ctx context.Context, _ int, region string) error {
		r, err := f.resolveIn(ctx, key, region, q)
		if err != nil {
			return err
		}
		found = &r
		return nil
	})
	if err != nil {
		return Release{}, err
	}
	return *found, nil
}

func (f *Finder) resolveIn(ctx context.Context, key eksami.Key, region string, q ResolveQuery) (Release, error) {
	filter := key.NamePrefix() + "-*"
	if q.Release != nil {
		filter = key.AMIName(*q.Release)
	}
	// A pin names a release: EC2's deprecation does not undo it.
	all, err := f.describe(ctx, region, filter)
	if err != nil {
		return Release{}, err
	}
	all = slices.DeleteFunc(all, func(r Release) bool { return r.Key != key })
	rs := slices.DeleteFunc(slices.Clone(all), func(r Release) bool {
		return q.Before != nil && r.ReleaseDate.After(*q.Before)
	})
	if len(rs) == 0 {
		if q.Before != nil {
			// all already holds every release of the key.
			sortReleases(all, []string{region})
			return Release{}, &NoReleaseError{Key: key, Region: region, Query: q, Available: all}
		}
		return Release{}, f.noRelease(ctx, key, region, q)
	}
	sortReleases(rs, []string{region})
	best := rs[:1]
	if err := f.markLatest(ctx, region, best); err != nil {
		return Release{}, err
	}
	return best[0], nil
}

// noRelease builds the error for an exact-date query, listing the key's
// existing releases: one more DescribeImages, on the error path only.
func (f *Finder) noRelease(ctx context.Context, key eksami.Key, region string, q ResolveQuery) error {
	e := &NoReleaseError{Key: key, Region: region, Query: q}
	rs, err := f.describe(ctx, region, key.NamePrefix()+"-*")
	if err != nil {
		e.unlisted = true
		return fmt.Errorf("%w (and listing the existing releases failed: %w)", e, err)
	}
	rs = slices.DeleteFunc(rs, func(r Release) bool { return r.Key != key })
	sortReleases(rs, []string{region})
	e.Available = rs
	return e
}
