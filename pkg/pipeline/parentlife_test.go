package pipeline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

func lifeSpec() *spec.Spec {
	return &spec.Spec{
		Name: "ci", Region: "us-east-1",
		Base:       spec.Base{Windows: "2022", Edition: "Core", EKSOptimized: &spec.EKSOptimized{Release: "2026.08.12"}},
		Kubernetes: spec.Kubernetes{Version: "1.35"},
	}
}

func date(y int, m time.Month, d int) eksami.Date { return eksami.Date{Year: y, Month: m, Day: d} }

// TestParentWarnings covers each branch: EC2's deprecation (past, within
// 30 days, far), Amazon's four-month retention of a pinned public release
// (past, within 30 days, far), and the parents retention does not reach:
// the latest release and the account's copy.
func TestParentWarnings(t *testing.T) {
	day := 24 * time.Hour
	now := time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC)
	pinned := pipeline.Parent{Image: "ami-0123", Release: "1.35-2026.08.12", ReleaseDate: date(2026, 8, 12), Pinned: true}
	with := func(p pipeline.Parent, f func(*pipeline.Parent)) pipeline.Parent { f(&p); return p }
	fresh := with(pinned, func(p *pipeline.Parent) { p.ReleaseDate, p.Release = date(2026, 11, 11), "1.35-2026.11.11" })
	cases := []struct {
		name   string
		parent pipeline.Parent
		want   []string // one substring per warning, in order
		fix    string   // a substring of the first warning's fix
	}{
		{"fresh pin, no deprecation", fresh, nil, ""},
		{"fresh pin, deprecated far ahead", with(fresh, func(p *pipeline.Parent) { p.DeprecationTime = now.Add(31 * day).Format(time.RFC3339) }), nil, ""},
		{"fresh pin, deprecated in 10 days", with(fresh, func(p *pipeline.Parent) { p.DeprecationTime = now.Add(10 * day).Format(time.RFC3339) }),
			[]string{"parent AMI ami-0123 (1.35-2026.11.11) is deprecated on 2026-12-13T12:00:00Z, in 10 days"}, "winami ami copy --windows 2022 --edition core --kubernetes 1.35 --release 2026.11.11 --regions us-east-1"},
		{"fresh pin, deprecated yesterday", with(fresh, func(p *pipeline.Parent) { p.DeprecationTime = now.Add(-day).Format(time.RFC3339) }),
			[]string{"is deprecated since 2026-12-02T12:00:00Z"}, "copy: true"},
		{"pin going private in 9 days", pinned,
			[]string{"released on 2026-08-12; Amazon makes EKS optimized Windows AMIs private 4 months after release, so about 2026-12-12 (in 9 days)"},
			"winami ami copy --windows 2022 --edition core --kubernetes 1.35 --release 2026.08.12 --regions us-east-1, then set base.eksOptimized.release: \"2026.08.12\" and copy: true; or move the pin"},
		{"pin older than retention, and deprecated", with(pinned, func(p *pipeline.Parent) {
			p.ReleaseDate, p.Release, p.DeprecationTime = date(2026, 7, 1), "1.35-2026.07.01", "2026-11-01T00:00:00Z"
		}), []string{"is deprecated since 2026-11-01", "more than the 4 months Amazon keeps EKS optimized Windows AMIs public"}, "winami ami copy"},
		{"latest release: no retention warning", with(pinned, func(p *pipeline.Parent) { p.Pinned = false; p.ReleaseDate = date(2026, 7, 1) }), nil, ""},
		{"the account's copy: no retention warning", with(pinned, func(p *pipeline.Parent) { p.Copy = true; p.ReleaseDate = date(2026, 7, 1) }), nil, ""},
		{"the account's copy, deprecated soon", with(pinned, func(p *pipeline.Parent) { p.Copy = true; p.DeprecationTime = now.Add(day).Format(time.RFC3339) }),
			[]string{"in 1 day"}, "aws ec2 disable-image-deprecation --image-id ami-0123 --region us-east-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := pipeline.ParentWarnings(lifeSpec(), c.parent, now)
			if len(got) != len(c.want) {
				t.Fatalf("%d warnings, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i].Message, w) {
					t.Errorf("warning %d = %q, want it to say %q", i, got[i].Message, w)
				}
				if got[i].Fix == "" {
					t.Errorf("warning %d has no fix", i)
				}
			}
			if c.fix != "" && !strings.Contains(got[0].Fix, c.fix) {
				t.Errorf("fix = %q, want it to say %q", got[0].Fix, c.fix)
			}
		})
	}
}
