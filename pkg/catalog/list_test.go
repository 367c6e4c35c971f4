package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/winami/winami/pkg/eksami"
)

func amiIDs(rs []Release) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Region + "/" + r.AMIID
	}
	return out
}

// checkDescribe asserts the DescribeImages input winami sends.
func checkDescribe(t *testing.T, in *ec2.DescribeImagesInput, wantName string) {
	t.Helper()
	if !slices.Equal(in.Owners, []string{eksami.OwnerAccount}) {
		t.Errorf("Owners = %v", in.Owners)
	}
	if len(in.Filters) != 1 || aws.ToString(in.Filters[0].Name) != "name" || !slices.Equal(in.Filters[0].Values, []string{wantName}) {
		t.Errorf("Filters = %+v, want name=%s", in.Filters, wantName)
	}
	if len(in.ImageIds) != 0 {
		t.Error("ImageIds sent (EC2 rejects them with MaxResults)")
	}
	if aws.ToInt32(in.MaxResults) != 1000 {
		t.Errorf("MaxResults = %v, want 1000", in.MaxResults)
	}
}

func TestListOneKey(t *testing.T) {
	w := testWorld()
	got, err := w.finder().List(t.Context(), ListQuery{Windows: "2022", Edition: "core", Kubernetes: "1.35"}, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	// Newest release first whatever the CreationDate (ami-a1 was created
	// last but released first); regions in the order given for equal dates.
	want := []string{"us-east-1/ami-a3", "eu-west-1/ami-w3", "us-east-1/ami-a2", "eu-west-1/ami-w2", "us-east-1/ami-a1"}
	if !slices.Equal(amiIDs(got), want) {
		t.Errorf("order = %v, want %v", amiIDs(got), want)
	}
	for _, r := range got {
		wantLatest := r.AMIID == "ami-a3" || r.AMIID == "ami-w3"
		if r.Latest != wantLatest {
			t.Errorf("%s Latest = %v", r.AMIID, r.Latest)
		}
		if r.CreationDate == "" || r.Description == "" || r.ReleaseVersion != "1.35-"+r.ReleaseDate.NameForm() {
			t.Errorf("incomplete release %+v", r)
		}
	}
	// Cost for one key: one DescribeImages page and one SSM call per region.
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		calls := w.ec2[region].describeCalls()
		if len(calls) != 1 {
			t.Fatalf("%s: %d DescribeImages calls, want 1", region, len(calls))
		}
		checkDescribe(t, calls[0], "Windows_Server-2022-English-Core-EKS_Optimized-1.35-*")
		ssmCalls := w.ssm[region].callsOf("GetParameters")
		if len(ssmCalls) != 1 || !slices.Equal(ssmCalls[0].Names, []string{k2022Core135.LatestParameter()}) {
			t.Errorf("%s: SSM calls %+v", region, ssmCalls)
		}
	}
}

