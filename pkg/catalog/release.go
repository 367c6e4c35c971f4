package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/eksami"
)

// Release is one EKS optimized Windows AMI in one region. Its JSON form is
// flat and part of winami's stable output:
//
//	{"region":"us-east-1","windows":"2022","edition":"Core","kubernetes":"1.35",
//	 "amiId":"ami-…","name":"Windows_Server-…-2025.01.15","releaseVersion":"1.35-2025.01.15",
//	 "releaseDate":"2025-01-15","latest":true,"creationDate":"2025-01-16T03:04:05.000Z"}
type Release struct {
	Region string `json:"region"`
	eksami.Key
	AMIID          string `json:"amiId"`
	Name           string `json:"name,omitempty"`
	Description    string `json:"-"`
	ReleaseVersion string `json:"releaseVersion,omitempty"`
	// ReleaseDate is the date in the AMI name; zero when unknown (SSM
	// published an AMI ID without its JSON metadata).
	ReleaseDate eksami.Date `json:"releaseDate,omitzero"`
	// Latest is true for the AMI that SSM currently publishes for the key.
	Latest bool `json:"latest"`
	// CreationDate is EC2's timestamp, known only for releases found through
	// EC2; it differs between regions and copies, so never sort by it.
	CreationDate string `json:"creationDate,omitempty"`
	// DeprecationTime is when EC2 deprecates the AMI (RFC 3339); Amazon
	// makes its EKS optimized Windows AMIs private some months after release.
	DeprecationTime string `json:"deprecationTime,omitempty"`
}

// releaseFromImage turns an EC2 image into a Release, or reports false when
// its name is not an EKS optimized Windows AMI name.
func releaseFromImage(region string, img types.Image) (Release, bool) {
	if img.Name == nil || img.ImageId == nil {
		return Release{}, false
	}
	k, d, err := eksami.ParseAMIName(*img.Name)
	if err != nil {
		return Release{}, false
	}
	r := Release{
		Region:         region,
		Key:            k,
		AMIID:          *img.ImageId,
		Name:           *img.Name,
		ReleaseVersion: k.ReleaseVersion(d),
		ReleaseDate:    d,
	}
	if img.Description != nil {
		r.Description = *img.Description
	}
	if img.CreationDate != nil {
		r.CreationDate = *img.CreationDate
	}
	r.DeprecationTime = aws.ToString(img.DeprecationTime)
	return r, true
}

// sortReleases orders newest release first, then by key, then by the
// position of the region in regions, then AMI ID so the order is total.
func sortReleases(rs []Release, regions []string) {
	slices.SortStableFunc(rs, func(a, b Release) int {
		if c := b.ReleaseDate.Compare(a.ReleaseDate); c != 0 {
			return c
		}
		if c := a.Key.Compare(b.Key); c != 0 {
			return c
		}
		if c := slices.Index(regions, a.Region) - slices.Index(regions, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.AMIID, b.AMIID)
	})
}

// NotPublishedError says SSM publishes no AMI for Key in Region, and which
// Kubernetes versions of the same Windows version and edition it does publish.
type NotPublishedError struct {
	Key    eksami.Key
	Region string
	// Nearest holds the published Kubernetes versions closest to Key's, below
	// and above (at most one each), ascending. Empty when none is published or
	// the probe for them failed.
	Nearest []string
	// Reason is a known rule that rules the key out, or "".
	Reason string
}

func (e *NotPublishedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no EKS optimized AMI is published for %s in %s", e.Key, e.Region)
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	if len(e.Nearest) > 0 {
		fmt.Fprintf(&b, "; nearest published Kubernetes versions: %s", strings.Join(e.Nearest, ", "))
	} else {
		fmt.Fprintf(&b, "; no Kubernetes version of Windows Server %s %s is published there", e.Key.Windows, e.Key.Edition)
	}
	return b.String()
}

func (e *NotPublishedError) regionName() string { return e.Region }

// NoReleaseError says no release of Key in Region matches the requested
// release date (or none is on or before the cut-off), and lists those that exist.
type NoReleaseError struct {
	Key    eksami.Key
	Region string
	Query  ResolveQuery
	// Available are the releases that exist, newest first.
	Available []Release
	// unlisted is set when listing the existing releases failed, so the
	// message does not claim there are none.
	unlisted bool
}

func (e *NoReleaseError) Error() string {
	var b strings.Builder
	switch {
	case e.Query.Release != nil:
		fmt.Fprintf(&b, "no %s AMI released on %s in %s", e.Key, e.Query.Release, e.Region)
	case e.Query.Before != nil:
		fmt.Fprintf(&b, "no %s AMI released on or before %s in %s", e.Key, e.Query.Before, e.Region)
	default:
		fmt.Fprintf(&b, "no %s AMI in %s", e.Key, e.Region)
	}
	if e.unlisted {
		return b.String()
	}
	if len(e.Available) == 0 {
		b.WriteString("; no release of it is public there")
		return b.String()
	}
	dates := make([]string, len(e.Available))
	for i, r := range e.Available {
		dates[i] = r.ReleaseDate.String()
	}
	fmt.Fprintf(&b, "; releases available: %s (EKS makes Windows AMIs private about four months after release)", strings.Join(dates, ", "))
	return b.String()
}

func (e *NoReleaseError) regionName() string { return e.Region }

// regional is implemented by errors that already name their region, so the
// per-region wrapper does not name it twice.
type regional interface{ regionName() string }

// NamesRegion reports whether err is a catalog error that names region
// already, so that a caller wrapping its per-region failures in an
// awsapi.RegionError does not name the region twice.
func NamesRegion(err error, region string) bool {
	var named regional
	return errors.As(err, &named) && named.regionName() == region
}
