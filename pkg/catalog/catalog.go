// Package catalog finds the EKS optimized Windows AMIs in AWS: the latest via
// SSM, the history via EC2, the published matrix by probing SSM. What their
// names mean is pkg/eksami's.
//
// Which Windows/edition/Kubernetes combinations exist is never hard-coded: it
// is probed. The only built-in rule (eksami.Key.RuledOut) is that Windows
// Server 2025 AMIs start at Kubernetes 1.35, used to explain errors and to
// skip hopeless probes.
package catalog

import "strconv"

const (
	// RegionsPath is the public SSM path listing the AWS regions.
	RegionsPath = "/aws/service/global-infrastructure/regions"

	// DefaultMinKubernetesMinor and DefaultMaxKubernetesMinor bound the
	// Kubernetes versions probed (1.23..1.40) when nothing else is configured.
	DefaultMinKubernetesMinor = 23
	DefaultMaxKubernetesMinor = 40
)

// kubernetesCandidates lists "1.min".."1.max". Every Windows version gets
// the whole range: the probe, not a rule written here, decides what exists.
func kubernetesCandidates(minMinor, maxMinor int) []string {
	var out []string
	for m := minMinor; m <= maxMinor; m++ {
		out = append(out, "1."+strconv.Itoa(m))
	}
	return out
}
