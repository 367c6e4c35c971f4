package eksami

import (
	"testing"
	"time"
)

func TestParseAMIName(t *testing.T) {
	k, d, err := ParseAMIName("Windows_Server-2025-English-Full-EKS_Optimized-1.35-2025.12.09")
	if err != nil {
		t.Fatal(err)
	}
	if k != (Key{"2025", "Full", "1.35"}) || d != (Date{2025, time.December, 9}) {
		t.Errorf("got %+v %v", k, d)
	}
	for _, bad := range []string{
		"",
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35",                 // no date
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15-copy", // suffix
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025-01-15",      // flag date form
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.1.15",       // not zero-padded
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.02.30",      // no such day
		"Windows_Server-2022-English-core-EKS_Optimized-1.35-2025.01.15",      // edition case
		"Windows_Server-2016-English-Core-EKS_Optimized-1.35-2025.01.15",      // unknown Windows
		"Windows_Server-2022-English-Core-Base-2025.01.15",                    // the plain base AMI
		"Windows_Server-2022-English-Core-EKS_Optimized-1.035-2025.01.15",     // leading zero
		"Windows_Server-2022-English-Core-EKS_Optimized-v1.35-2025.01.15",
		"Windows_Server-2022-Japanese-Core-EKS_Optimized-1.35-2025.01.15",
		"amazon-eks-node-1.35-v20250115",
	} {
		if k, d, err := ParseAMIName(bad); err == nil {
			t.Errorf("ParseAMIName(%q) = %+v %v; want an error", bad, k, d)
		}
	}
}

// FuzzParseAMIName checks the parser never panics and that every name it
// accepts is exactly what Key.AMIName formats back.
func FuzzParseAMIName(f *testing.F) {
	for _, seed := range []string{
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15",
		"Windows_Server-2019-English-Full-EKS_Optimized-1.23-2023.06.13",
		"Windows_Server-2025-English-Core-EKS_Optimized-1.40-2027.12.31",
		"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15-copy",
		"Windows_Server-2022-English-Core-EKS_Optimized--",
		"Windows_Server--English--EKS_Optimized-1.-0000.00.00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k, d, err := ParseAMIName(name)
		if err != nil {
			return
		}
		if got := k.AMIName(d); got != name {
			t.Fatalf("round trip: parse(%q) formats as %q", name, got)
		}
		if err := k.WellFormed(); err != nil {
			t.Fatalf("accepted %q with malformed key: %v", name, err)
		}
	})
}
