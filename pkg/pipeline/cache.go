package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/winami/winami/pkg/component"
	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/pkg/spec"
)

// cacheComponent is the generated component that bakes the spec's cache
// images into the AMI, or false when the spec caches nothing.
func cacheComponent(s *spec.Spec, pins Pins) (DesiredComponent, bool, error) {
	c := s.Cache
	if c == nil || len(c.Images) == 0 {
		return DesiredComponent{}, false, nil
	}
	refs := make([]imageref.Ref, 0, len(c.Images))
	digests := map[string]string{}
	for i, img := range c.Images {
		ref, err := imageref.Parse(img)
		if err != nil {
			return DesiredComponent{}, false, fmt.Errorf("cache.images[%d]: %w", i, err)
		}
		refs = append(refs, ref)
		if d := pins[img]; d != "" && ref.Digest == "" {
			digests[ref.String()] = d
		}
	}
	name := ResourceName(s.Name) + "-image-cache"
	doc, err := component.CacheDocument(name, component.CacheOptions{
		Images:        refs,
		Digests:       digests,
		Pin:           c.Pin == nil || *c.Pin,
		ParallelPulls: c.ParallelPulls,
		Verify:        c.Verify == nil || *c.Verify,
		Runtime:       runtimeFor(s.Kubernetes.Version),
	})
	if err != nil {
		return DesiredComponent{}, false, fmt.Errorf("rendering the image cache component: %w", err)
	}
	return DesiredComponent{
		Name:        name,
		Description: fmt.Sprintf("winami %s: bakes %d container image(s) into the AMI", s.Name, len(refs)),
		Data:        doc,
		Source:      "generated",
	}, true, nil
}

// CacheDocument is the AWSTOE document of the spec's image cache
// component, or false when the spec caches nothing. Images pinned in pins
// are pulled by digest; the others by tag.
func CacheDocument(s *spec.Spec, pins Pins) (string, bool, error) {
	c, ok, err := cacheComponent(s, pins)
	return c.Data, ok, err
}

// runtimeFor is the container runtime of EKS Windows AMIs for a Kubernetes
// version: containerd from 1.24 on, Docker before.
func runtimeFor(kubernetes string) string {
	minor, err := strconv.Atoi(strings.TrimPrefix(kubernetes, "1."))
	if err == nil && minor < 24 {
		return component.RuntimeDocker
	}
	return component.RuntimeContainerd
}
