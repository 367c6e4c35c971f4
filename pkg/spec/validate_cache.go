package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/winami/winami/pkg/imageref"
)

// Limits of the image cache.
const (
	// MaxCacheImages bounds cache.images: each image adds gigabytes to the
	// AMI and minutes to every build, and the AMI records each reference.
	MaxCacheImages = 50
	// MaxParallelPulls bounds cache.parallelPulls (pkg/component's limit).
	MaxParallelPulls = 16
	// firstContainerdKubernetes is the first Kubernetes minor whose EKS
	// Windows AMIs run containerd; up to 1.23 they run Docker.
	firstContainerdKubernetes = 24
)

// cache checks the image cache: full, valid and distinct references (they
// reach PowerShell, so nothing doubtful passes), a sane number of pulls at
// once, and pinning only where containerd can pin.
func (c *checker) cache() {
	ca := c.s.Cache
	if ca == nil {
		return
	}
	switch n := len(ca.Images); {
	case ca.Images == nil:
		c.add("cache.images", "missing; list the images to bake into the AMI as full references, e.g. images: [mcr.microsoft.com/windows/servercore:ltsc2022]")
	case n == 0:
		c.add("cache.images", "an empty list; give at least one image, or leave cache out")
	case n > MaxCacheImages:
		c.add("cache.images", "%d images; at most %d can be cached (each adds to the AMI's size and to every build's time)", n, MaxCacheImages)
	}
	for i, img := range ca.Images {
		p := fmt.Sprintf("cache.images[%d]", i)
		if _, err := imageref.Parse(img); err != nil {
			c.add(p, "%v", err)
		} else if j := slices.Index(ca.Images, img); j < i {
			c.add(p, "%s is listed twice", img)
		}
	}
	if n := ca.ParallelPulls; n < 1 || n > MaxParallelPulls {
		c.add("cache.parallelPulls", "%d pulls at once; use 1 to %d (default %d)", n, MaxParallelPulls, DefaultParallelPulls)
	}
	if ca.Pin != nil && *ca.Pin && c.kubeOK {
		if minor, ok := kubernetesMinor(c.s.Kubernetes.Version); ok && minor < firstContainerdKubernetes {
			c.add("cache.pin", "Kubernetes %s nodes run Docker, which cannot pin images; pinning (containerd's io.cri-containerd.pinned label) needs Kubernetes 1.24 or later: set pin: false, or use a later Kubernetes version", c.s.Kubernetes.Version)
		}
	}
}

// kubernetesMinor is NN of a canonical "1.NN".
func kubernetesMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}
