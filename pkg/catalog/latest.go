package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/winami/winami/pkg/eksami"
)

// latestMetadata is the JSON document at Key.MetadataParameter.
type latestMetadata struct {
	ImageID        string `json:"image_id"`
	ImageName      string `json:"image_name"`
	ReleaseVersion string `json:"release_version"`
}

// Latest returns the AMI that SSM publishes as latest for key in each region,
// in the order of regions. It costs exactly one SSM call per region (both
// parameters in one GetParameters); only when the key is not published does it
// probe which Kubernetes versions are, to name them in a *NotPublishedError.
// On error, the result holds the regions that succeeded.
func (f *Finder) Latest(ctx context.Context, key eksami.Key, regions []string) ([]Release, error) {
	if err := key.WellFormed(); err != nil {
		return nil, err
	}
	results := make([]*Release, len(regions))
	err := eachRegion(ctx, regions, func(ctx context.Context, i int, region string) error {
		r, err := f.latestIn(ctx, key, region)
		if err != nil {
			return err
		}
		results[i] = &r
		return nil
	})
	return compact(results), err
}

func (f *Finder) latestIn(ctx context.Context, key eksami.Key, region string) (Release, error) {
	client := f.ssm(region)
	out, err := client.GetParameters(ctx, &ssm.GetParametersInput{
		Names: []string{key.LatestParameter(), key.MetadataParameter()},
	})
	if err != nil {
		return Release{}, fmt.Errorf("reading the latest AMI of %s from SSM: %w", key, err)
	}
	var amiID, metadata string
	var haveMetadata bool
	for _, p := range out.Parameters {
		switch aws.ToString(p.Name) {
		case key.LatestParameter():
			amiID = aws.ToString(p.Value)
		case key.MetadataParameter():
			metadata, haveMetadata = aws.ToString(p.Value), true
		}
	}
	r := Release{Region: region, Key: key, AMIID: amiID, Latest: true}
	if haveMetadata {
		var m latestMetadata
		if err := json.Unmarshal([]byte(metadata), &m); err != nil {
			// The AMI ID is the answer; the metadata only decorates it.
			if r.AMIID != "" {
				return r, nil
			}
			return Release{}, fmt.Errorf("decoding SSM parameter %s: %w", key.MetadataParameter(), err)
		}
		if r.AMIID == "" {
			r.AMIID = m.ImageID
		}
		r.Name = m.ImageName
		r.ReleaseVersion = m.ReleaseVersion
		if _, d, err := eksami.ParseAMIName(m.ImageName); err == nil {
			r.ReleaseDate = d
		} else if d, err := eksami.ParseDate(m.ReleaseVersion); err == nil {
			r.ReleaseDate = d
		}
		if r.ReleaseVersion == "" && !r.ReleaseDate.IsZero() {
			r.ReleaseVersion = key.ReleaseVersion(r.ReleaseDate)
		}
	}
	if r.AMIID == "" {
		return Release{}, f.notPublished(ctx, key, region)
	}
	return r, nil
}

// notPublished builds the error for a key SSM does not publish, probing the
// Kubernetes versions of the same Windows version and edition (this error
// path alone pays for the probe). A failed probe still yields the error, just
// without nearest versions: the missing key is the news.
func (f *Finder) notPublished(ctx context.Context, key eksami.Key, region string) error {
	e := &NotPublishedError{Key: key, Region: region, Reason: key.RuledOut()}
	var names []string
	byName := map[string]string{}
	for _, v := range kubernetesCandidates(f.kubeMin, f.kubeMax) {
		k := eksami.Key{Windows: key.Windows, Edition: key.Edition, Kubernetes: v}
		names = append(names, k.LatestParameter())
		byName[k.LatestParameter()] = v
	}
	found, err := getParameters(ctx, f.ssm(region), f.concurrency, names)
	if err != nil {
		return e
	}
	var published []string
	for name := range found {
		published = append(published, byName[name])
	}
	e.Nearest = nearestVersions(key.Kubernetes, published)
	return e
}

// nearestVersions returns the published versions closest to want: the
// highest below and the lowest above (want itself if published), ascending.
func nearestVersions(want string, published []string) []string {
	w, _ := eksami.KubernetesMinor(want)
	below, above := -1, -1
	for _, v := range published {
		m, ok := eksami.KubernetesMinor(v)
		if !ok {
			continue
		}
		if m < w && m > below {
			below = m
		}
		if m >= w && (above < 0 || m < above) {
			above = m
		}
	}
	var out []string
	for _, m := range []int{below, above} {
		if m >= 0 {
			out = append(out, fmt.Sprintf("1.%d", m))
		}
	}
	return slices.Compact(out)
}

// compact drops nil entries (regions that failed) and dereferences the rest.
func compact(rs []*Release) []Release {
	out := make([]Release, 0, len(rs))
	for _, r := range rs {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}
