package world

import (
	"strings"
	"time"
)

// NodegroupUpdateConfig is a managed node group's updateConfig: one of
// MaxUnavailable and MaxUnavailablePercentage is set.
type NodegroupUpdateConfig struct {
	MaxUnavailable           int32 `json:"maxUnavailable,omitempty"`
	MaxUnavailablePercentage int32 `json:"maxUnavailablePercentage,omitempty"`
}

// MaxUnavailableOf is how many of the group's nodes an update replaces at
// once: maxUnavailable, or the percentage of the desired size (rounded
// down, at least one).
func (ng *Nodegroup) MaxUnavailableOf() int {
	uc := ng.UpdateConfig
	switch {
	case uc == nil:
		return 1
	case uc.MaxUnavailable > 0:
		return int(uc.MaxUnavailable)
	case uc.MaxUnavailablePercentage > 0:
		return max(1, int(ng.DesiredSize*uc.MaxUnavailablePercentage/100))
	}
	return 1
}

// EKS update types and parameter types this sandbox makes.
const (
	EKSUpdateVersion = "VersionUpdate"
)

// EKSUpdate is an EKS update of a cluster or of one of its node groups, as
// DescribeUpdate reports it. A node group version update follows its
// Replacement: its status is the replacement's.
type EKSUpdate struct {
	ID          string           `json:"id"`
	Type        string           `json:"type"`
	Nodegroup   string           `json:"nodegroup,omitempty"`
	Params      []EKSUpdateParam `json:"params"`
	CreatedAt   time.Time        `json:"createdAt"`
	ClientToken string           `json:"clientToken,omitempty"`
	Replacement string           `json:"replacement,omitempty"`
	// Status and Errors are set once the replacement ends; while it runs the
	// status is InProgress.
	Status string         `json:"status"`
	Errors []ReplaceError `json:"errors,omitempty"`
	// Target is what the node group becomes on success.
	Target NodegroupTarget `json:"target"`
}

// EKSUpdateParam is one parameter of an update ("Version", "ReleaseVersion",
// "LaunchTemplateName", "LaunchTemplateVersion", ...).
type EKSUpdateParam struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// NodegroupTarget is what a version update moves the node group to.
type NodegroupTarget struct {
	Version        string             `json:"version,omitempty"`
	ReleaseVersion string             `json:"releaseVersion,omitempty"`
	LaunchTemplate *LaunchTemplateRef `json:"launchTemplate,omitempty"`
}

// SyncEKSUpdates carries the state of every running node group update over
// from its replacement: on success the node group takes its new release
// version and launch template version. Call it after AdvanceReplacements.
func (w *World) SyncEKSUpdates(region string, now time.Time) {
	for _, key := range w.ClusterKeys(region) {
		c := w.Cluster(region, key)
		for _, u := range c.Updates {
			if u.Status != ReplaceInProgress || u.Replacement == "" {
				continue
			}
			rp := w.Replacement(region, u.Replacement)
			if rp == nil || !rp.Done() {
				continue
			}
			u.Status, u.Errors = rp.Status, rp.Errors
			ng := c.Nodegroups[u.Nodegroup]
			if ng == nil {
				continue
			}
			ng.Status = "ACTIVE"
			if rp.Finished != nil {
				ng.ModifiedAt = *rp.Finished
			}
			if rp.Status == ReplaceSuccessful {
				if u.Target.Version != "" {
					ng.Version = u.Target.Version
				}
				if u.Target.ReleaseVersion != "" {
					ng.ReleaseVersion = u.Target.ReleaseVersion
				}
				if lt := u.Target.LaunchTemplate; lt != nil {
					ng.LaunchTemplate = &LaunchTemplateRef{ID: lt.ID, Name: lt.Name, Version: lt.Version}
				}
			}
		}
	}
}

// ImageByName is the region's image of that name (any owner), or nil.
func (r *Region) ImageByName(name string) *Image { return imageNamed(r, name) }

// WindowsReleaseImage is the EKS optimized Windows AMI of a node group's
// AMI type (e.g. WINDOWS_CORE_2022_x86_64) and release version (e.g.
// "1.35-2026.11.11"), or nil when EKS has no such release.
func (r *Region) WindowsReleaseImage(amiType, releaseVersion string) *Image {
	key, ok := windowsKeyOf(amiType)
	if !ok {
		return nil
	}
	minor, stamp, ok := strings.Cut(releaseVersion, "-")
	if !ok {
		return nil
	}
	key.Kubernetes = minor
	return imageNamed(r, key.ParameterName()+"-"+stamp)
}

// LatestWindowsRelease is the newest release version of an AMI type for a
// Kubernetes version, or "" when there is none.
func (r *Region) LatestWindowsRelease(amiType, kubernetes string) string {
	dates := ReleaseDates()
	for i := len(dates) - 1; i >= 0; i-- {
		rv := kubernetes + "-" + ReleaseStamp(dates[i])
		if r.WindowsReleaseImage(amiType, rv) != nil {
			return rv
		}
	}
	return ""
}

// windowsKeyOf reads an EKS Windows AMI type: WINDOWS_<EDITION>_<YEAR>_x86_64.
func windowsKeyOf(amiType string) (EKSWindowsKey, bool) {
	parts := strings.Split(amiType, "_")
	if len(parts) != 5 || parts[0] != "WINDOWS" {
		return EKSWindowsKey{}, false
	}
	edition := parts[1][:1] + strings.ToLower(parts[1][1:])
	return EKSWindowsKey{Windows: parts[2], Edition: edition}, true
}
