package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/spec"
)

// HostBuild is the Windows build the spec's AMI runs: its pinned OS build,
// else its Windows Server version's build.
func HostBuild(s *spec.Spec) (images.HostBuild, error) {
	v := s.Base.Windows
	if s.Base.OSBuild != "" {
		v = s.Base.OSBuild
	}
	return images.ParseHostBuild(v)
}

// ImageChecker reads images from their registries and judges them for a
// Windows build: an *images.Checker, or a fake in a workflow's tests.
type ImageChecker interface {
	Check(ctx context.Context, host images.HostBuild, refs []imageref.Ref) (images.Report, error)
}

// ImageCheck is the verdict on the spec's cache images for its AMI's
// Windows build, and the digests the compatible ones are pinned to.
type ImageCheck struct {
	Report images.Report `json:"report"`
	Pins   Pins          `json:"pins"`
}

// CheckCacheImages reads every cache image of the spec from its registry
// and decides, with containerd's rule, whether it runs on the AMI's build.
// It returns an empty check when the spec caches nothing.
func CheckCacheImages(ctx context.Context, checker ImageChecker, s *spec.Spec) (*ImageCheck, error) {
	if s.Cache == nil || len(s.Cache.Images) == 0 {
		return &ImageCheck{Pins: Pins{}}, nil
	}
	host, err := HostBuild(s)
	if err != nil {
		return nil, err
	}
	refs := make([]imageref.Ref, len(s.Cache.Images))
	for i, img := range s.Cache.Images {
		if refs[i], err = imageref.Parse(img); err != nil {
			return nil, fmt.Errorf("cache.images[%d]: %w", i, err)
		}
	}
	rep, err := checker.Check(ctx, host, refs)
	if err != nil {
		return nil, err
	}
	c := &ImageCheck{Report: rep, Pins: Pins{}}
	for i, r := range rep.Images {
		if r.Verdict == images.Compatible && r.Digest != "" {
			c.Pins[s.Cache.Images[i]] = r.Digest
		}
	}
	return c, nil
}

// Problems lists, one line each, the images that cannot be baked in: those
// that do not run on the build and those that could not be read.
func (c *ImageCheck) Problems() []string {
	var out []string
	for _, r := range c.Report.Images {
		if r.Verdict != images.Compatible {
			out = append(out, fmt.Sprintf("%s: %s: %s", r.Image, r.Verdict, strings.TrimSpace(r.Reason)))
		}
	}
	return out
}

// CachePullPermissions are the permissions the build role needs to pull
// the spec's ECR cache images (none when it caches no ECR image).
func CachePullPermissions(s *spec.Spec) ([]images.Permission, error) {
	if s.Cache == nil {
		return nil, nil
	}
	refs := make([]imageref.Ref, 0, len(s.Cache.Images))
	for i, img := range s.Cache.Images {
		r, err := imageref.Parse(img)
		if err != nil {
			return nil, fmt.Errorf("cache.images[%d]: %w", i, err)
		}
		refs = append(refs, r)
	}
	return images.PullPermissions(refs), nil
}
