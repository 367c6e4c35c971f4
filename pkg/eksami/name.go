package eksami

import (
	"fmt"
	"strings"
)

// ParseAMIName parses an EKS optimized Windows AMI name,
// "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15". It is
// strict: it accepts exactly the names Key.AMIName produces, so
// k.AMIName(d) == name for every accepted name, and anything else (other
// AMIs matched by a wildcard filter, copies with suffixes) is rejected.
func ParseAMIName(name string) (Key, Date, error) {
	fail := func(why string) (Key, Date, error) {
		return Key{}, Date{}, fmt.Errorf("not an EKS optimized Windows AMI name %q: %s", name, why)
	}
	rest, ok := strings.CutPrefix(name, "Windows_Server-")
	if !ok {
		return fail(`want prefix "Windows_Server-"`)
	}
	var k Key
	k.Windows, rest, ok = strings.Cut(rest, "-English-")
	if !ok || WindowsBuild(k.Windows) == "" {
		return fail("want a Windows Server version (" + strings.Join(WindowsVersions(), ", ") + `) then "-English-"`)
	}
	k.Edition, rest, ok = strings.Cut(rest, "-EKS_Optimized-")
	if !ok || (k.Edition != "Core" && k.Edition != "Full") {
		return fail(`want edition Core or Full then "-EKS_Optimized-"`)
	}
	// rest is "<K8S>-<YYYY.MM.DD>"; neither part contains '-'.
	k.Kubernetes, rest, ok = strings.Cut(rest, "-")
	if !ok {
		return fail("want <kubernetes>-<YYYY.MM.DD> after EKS_Optimized-")
	}
	if _, ok := KubernetesMinor(k.Kubernetes); !ok {
		return fail("want a Kubernetes version like 1.35")
	}
	d, ok := parseDateSep(rest, '.')
	if !ok {
		return fail("want a release date YYYY.MM.DD at the end")
	}
	return k, d, nil
}
