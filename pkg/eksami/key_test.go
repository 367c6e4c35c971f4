package eksami

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseWindows(t *testing.T) {
	for in, want := range map[string]string{"2022": "2022", " 2019 ": "2019", "ltsc2025": "2025", "Windows Server 2022": "2022", "windows-2019": "2019"} {
		got, err := ParseWindows(in)
		if err != nil || got != want {
			t.Errorf("ParseWindows(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2016", "22", "2022x"} {
		_, err := ParseWindows(in)
		if err == nil || !strings.Contains(err.Error(), "2019, 2022, 2025") {
			t.Errorf("ParseWindows(%q) error = %v; want one listing the valid values", in, err)
		}
	}
}

func TestParseEdition(t *testing.T) {
	for in, want := range map[string]string{"core": "Core", "CORE": "Core", "Full": "Full", "fUlL": "Full"} {
		got, err := ParseEdition(in)
		if err != nil || got != want {
			t.Errorf("ParseEdition(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseEdition("nano")
	if err == nil || !strings.Contains(err.Error(), "Core, Full") {
		t.Errorf("ParseEdition(nano) error = %v; want one listing Core, Full", err)
	}
}

func TestParseKubernetes(t *testing.T) {
	for in, want := range map[string]string{"1.35": "1.35", "v1.9": "1.9", "1.100": "1.100"} {
		got, err := ParseKubernetes(in)
		if err != nil || got != want {
			t.Errorf("ParseKubernetes(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "1.", "2.1", "1.35.2", "1.035", "1.+5", "1.a", "1.-5"} {
		if got, err := ParseKubernetes(in); err == nil {
			t.Errorf("ParseKubernetes(%q) = %q, want an error", in, got)
		}
	}
}

func TestKeyValidate2025Rule(t *testing.T) {
	if err := (Key{"2025", "Core", "1.35"}).Validate(); err != nil {
		t.Errorf("2025/1.35: %v", err)
	}
	if err := (Key{"2022", "Full", "1.23"}).Validate(); err != nil {
		t.Errorf("2022/1.23: %v", err)
	}
	err := Key{"2025", "Full", "1.34"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "Windows Server 2025 EKS AMIs exist only for Kubernetes 1.35 and later") {
		t.Errorf("2025/1.34 error = %v; want the 2025 rule explained", err)
	}
	if err := (Key{"2022", "core", "1.35"}).Validate(); err == nil {
		t.Error("non-canonical edition accepted")
	}
	if _, err := ParseKey("2025", "core", "1.30"); err == nil {
		t.Error("ParseKey accepted 2025/1.30")
	}
	k, err := ParseKey("ltsc2022", "full", "v1.35")
	if err != nil || k != (Key{"2022", "Full", "1.35"}) {
		t.Errorf("ParseKey = %+v, %v", k, err)
	}
}

func TestKeyNames(t *testing.T) {
	k := Key{"2022", "Core", "1.35"}
	d, _ := NewDate(2025, time.January, 15)
	checks := map[string][2]string{
		"NamePrefix":        {k.NamePrefix(), "Windows_Server-2022-English-Core-EKS_Optimized-1.35"},
		"LatestParameter":   {k.LatestParameter(), "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id"},
		"MetadataParameter": {k.MetadataParameter(), "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35"},
		"AMIName":           {k.AMIName(d), "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15"},
		"ReleaseVersion":    {k.ReleaseVersion(d), "1.35-2025.01.15"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
}

func TestKeyCompareNumericKubernetes(t *testing.T) {
	if (Key{"2022", "Core", "1.9"}).Compare(Key{"2022", "Core", "1.10"}) >= 0 {
		t.Error("1.9 should sort before 1.10")
	}
	if (Key{"2019", "Full", "1.40"}).Compare(Key{"2022", "Core", "1.23"}) >= 0 {
		t.Error("2019 should sort before 2022")
	}
	if (Key{"2022", "Core", "1.40"}).Compare(Key{"2022", "Full", "1.23"}) >= 0 {
		t.Error("Core should sort before Full")
	}
}

func TestWindowsBuild(t *testing.T) {
	for w, want := range map[string]string{"2019": "10.0.17763", "2022": "10.0.20348", "2025": "10.0.26100", "2016": ""} {
		if got := WindowsBuild(w); got != want {
			t.Errorf("WindowsBuild(%s) = %q, want %q", w, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := Date{2025, time.January, 15}
	for _, in := range []string{"2025-01-15", "2025.01.15", "1.35-2025.01.15", " 2025-01-15 "} {
		got, err := ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2025-1-15", "2025/01/15", "2025-02-30", "2025-13-01", "0000-01-01", "2025-01-15T00:00", "+025-01-15", "2025-01-1x", "2025.01-15"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v; want an error", in, got)
		}
	}
	if _, err := NewDate(2024, time.February, 29); err != nil {
		t.Errorf("leap day rejected: %v", err)
	}
	if _, err := NewDate(2025, time.February, 29); err == nil {
		t.Error("2025-02-29 accepted")
	}
}

func TestDateOrderAndText(t *testing.T) {
	a, _ := ParseDate("2024-12-31")
	b, _ := ParseDate("2025-01-01")
	if !a.Before(b) || !b.After(a) || a.Compare(a) != 0 || b.Compare(a) != 1 {
		t.Error("date ordering wrong")
	}
	var d Date
	if err := json.Unmarshal([]byte(`"2025-03-11"`), &d); err != nil || d.String() != "2025-03-11" {
		t.Errorf("JSON round trip: %v %v", d, err)
	}
	if err := json.Unmarshal([]byte(`"March"`), &d); err == nil {
		t.Error("bad JSON date accepted")
	}
}
