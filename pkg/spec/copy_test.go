package spec

import (
	"strings"
	"testing"
)

// TestEKSOptimizedCopyNeedsARelease: a copy is of one release, so copy
// with latest or before is refused, naming the field.
func TestEKSOptimizedCopyNeedsARelease(t *testing.T) {
	head := "apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: p\nregion: us-east-1\nkubernetes: {version: '1.35'}\nbuild: {instanceProfile: winami-build}\n"
	for base, bad := range map[string]bool{
		"base: {windows: 2022, edition: core, eksOptimized: {release: '2026.08.12', copy: true}}": false,
		"base: {windows: 2022, edition: core, eksOptimized: {copy: true}}":                        true,
		"base: {windows: 2022, edition: core, eksOptimized: {release: latest, copy: true}}":       true,
		"base: {windows: 2022, edition: core, eksOptimized: {before: '2026-10-01', copy: true}}":  true,
	} {
		s, err := Parse("w.yaml", []byte(head+base+"\n"))
		if bad {
			if err == nil || !strings.Contains(err.Error(), "base.eksOptimized.copy: a copy is of one release") {
				t.Errorf("%s: %v, want base.eksOptimized.copy refused", base, err)
			}
			continue
		}
		if err != nil || !s.Base.EKSOptimized.Copy {
			t.Errorf("%s: %v", base, err)
		}
	}
}

// TestEKSOptimizedPinned: a release date or before: pins the parent;
// latest, nothing, or no eksOptimized at all follows SSM.
func TestEKSOptimizedPinned(t *testing.T) {
	cases := []struct {
		e    *EKSOptimized
		want bool
	}{
		{nil, false},
		{&EKSOptimized{}, false},
		{&EKSOptimized{Release: DefaultRelease}, false},
		{&EKSOptimized{Release: "2026.08.12"}, true},
		{&EKSOptimized{Release: "2026.08.12", Copy: true}, true},
		{&EKSOptimized{Before: "2026-08-12"}, true},
		{&EKSOptimized{Release: DefaultRelease, Before: "2026-08-12"}, true},
	}
	for _, c := range cases {
		if got := c.e.Pinned(); got != c.want {
			t.Errorf("%+v.Pinned() = %v, want %v", c.e, got, c.want)
		}
	}
}
