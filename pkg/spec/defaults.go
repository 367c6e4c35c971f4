package spec

import "fmt"

// Defaults, applied by ApplyDefaults before validation.
const (
	// DefaultAMIName names the AMIs: "prod-2022-core-k8s-1.35-<build date>".
	// Image Builder expands the build date, which keeps names unique.
	DefaultAMIName = "{{name}}-{{windows}}-{{edition}}-k8s-{{kubernetes}}-{{ imagebuilder:buildDate }}"
	// DefaultInstanceType has 4 vCPUs and 16 GiB: Windows builds, with
	// Windows Update and image extraction, crawl on less than 4 GiB.
	DefaultInstanceType = "m6i.xlarge"
	// DefaultRootVolumeGiB is the root volume of the EKS optimized Windows
	// AMIs; a volume cannot be smaller than the snapshot it is made from.
	DefaultRootVolumeGiB = 50
	// DefaultRelease picks the newest release of the parent image.
	DefaultRelease = "latest"
	// DefaultTargetSnapshots and DefaultMaxParallelLaunches are EC2 Fast
	// Launch's own defaults (and 6 is its minimum of parallel launches).
	DefaultTargetSnapshots     = 10
	DefaultMaxParallelLaunches = 6
	// DefaultParallelPulls is how many images the cache pulls at once:
	// Windows pulls are bound by extraction (disk and CPU), so a few at a
	// time beat one, and many at a time do not. It is
	// component.DefaultParallelPulls; a test keeps them equal.
	DefaultParallelPulls = 3
)

// ApplyDefaults fills what the spec leaves out. Parse calls it before
// validation; call it on a Spec built in Go before Validate. It leaves an
// explicitly empty list (instanceTypes: []) or zero (rootVolumeGiB: 0) of a
// parsed spec alone, for Validate to refuse.
func (s *Spec) ApplyDefaults() {
	if s.Tags == nil {
		s.Tags = map[string]string{}
	}
	b := &s.Base
	switch {
	case b.EKSOptimized == nil && b.WindowsBase == nil:
		// The EKS optimized AMI as parent is what AWS recommends.
		b.EKSOptimized = &EKSOptimized{Release: DefaultRelease}
	case b.EKSOptimized != nil && b.EKSOptimized.Release == "" && b.EKSOptimized.Before == "":
		b.EKSOptimized.Release = DefaultRelease
	case b.WindowsBase != nil && b.WindowsBase.Release == "":
		b.WindowsBase.Release = DefaultRelease
	}

	bu := &s.Build
	if bu.InstanceTypes == nil {
		bu.InstanceTypes = []string{DefaultInstanceType}
	}
	if bu.RootVolumeGiB == 0 && !s.inFile("build.rootVolumeGiB") {
		bu.RootVolumeGiB = DefaultRootVolumeGiB
	}
	if bu.TerminateOnFailure == nil {
		bu.TerminateOnFailure = new(true)
	}
	if bu.RequireIMDSv2 == nil {
		bu.RequireIMDSv2 = new(true)
	}

	if c := s.Cache; c != nil {
		if c.Pin == nil {
			// Pinning is containerd's; Kubernetes 1.23 and earlier nodes run
			// Docker, so the default follows the runtime. Asking for pin on
			// those is still an error.
			c.Pin = new(!dockerRuntime(s.Kubernetes.Version))
		}
		if c.Verify == nil {
			c.Verify = new(true)
		}
		if c.ParallelPulls == 0 && !s.inFile("cache.parallelPulls") {
			c.ParallelPulls = DefaultParallelPulls
		}
	}

	d := &s.Distribution
	if d.Regions == nil && s.Region != "" {
		d.Regions = []string{s.Region}
	}
	if d.AMIName == "" {
		d.AMIName = DefaultAMIName
	}
	if fl := d.FastLaunch; fl != nil && fl.Enabled {
		if fl.TargetSnapshots == 0 && !s.inFile("distribution.fastLaunch.targetSnapshots") {
			fl.TargetSnapshots = DefaultTargetSnapshots
		}
		if fl.MaxParallelLaunches == 0 && !s.inFile("distribution.fastLaunch.maxParallelLaunches") {
			fl.MaxParallelLaunches = DefaultMaxParallelLaunches
		}
	}
}

// dockerRuntime reports whether EKS Windows nodes of a Kubernetes version
// run Docker (1.23 and earlier) rather than containerd.
func dockerRuntime(kubernetes string) bool {
	var major, minor int
	if _, err := fmt.Sscanf(kubernetes, "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major == 1 && minor < 24
}
