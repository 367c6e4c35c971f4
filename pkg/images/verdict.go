package images

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MinFlexibleBuild is the first Windows build (Server 2022) whose containerd
// runs images of older builds down to this one; hosts below it run only
// images of their own build.
const MinFlexibleBuild = 20348

// Windows Server LTSC builds by release name.
var namedBuilds = map[string]int{"2019": 17763, "2022": 20348, "2025": 26100}

// HostBuild is the Windows build of the node the images will run on. In
// JSON it is one string in os.version form (see MarshalJSON), the shape
// docs/images.md documents for `images check` and plan's imageCheck alike.
type HostBuild struct {
	Build    int
	Revision int // 0 when only the build is known
}

// String is "10.0.<build>", the form the verdicts use.
func (h HostBuild) String() string { return "10.0." + strconv.Itoa(h.Build) }

// OSVersion is "10.0.<build>", or "10.0.<build>.<revision>" when the
// revision is known (a spec's base.osBuild).
func (h HostBuild) OSVersion() string {
	if h.Revision > 0 {
		return h.String() + "." + strconv.Itoa(h.Revision)
	}
	return h.String()
}

// MarshalJSON writes the host as its OSVersion string, like the osVersion
// of the platforms beside it.
func (h HostBuild) MarshalJSON() ([]byte, error) { return json.Marshal(h.OSVersion()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (h *HostBuild) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("host build: want a string such as \"10.0.20348\": %w", err)
	}
	v, err := ParseHostBuild(s)
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHostBuild reads "2019", "2022", "2025" (also "ltsc2022") or an
// os.version "10.0.<build>[.<revision>]".
func ParseHostBuild(s string) (HostBuild, error) {
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "ltsc")
	if b, ok := namedBuilds[name]; ok {
		return HostBuild{Build: b}, nil
	}
	if !strings.HasPrefix(s, "10.0.") {
		return HostBuild{}, fmt.Errorf("windows version %q: want 2019, 2022, 2025 or a build 10.0.NNNNN[.R]", s)
	}
	b, r, err := parseOSVersion(s)
	if err != nil {
		return HostBuild{}, err
	}
	return HostBuild{Build: b, Revision: r}, nil
}

// parseOSVersion reads "10.0.<build>[.<revision>]".
func parseOSVersion(s string) (build, revision int, err error) {
	parts := strings.Split(s, ".")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "10" || parts[1] != "0" {
		return 0, 0, fmt.Errorf("os.version %q: want 10.0.<build>[.<revision>]", s)
	}
	build, err = strconv.Atoi(parts[2])
	if err != nil || build <= 0 || len(parts[2]) > 6 {
		return 0, 0, fmt.Errorf("os.version %q: the build %q is not a positive number", s, parts[2])
	}
	if len(parts) == 4 {
		revision, err = strconv.Atoi(parts[3])
		if err != nil || revision < 0 || len(parts[3]) > 9 {
			return 0, 0, fmt.Errorf("os.version %q: the revision %q is not a number", s, parts[3])
		}
	}
	return build, revision, nil
}

// Runs reports whether containerd on this host runs, with process
// isolation, an image built for build: below 20348 the builds must be
// equal; from 20348 on any image build between 20348 and the host's.
// Revisions never matter.
func (h HostBuild) Runs(build int) bool {
	if h.Build < MinFlexibleBuild {
		return build == h.Build
	}
	return build >= MinFlexibleBuild && build <= h.Build
}

// allowed describes the image builds the host runs.
func (h HostBuild) allowed() string {
	if h.Build <= MinFlexibleBuild {
		return "10.0." + strconv.Itoa(h.Build)
	}
	return fmt.Sprintf("10.0.%d to 10.0.%d", MinFlexibleBuild, h.Build)
}

// Platform is one platform an image offers: an index entry, or a single
// manifest's config.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	OSVersion    string `json:"osVersion,omitempty"`
}

func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.OSVersion != "" {
		s += ":" + p.OSVersion
	}
	return s
}

// Decision is the verdict of Decide: OK with the index of the chosen
// platform, or not with the reason.
type Decision struct {
	OK     bool
	Chosen int // index into the platforms; -1 when not OK
	Reason string
}

// Decide picks, among an image's platforms, the windows/amd64 entry the
// host runs with the highest build (then revision), or says why none fits.
func Decide(host HostBuild, platforms []Platform) Decision {
	no := func(format string, args ...any) Decision {
		return Decision{Chosen: -1, Reason: fmt.Sprintf(format, args...)}
	}
	if len(platforms) == 0 {
		return no("the image lists no platforms")
	}
	best, bestBuild, bestRev := -1, 0, 0
	var builds []string
	var bad []string
	windows, linux, unknown := 0, 0, 0
	for i, p := range platforms {
		switch {
		case p.OS == "":
			unknown++
		case p.OS == "linux":
			linux++
		}
		if p.OS != "windows" || p.Architecture != "amd64" {
			continue
		}
		windows++
		b, r, err := parseOSVersion(p.OSVersion)
		if err != nil {
			if p.OSVersion == "" {
				bad = append(bad, "a windows/amd64 entry has no os.version")
			} else {
				bad = append(bad, err.Error())
			}
			continue
		}
		v := "10.0." + strconv.Itoa(b)
		if !slices.Contains(builds, v) {
			builds = append(builds, v)
		}
		if !host.Runs(b) {
			continue
		}
		if best < 0 || b > bestBuild || (b == bestBuild && r > bestRev) {
			best, bestBuild, bestRev = i, b, r
		}
	}
	switch {
	case best >= 0:
		return Decision{OK: true, Chosen: best}
	case windows == 0 && linux == len(platforms):
		return no("Linux-only image")
	case windows == 0 && unknown == len(platforms):
		return no("the image's entries name no platform")
	case windows == 0:
		var have []string
		for _, p := range platforms {
			if s := p.String(); !slices.Contains(have, s) {
				have = append(have, s)
			}
		}
		return no("no windows/amd64 entry (has %s)", strings.Join(have, ", "))
	case len(builds) == 0:
		return no("%s", strings.Join(bad, "; "))
	default:
		return no("built for %s, a %s host runs only images built for %s", strings.Join(builds, " and "), host, host.allowed())
	}
}
