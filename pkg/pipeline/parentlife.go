package pipeline

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/winami/winami/pkg/spec"
)

// ParentWarningAhead is how long before the parent AMI is deprecated, or
// made private, that plan, status and preflight start to warn. 30 days is
// one monthly EKS release: time to copy the release or move the pin before
// the scheduled builds that would fail.
const ParentWarningAhead = 30 * 24 * time.Hour

// PublicRetentionMonths is how long Amazon keeps each EKS optimized Windows
// AMI public, counted from its release; then it becomes private (the Amazon
// EKS User Guide's page "Create nodes with optimized Windows AMIs" states
// the rule: https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-windows-ami.html).
// EC2 does not expose that date; it follows from the release date.
const PublicRetentionMonths = 4

// ParentWarning is something about the parent AMI's future that will stop
// builds, with what to do about it.
type ParentWarning struct {
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// ParentWarnings says, at now, whether the spec's parent p is deprecated by
// EC2 or will be within ParentWarningAhead, and whether a pinned public
// release is (or is about to be) older than Amazon's retention. A parent
// that follows the latest release, or a Windows base image, ages with SSM
// and draws no retention warning.
func ParentWarnings(s *spec.Spec, p Parent, now time.Time) []ParentWarning {
	var out []ParentWarning
	what := fmt.Sprintf("parent AMI %s (%s)", p.Image, p.Release)
	if t, err := time.Parse(time.RFC3339, p.DeprecationTime); err == nil {
		switch left := t.Sub(now); {
		case left <= 0:
			out = append(out, ParentWarning{
				Message: fmt.Sprintf("%s is deprecated since %s: EC2 hides it from listings, and its owner may deregister it", what, t.UTC().Format(time.RFC3339)),
				Fix:     deprecationFix(s, p),
			})
		case left <= ParentWarningAhead:
			out = append(out, ParentWarning{
				Message: fmt.Sprintf("%s is deprecated on %s, in %s", what, t.UTC().Format(time.RFC3339), days(left)),
				Fix:     deprecationFix(s, p),
			})
		}
	}
	if !p.Pinned || p.Copy {
		return out
	}
	released := p.ReleaseDate
	if released.IsZero() {
		return out
	}
	private := time.Date(released.Year, released.Month, released.Day, 0, 0, 0, 0, time.UTC).AddDate(0, PublicRetentionMonths, 0)
	switch left := private.Sub(now); {
	case left <= 0:
		out = append(out, ParentWarning{
			Message: fmt.Sprintf("%s was released on %s, more than the %d months Amazon keeps EKS optimized Windows AMIs public: Amazon may make it private at any time, and builds will then fail",
				what, released, PublicRetentionMonths),
			Fix: copyFix(s, p),
		})
	case left <= ParentWarningAhead:
		out = append(out, ParentWarning{
			Message: fmt.Sprintf("%s was released on %s; Amazon makes EKS optimized Windows AMIs private %d months after release, so about %s (in %s), and builds will then fail",
				what, released, PublicRetentionMonths, private.Format(time.DateOnly), days(left)),
			Fix: copyFix(s, p),
		})
	}
	return out
}

// copyFix: copy the pinned release into the account and build on the
// copy, or move the pin.
func copyFix(s *spec.Spec, p Parent) string {
	rel := ""
	if !p.ReleaseDate.IsZero() {
		rel = p.ReleaseDate.NameForm()
	}
	return fmt.Sprintf("keep it: winami ami copy %s --release %s --regions %s, then set base.eksOptimized.release: %q and copy: true; or move the pin to a newer release (winami ami list %s --regions %s)",
		keyFlags(s), rel, s.Region, rel, keyFlags(s), s.Region)
}

// deprecationFix: a copy is the account's to keep; a public AMI's date is
// Amazon's, so the fix is a copy or another release.
func deprecationFix(s *spec.Spec, p Parent) string {
	if p.Copy {
		return fmt.Sprintf("the copy is the account's: move its date (aws ec2 enable-image-deprecation --image-id %s --deprecate-at <date> --region %s) or clear it (aws ec2 disable-image-deprecation --image-id %s --region %s); or move the pin to a newer release",
			p.Image, s.Region, p.Image, s.Region)
	}
	if !p.Pinned {
		return fmt.Sprintf("run winami plan -f <spec> again once SSM publishes a newer release; what exists: winami ami list %s --regions %s",
			keyFlags(s), s.Region)
	}
	return copyFix(s, p)
}

// keyFlags are the winami ami flags that name the spec's parent series.
func keyFlags(s *spec.Spec) string {
	return fmt.Sprintf("--windows %s --edition %s --kubernetes %s", s.Base.Windows, strings.ToLower(s.Base.Edition), s.Kubernetes.Version)
}

// days is a duration in whole days, rounded up: "3 days", "1 day".
func days(d time.Duration) string {
	n := int(math.Ceil(d.Hours() / 24))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
