package world

import (
	"strings"
	"testing"
	"time"
)

func TestWindowsOSBuild(t *testing.T) {
	rel := ReleaseDates()
	var prev string
	for _, r := range rel {
		got := WindowsOSBuild("2022", r.Add(6*time.Hour))
		if !strings.HasPrefix(got, "10.0.20348.") || got <= prev && prev != "" {
			t.Errorf("release %s: %s after %s", ReleaseStamp(r), got, prev)
		}
		// The day before a release is still the month before's build.
		if before := WindowsOSBuild("2022", r.Add(-time.Hour)); before == got {
			t.Errorf("%s: the day before the release already has build %s", ReleaseStamp(r), got)
		}
		prev = got
	}
	if WindowsOSBuild("2019", rel[0]) != "10.0.17763.7792" || WindowsOSBuild("2025", rel[0]) != "10.0.26100.5074" || WindowsOSBuild("2012", rel[0]) != "" {
		t.Errorf("builds of August 2026: %s %s %q", WindowsOSBuild("2019", rel[0]), WindowsOSBuild("2025", rel[0]), WindowsOSBuild("2012", rel[0]))
	}
}

func TestSeedImageBuilder(t *testing.T) {
	w := Seed(1)
	for _, r := range w.Regions {
		ib := r.ImageBuilder
		if ib == nil || len(ib.Components) != len(EKSComponentVersions())+4 || len(ib.Images) != 24 {
			t.Fatalf("%s: Image Builder %+v", r.Name, ib)
		}
		for arn, img := range ib.Images {
			if len(img.OutputAMIs) != 1 {
				t.Fatalf("%s: outputs %+v", arn, img.OutputAMIs)
			}
			ami := r.Images[img.OutputAMIs[0].ImageID]
			if ami == nil || ami.OwnerID != AmazonWindowsOwnerID || ami.OSBuild == "" || ami.OSBuild != img.OSBuild {
				t.Errorf("%s: AMI %+v", arn, ami)
			}
		}
	}
}
