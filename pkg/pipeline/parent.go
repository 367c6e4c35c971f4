package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/spec"
)

// ResolveParent turns the spec's base into the recipe's parent image. An
// EKS optimized base is pinned to one AMI when you plan — "latest" included
// — so the plan shows which release a build will use and a new monthly AMI
// reaches the pipeline only through another apply. A Windows base image
// "latest" is Image Builder's x.x.x, resolved by the service at build time.
func ResolveParent(ctx context.Context, finder *catalog.Finder, s *spec.Spec) (Parent, error) {
	if wb := s.Base.WindowsBase; wb != nil {
		version := wb.Release
		if version == "" || version == "latest" {
			version = "x.x.x"
		}
		name := WindowsBaseImageName(s.Base.Windows, s.Base.Edition)
		return Parent{
			Image:   fmt.Sprintf("arn:%s:imagebuilder:%s:aws:image/%s/%s", awsapi.Partition(s.Region), s.Region, name, version),
			Release: name + " " + version,
		}, nil
	}
	key, err := eksami.ParseKey(s.Base.Windows, s.Base.Edition, s.Kubernetes.Version)
	if err != nil {
		return Parent{}, err
	}
	var r catalog.Release
	eks := s.Base.EKSOptimized
	pinned := eks.Pinned()
	switch {
	case !pinned:
		rs, err := finder.Latest(ctx, key, []string{s.Region})
		if err != nil {
			return Parent{}, err
		}
		r = rs[0]
	case eks.Copy:
		// The account's copy of the pinned release (winami ami copy):
		// Amazon's retention does not reach it.
		d, err := eksami.ParseDate(eks.Release)
		if err != nil {
			return Parent{}, err
		}
		if r, err = finder.Copy(ctx, key, s.Region, d); err != nil {
			return Parent{}, err
		}
	default:
		var q catalog.ResolveQuery
		raw := eks.Release
		if eks.Before != "" {
			raw = eks.Before
		}
		d, err := eksami.ParseDate(raw)
		if err != nil {
			return Parent{}, err
		}
		if eks.Before != "" {
			q.Before = &d
		} else {
			q.Release = &d
		}
		if r, err = finder.Resolve(ctx, key, s.Region, q); err != nil {
			return Parent{}, err
		}
	}
	return Parent{
		Image: r.AMIID, Release: r.ReleaseVersion, ReleaseDate: r.ReleaseDate, DeprecationTime: r.DeprecationTime,
		Pinned: pinned, Copy: pinned && eks.Copy,
	}, nil
}

// WindowsBaseImageName is the AWS-managed Image Builder image of a Windows
// Server version and edition.
func WindowsBaseImageName(windows, edition string) string {
	return fmt.Sprintf("windows-server-%s-english-%s-base-x86", windows, strings.ToLower(edition))
}