func TestListWildcardsAndFilters(t *testing.T) {
	w := testWorld()
	got, err := w.finder().List(t.Context(), ListQuery{Kubernetes: "1.35"}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	checkDescribe(t, w.ec2["us-east-1"].describeCalls()[0], "Windows_Server-*-English-*-EKS_Optimized-1.35-*")
	// Newest first, then key order (2022 Core, 2022 Full, 2025 Core); the
	// "-copy" and Base images are skipped.
	want := []string{"us-east-1/ami-a3", "us-east-1/ami-f3", "us-east-1/ami-e3", "us-east-1/ami-a2", "us-east-1/ami-a1"}
	if !slices.Equal(amiIDs(got), want) {
		t.Errorf("got %v, want %v", amiIDs(got), want)
	}
	if n := len(w.ssm["us-east-1"].callsOf("GetParameters")); n != 1 {
		t.Errorf("%d SSM calls for 3 keys, want 1", n)
	}

	since, _ := eksami.ParseDate("2025-02-12")
	got, err = w.finder().List(t.Context(), ListQuery{Windows: "2022", Edition: "Core", Since: &since}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"us-east-1/ami-c3", "us-east-1/ami-b3", "us-east-1/ami-a3", "us-east-1/ami-a2"}
	if !slices.Equal(amiIDs(got), want) {
		t.Errorf("since: got %v, want %v", amiIDs(got), want)
	}
	if _, err := w.finder().List(t.Context(), ListQuery{Edition: "nano"}, []string{"us-east-1"}); err == nil {
		t.Error("bad edition accepted")
	}
}

// TestListPagesAndBatches lists a large world: more images than one page
// and more keys than one GetParameters call.
func TestListPagesAndBatches(t *testing.T) {
	w := newWorld()
	keys := NewFinder(nil, nil).matrixCandidates() // 108 keys
	dates := []string{"2024.11.12", "2024.12.10", "2025.01.15", "2025.02.12", "2025.03.11",
		"2025.04.08", "2025.05.13", "2025.06.10", "2025.07.08", "2025.08.12", "2025.09.09", "2025.10.14", "2025.11.11"}
	for i, k := range keys {
		for j, d := range dates {
			w.publish("us-east-1", k, d, fmt.Sprintf("ami-%03d-%02d", i, j), "2025-01-01T00:00:00.000Z", j == len(dates)-1)
		}
	}
	got, err := w.finder().List(t.Context(), ListQuery{}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys)*len(dates) {
		t.Fatalf("got %d releases, want %d", len(got), len(keys)*len(dates))
	}
	if n := len(w.ec2["us-east-1"].describeCalls()); n != 2 {
		t.Errorf("%d DescribeImages calls for %d images, want 2 pages", n, len(got))
	}
	calls := w.ssm["us-east-1"].callsOf("GetParameters")
	if len(calls) != 11 {
		t.Errorf("%d GetParameters calls for 108 keys, want 11", len(calls))
	}
	seen := map[string]bool{}
	for _, c := range calls {
		if len(c.Names) > 10 {
			t.Errorf("batch of %d names", len(c.Names))
		}
		for _, n := range c.Names {
			if seen[n] {
				t.Errorf("%s asked twice", n)
			}
			seen[n] = true
		}
	}
	latest := 0
	for i, r := range got {
		if r.Latest {
			latest++
		}
		if i > 0 && got[i-1].ReleaseDate.Before(r.ReleaseDate) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if latest != len(keys) {
		t.Errorf("%d latest, want %d", latest, len(keys))
	}
}

func TestResolveExactRelease(t *testing.T) {
	w := testWorld()
	d, _ := eksami.ParseDate("2025-02-12")
	got, err := w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", ResolveQuery{Release: &d})
	if err != nil {
		t.Fatal(err)
	}
	if got.AMIID != "ami-a2" || got.Latest || got.Region != "us-east-1" {
		t.Errorf("got %+v", got)
	}
	calls := w.ec2["us-east-1"].describeCalls()
	if len(calls) != 1 {
		t.Fatalf("%d DescribeImages calls, want 1", len(calls))
	}
	checkDescribe(t, calls[0], "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.02.12")
	if n := w.ssmCalls(); n != 1 {
		t.Errorf("%d SSM calls, want 1", n)
	}

	latestDate, _ := eksami.ParseDate("2025.03.11")
	got, err = w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", ResolveQuery{Release: &latestDate})
	if err != nil || got.AMIID != "ami-a3" || !got.Latest {
		t.Errorf("latest release: %+v, %v", got, err)
	}
}

func TestResolveMissingRelease(t *testing.T) {
	w := testWorld()
	d, _ := eksami.ParseDate("2024-12-10")
	_, err := w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", ResolveQuery{Release: &d})
	var nr *NoReleaseError
	if !errors.As(err, &nr) {
		t.Fatalf("err = %v; want *NoReleaseError", err)
	}
	if got := amiIDs(nr.Available); !slices.Equal(got, []string{"us-east-1/ami-a3", "us-east-1/ami-a2", "us-east-1/ami-a1"}) {
		t.Errorf("available = %v, want newest first", got)
	}
	msg := err.Error()
	for _, want := range []string{"2024-12-10", "us-east-1", "2025-03-11, 2025-02-12, 2025-01-15"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "region us-east-1:") {
		t.Errorf("region named twice: %q", msg)
	}
}

func TestResolveBefore(t *testing.T) {
	tests := []struct {
		before string
		want   string
	}{
		{"2025-03-11", "ami-a3"}, // on the date counts
		{"2025-03-10", "ami-a2"},
		{"2025-02-01", "ami-a1"},
		{"2099-01-01", "ami-a3"},
	}
	for _, tt := range tests {
		w := testWorld()
		d, _ := eksami.ParseDate(tt.before)
		got, err := w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", ResolveQuery{Before: &d})
		if err != nil || got.AMIID != tt.want {
			t.Errorf("before %s: got %s, %v; want %s", tt.before, got.AMIID, err, tt.want)
		}
		calls := w.ec2["us-east-1"].describeCalls()
		if len(calls) != 1 {
			t.Fatalf("%d DescribeImages calls", len(calls))
		}
		checkDescribe(t, calls[0], "Windows_Server-2022-English-Core-EKS_Optimized-1.35-*")
	}

	w := testWorld()
	d, _ := eksami.ParseDate("2025-01-14")
	_, err := w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", ResolveQuery{Before: &d})
	var nr *NoReleaseError
	if !errors.As(err, &nr) || len(nr.Available) != 3 {
		t.Fatalf("err = %v; want *NoReleaseError listing 3 releases", err)
	}
	if n := len(w.ec2["us-east-1"].describeCalls()); n != 1 {
		t.Errorf("%d DescribeImages calls; the listing should be reused", n)
	}
}

func TestResolveNeedsOneQuery(t *testing.T) {
	w := testWorld()
	d, _ := eksami.ParseDate("2025-01-15")
	for _, q := range []ResolveQuery{{}, {Release: &d, Before: &d}} {
		if _, err := w.finder().Resolve(t.Context(), k2022Core135, "us-east-1", q); err == nil {
			t.Errorf("query %+v accepted", q)
		}
	}
}

func TestSortReleasesIgnoresCreationDate(t *testing.T) {
	old, _ := eksami.ParseDate("2025-01-15")
	newer, _ := eksami.ParseDate("2025-02-12")
	rs := []Release{
		{AMIID: "old-copied-late", ReleaseDate: old, CreationDate: "2025-12-31T00:00:00.000Z", Key: k2022Core135},
		{AMIID: "new", ReleaseDate: newer, CreationDate: "2025-02-13T00:00:00.000Z", Key: k2022Core135},
	}
	sortReleases(rs, nil)
	if rs[0].AMIID != "new" {
		t.Errorf("order %v; want release date to decide", []string{rs[0].AMIID, rs[1].AMIID})
	}
}
