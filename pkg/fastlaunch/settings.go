package fastlaunch

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// EC2's rules and defaults for Fast Launch.
const (
	// MinParallel is the fewest parallel launches EnableFastLaunch accepts
	// (Image Builder accepts fewer, and EC2 then refuses).
	MinParallel = 6
	// DefaultTargetSnapshots is EC2's default number of pre-provisioned
	// snapshots.
	DefaultTargetSnapshots = 5
	// DefaultRegionQuota is EC2's default quota of parallel launches per
	// region, summed over every AMI with Fast Launch.
	DefaultRegionQuota = 40
	// ServiceLinkedRole is the role EC2 creates on first use.
	ServiceLinkedRole = "AWSServiceRoleForEC2FastLaunch"
	// ServiceLinkedRoleService is its service principal.
	ServiceLinkedRoleService = "ec2fastlaunch.amazonaws.com"
)

// LaunchTemplate names the launch template Fast Launch pre-provisions
// with: by ID or name, and a version ("" = the default version).
type LaunchTemplate struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// String is NAME|ID[:VERSION], the form ParseLaunchTemplate reads.
func (t LaunchTemplate) String() string {
	s := t.ID
	if s == "" {
		s = t.Name
	}
	if t.Version != "" {
		s += ":" + t.Version
	}
	return s
}

var (
	templateID      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^lt-[0-9a-f]{17}$`) })
	templateName    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`) })
	templateVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([1-9][0-9]{0,17}|\$Latest|\$Default)$`) })
)

// ParseLaunchTemplate reads NAME|ID[:VERSION]: an ID is lt- and 17 hex
// digits, a name 3-128 letters, digits and ( ) . - / _; a version a
// number, $Latest or $Default.
func ParseLaunchTemplate(s string) (LaunchTemplate, error) {
	ref, version, hasVersion := strings.Cut(s, ":")
	var t LaunchTemplate
	switch {
	case templateID().MatchString(ref):
		t.ID = ref
	case strings.HasPrefix(ref, "lt-") && len(ref) != 20:
		return t, fmt.Errorf("launch template %q: an ID is lt- and 17 hex digits", s)
	case templateName().MatchString(ref):
		t.Name = ref
	default:
		return t, fmt.Errorf("launch template %q: give a name (3-128 letters, digits and ( ) . - / _) or an ID (lt-…), optionally :VERSION", s)
	}
	if hasVersion {
		if !templateVersion().MatchString(version) {
			return t, fmt.Errorf("launch template %q: the version is a number, $Latest or $Default", s)
		}
		t.Version = version
	}
	return t, nil
}

// Settings are what Fast Launch is enabled with; zero values mean EC2's
// defaults, or what the AMI already has when it is reconfigured.
type Settings struct {
	TargetSnapshots int32           `json:"targetSnapshots"`
	MaxParallel     int32           `json:"maxParallelLaunches"`
	LaunchTemplate  *LaunchTemplate `json:"launchTemplate,omitempty"`
}

// withDefaults fills in EC2's defaults.
func (s Settings) withDefaults() Settings {
	if s.TargetSnapshots == 0 {
		s.TargetSnapshots = DefaultTargetSnapshots
	}
	if s.MaxParallel == 0 {
		s.MaxParallel = MinParallel
	}
	return s
}

// keeping fills the settings left zero from the AMI's current ones.
func (s Settings) keeping(cur Status) Settings {
	if s.TargetSnapshots == 0 {
		s.TargetSnapshots = cur.TargetSnapshots
	}
	if s.MaxParallel == 0 {
		s.MaxParallel = cur.MaxParallel
	}
	if s.LaunchTemplate == nil {
		s.LaunchTemplate = cur.LaunchTemplate
	}
	return s
}
