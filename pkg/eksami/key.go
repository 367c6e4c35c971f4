// Package eksami knows the names of EKS optimized Windows AMIs: their
// Windows versions, editions and builds, Kubernetes versions, release dates,
// AMI names and SSM parameter names. It is pure (no AWS calls, no SDK), so
// that the spec and other offline code can use it without the SDK's weight;
// pkg/catalog finds these AMIs in AWS.
package eksami

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	// OwnerAccount is the AWS account that publishes the EKS optimized AMIs (alias "amazon").
	OwnerAccount = "801119661308"
	// ParameterRoot is the SSM path under which the latest Windows AMIs are published.
	ParameterRoot = "/aws/service/ami-windows-latest"

	// min2025Minor is the first Kubernetes minor with Windows Server 2025 AMIs.
	min2025Minor = 35
)

// WindowsVersions returns the Windows Server versions EKS builds AMIs of.
func WindowsVersions() []string { return []string{"2019", "2022", "2025"} }

// Editions returns the Windows Server editions, as spelled in AMI names.
func Editions() []string { return []string{"Core", "Full"} }

// WindowsBuild returns the OS build ("10.0.20348") of a Windows Server
// version, or "" for an unknown version. It is what the node label
// node.kubernetes.io/windows-build holds and what container images must match.
func WindowsBuild(windows string) string {
	switch windows {
	case "2019":
		return "10.0.17763"
	case "2022":
		return "10.0.20348"
	case "2025":
		return "10.0.26100"
	}
	return ""
}

// Key names one series of EKS optimized Windows AMIs: every monthly release of
// one Windows version, edition and Kubernetes minor version. Its JSON fields
// are flattened into Release.
type Key struct {
	Windows    string `json:"windows"`    // "2019", "2022" or "2025"
	Edition    string `json:"edition"`    // "Core" or "Full"
	Kubernetes string `json:"kubernetes"` // "1.35"
}

// ParseWindows accepts a Windows Server version as a user types it ("2022",
// "ltsc2022", "Windows Server 2022", "windows-2022") and returns the canonical "2022".
func ParseWindows(s string) (string, error) {
	v := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
	v = strings.TrimPrefix(v, "windows")
	v = strings.TrimPrefix(v, "server")
	v = strings.TrimPrefix(v, "ltsc")
	for _, w := range WindowsVersions() {
		if v == w {
			return w, nil
		}
	}
	return "", fmt.Errorf("unknown Windows Server version %q: valid values are %s", s, strings.Join(WindowsVersions(), ", "))
}

// ParseEdition accepts "core" or "full" in any case and returns "Core" or "Full".
func ParseEdition(s string) (string, error) {
	for _, e := range Editions() {
		if strings.EqualFold(strings.TrimSpace(s), e) {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown Windows Server edition %q: valid values are Core, Full", s)
}

// ParseKubernetes accepts a Kubernetes minor version "1.35" (or "v1.35") and
// returns it canonical ("1.35").
func ParseKubernetes(s string) (string, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if _, ok := KubernetesMinor(v); !ok {
		return "", fmt.Errorf("invalid Kubernetes version %q: want a minor version like 1.35", s)
	}
	return v, nil
}

// ParseKey parses the three parts of a key and validates the result.
func ParseKey(windows, edition, kubernetes string) (Key, error) {
	var k Key
	var err error
	if k.Windows, err = ParseWindows(windows); err != nil {
		return Key{}, err
	}
	if k.Edition, err = ParseEdition(edition); err != nil {
		return Key{}, err
	}
	if k.Kubernetes, err = ParseKubernetes(kubernetes); err != nil {
		return Key{}, err
	}
	return k, k.Validate()
}

// KubernetesMinor returns NN of a canonical "1.NN" (no sign, no leading zero).
func KubernetesMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok || !isCanonicalUint(rest) {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n < 1000
}

// isCanonicalUint reports whether s is digits only, without a leading zero
// (except "0"), so that formatting the parsed number gives s back.
func isCanonicalUint(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// WellFormed checks each field is canonical, without the 2025 rule: a
// finder asks AWS rather than refusing on the strength of a rule.
func (k Key) WellFormed() error {
	if WindowsBuild(k.Windows) == "" {
		return fmt.Errorf("unknown Windows Server version %q: valid values are %s", k.Windows, strings.Join(WindowsVersions(), ", "))
	}
	if k.Edition != "Core" && k.Edition != "Full" {
		return fmt.Errorf("unknown Windows Server edition %q: valid values are Core, Full", k.Edition)
	}
	if _, ok := KubernetesMinor(k.Kubernetes); !ok {
		return fmt.Errorf("invalid Kubernetes version %q: want a minor version like 1.35", k.Kubernetes)
	}
	return nil
}

// Validate checks the key is well formed and not ruled out by a known rule
// (Windows Server 2025 AMIs exist only for Kubernetes 1.35 and later).
func (k Key) Validate() error {
	if err := k.WellFormed(); err != nil {
		return err
	}
	if reason := k.RuledOut(); reason != "" {
		return fmt.Errorf("no EKS optimized AMI for %s: %s", k, reason)
	}
	return nil
}

// RuledOut explains why the key cannot exist by a known rule, or returns "".
func (k Key) RuledOut() string {
	if m, ok := KubernetesMinor(k.Kubernetes); ok && k.Windows == "2025" && m < min2025Minor {
		return fmt.Sprintf("Windows Server 2025 EKS AMIs exist only for Kubernetes 1.%d and later", min2025Minor)
	}
	return ""
}

// String is the human name used in messages.
func (k Key) String() string {
	return fmt.Sprintf("Windows Server %s %s, Kubernetes %s", k.Windows, k.Edition, k.Kubernetes)
}

// NamePrefix is the AMI name without the release date, which is also the SSM
// parameter's name: "Windows_Server-2022-English-Core-EKS_Optimized-1.35".
func (k Key) NamePrefix() string {
	return "Windows_Server-" + k.Windows + "-English-" + k.Edition + "-EKS_Optimized-" + k.Kubernetes
}

// LatestParameter is the SSM parameter whose value is the latest AMI ID.
func (k Key) LatestParameter() string { return k.MetadataParameter() + "/image_id" }

// MetadataParameter is the SSM parameter holding the latest release as JSON
// (image_id, image_name, release_version).
func (k Key) MetadataParameter() string { return ParameterRoot + "/" + k.NamePrefix() }

// AMIName is the AMI name of the release of date d.
func (k Key) AMIName(d Date) string { return k.NamePrefix() + "-" + d.NameForm() }

// ReleaseVersion is EKS's release version of the release of date d: "1.35-2025.01.15".
func (k Key) ReleaseVersion(d Date) string { return k.Kubernetes + "-" + d.NameForm() }

// Compare orders keys by Windows version, edition, then Kubernetes version
// numerically (1.9 before 1.10).
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.Windows, o.Windows); c != 0 {
		return c
	}
	if c := strings.Compare(k.Edition, o.Edition); c != 0 {
		return c
	}
	a, _ := KubernetesMinor(k.Kubernetes)
	b, _ := KubernetesMinor(o.Kubernetes)
	if a != b {
		return a - b
	}
	return strings.Compare(k.Kubernetes, o.Kubernetes)
}
