package imagescmd

import (
	"errors"
	"strings"
	"testing"

	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/pkg/images"
)

func TestClusterExit(t *testing.T) {
	rep := func(vs ...images.Verdict) images.ClusterReport {
		r := images.ClusterReport{Target: images.HostBuild{Build: 26100}}
		for _, v := range vs {
			r.Images = append(r.Images, images.ClusterImage{Verdict: v})
		}
		return r
	}
	if err := ClusterExit(rep(images.Compatible)); err != nil {
		t.Errorf("all compatible: %v", err)
	}
	var code *cmdutil.ExitCodeError
	if err := ClusterExit(rep(images.Compatible, images.Unknown, images.Incompatible)); !errors.As(err, &code) || code.Code != cmdutil.ExitDifferences {
		t.Errorf("an incompatible image: %v, want exit 2", err)
	}
	// Unknown only: not passed, an error (exit 1) naming what is unknown.
	err := ClusterExit(rep(images.Compatible, images.Unknown))
	if err == nil || errors.As(err, &code) || !strings.Contains(err.Error(), "1 image(s) could not be read") {
		t.Errorf("an unknown image: %v, want an error", err)
	}
}
