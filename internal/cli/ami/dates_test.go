package ami

import (
	"strings"
	"testing"

	"github.com/winami/winami/pkg/eksami"
)

func TestParseDateFlag(t *testing.T) {
	k135 := series{windows: "2022", edition: "Core", kubernetes: "1.35"}
	oct14 := eksami.Date{Year: 2026, Month: 10, Day: 14}
	for _, tt := range []struct {
		value string
		want  series
		// errs are the parts of the error; none means the value is accepted.
		errs []string
	}{
		{value: "2026.10.14", want: k135},
		{value: "2026-10-14", want: k135},
		{value: "1.35-2026.10.14", want: k135},
		{value: "1.34-2026.10.14", want: series{}}, // no --kubernetes: nothing to disagree with
		{value: "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14", want: k135},
		{value: "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.10.14", want: series{kubernetes: "1.35"}},
		{value: "1.34-2026.10.14", want: k135,
			errs: []string{"--release 1.34-2026.10.14 is for Kubernetes 1.34, but --kubernetes says 1.35", "only the date"}},
		{value: "Windows_Server-2019-English-Full-EKS_Optimized-1.35-2026.10.14", want: k135,
			errs: []string{"is for Windows Server 2019, edition Full, but --windows says 2022 and --edition says Core:"}},
		{value: "Windows_Server-2019-English-Full-EKS_Optimized-1.35-2026.10.14", want: series{edition: "Full"},
			errs: nil},
		{value: "2026/10/14", want: k135,
			errs: []string{`"2026/10/14" is not a date`, "YYYY-MM-DD", "YYYY.MM.DD", "1.35-2026.10.14", "AMI name"}},
		{value: "2026.13.14", want: k135, errs: []string{"YYYY.MM.DD"}},
		{value: "x.y-2026.10.14", want: k135, errs: []string{`invalid Kubernetes version "x.y"`}},
		{value: "Windows_Server-2022-English-Core-EKS_Optimized-1.35", want: k135, errs: []string{"not an EKS optimized Windows AMI name"}},
	} {
		d, err := parseDateFlag("--release", tt.value, tt.want)
		if len(tt.errs) == 0 {
			if err != nil || d == nil || *d != oct14 {
				t.Errorf("%s with %+v: %v, %v; want %v", tt.value, tt.want, d, err, oct14)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s with %+v: accepted as %v; want an error", tt.value, tt.want, d)
			continue
		}
		for _, part := range tt.errs {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s with %+v: error %q lacks %q", tt.value, tt.want, err, part)
			}
		}
	}
	if d, err := parseDateFlag("--since", "", k135); d != nil || err != nil {
		t.Errorf("empty flag: %v, %v", d, err)
	}
}
