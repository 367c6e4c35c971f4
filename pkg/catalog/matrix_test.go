package catalog

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

func TestMatrix(t *testing.T) {
	w := testWorld()
	m, err := w.finder().Matrix(t.Context(), []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	wantUS := []eksami.Key{k2019Core133, k2022Core128, k2022Core134, k2022Core135, k2022Full135, k2025Core135, k2025Core136}
	if len(m.Regions) != 2 || m.Regions[0].Region != "us-east-1" || !slices.Equal(m.Regions[0].Keys, wantUS) {
		t.Fatalf("matrix = %+v", m)
	}
	if !slices.Equal(m.Regions[1].Keys, []eksami.Key{k2022Core135}) {
		t.Errorf("eu-west-1 = %v", m.Regions[1].Keys)
	}

	candidates := w.finder().matrixCandidates()
	if len(candidates) != 108 {
		t.Fatalf("%d candidates, want 108 (3 versions × 2 editions × 18)", len(candidates))
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		calls := w.ssm[region].callsOf("GetParameters")
		if len(calls) != 11 {
			t.Errorf("%s: %d calls, want ceil(108/10) = 11", region, len(calls))
		}
		var asked []string
		for _, c := range calls {
			if len(c.Names) > 10 {
				t.Errorf("batch of %d", len(c.Names))
			}
			asked = append(asked, c.Names...)
		}
		slices.Sort(asked)
		var want []string
		for _, k := range candidates {
			want = append(want, k.LatestParameter())
		}
		slices.Sort(want)
		if !slices.Equal(asked, want) {
			t.Errorf("%s: asked %d names, want each of the %d candidates once", region, len(asked), len(want))
		}
	}
	if w.ec2Calls() != 0 {
		t.Error("Matrix called EC2")
	}
}

func TestMatrixHelpers(t *testing.T) {
	m := Matrix{Regions: []RegionKeys{
		{Region: "us-east-1", Keys: []eksami.Key{k2022Core134, k2022Core135, k2022Full135}},
		{Region: "eu-west-1", Keys: []eksami.Key{k2022Core135, k2025Core135}},
	}}
	if !m.Has("eu-west-1", k2025Core135) || m.Has("us-east-1", k2025Core135) || m.Has("nowhere", k2022Core135) {
		t.Error("Has wrong")
	}
	if got := m.Keys(); !slices.Equal(got, []eksami.Key{k2022Core134, k2022Core135, k2022Full135, k2025Core135}) {
		t.Errorf("Keys = %v", got)
	}
	if got := m.RegionsWith(k2022Core135); !slices.Equal(got, []string{"us-east-1", "eu-west-1"}) {
		t.Errorf("RegionsWith = %v", got)
	}
	if got := m.RegionsWithout(k2025Core135); !slices.Equal(got, []string{"us-east-1"}) {
		t.Errorf("RegionsWithout = %v", got)
	}
	want := []MatrixRow{
		{Windows: "2022", Edition: "Core", Kubernetes: []string{"1.34", "1.35"}},
		{Windows: "2022", Edition: "Full", Kubernetes: []string{"1.35"}},
		{Windows: "2025", Edition: "Core", Kubernetes: []string{"1.35"}},
	}
	got := m.Rows()
	if len(got) != len(want) {
		t.Fatalf("Rows = %+v", got)
	}
	for i := range want {
		if got[i].Windows != want[i].Windows || got[i].Edition != want[i].Edition || !slices.Equal(got[i].Kubernetes, want[i].Kubernetes) {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMatrixConcurrencyLimit(t *testing.T) {
	w := testWorld()
	for _, s := range w.ssm {
		s.enter = func() { time.Sleep(5 * time.Millisecond) }
	}
	if _, err := w.finder(WithConcurrency(2)).Matrix(t.Context(), []string{"us-east-1"}); err != nil {
		t.Fatal(err)
	}
	if got := w.ssm["us-east-1"].maxInflight.Load(); got > 2 || got < 2 {
		t.Errorf("max in flight = %d, want 2", got)
	}
}

// TestRegionsRunConcurrently makes each region's first call wait until the
// other region has called too: a sequential implementation would time out.
func TestRegionsRunConcurrently(t *testing.T) {
	w := testWorld()
	var once sync.Map
	both := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	go func() { arrived.Wait(); close(both) }()
	for region, s := range w.ssm {
		s.enter = func() {
			if _, loaded := once.LoadOrStore(region, true); !loaded {
				arrived.Done()
			}
			select {
			case <-both:
			case <-time.After(5 * time.Second):
			}
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := w.finder(WithConcurrency(1)).Latest(ctx, k2022Core135, []string{"us-east-1", "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("regions ran one after the other (%v)", d)
	}
}

func TestMatrixRegionError(t *testing.T) {
	w := testWorld()
	w.ssm["eu-west-1"].err["GetParameters"] = &smithy.GenericAPIError{Code: "AccessDeniedException"}
	m, err := w.finder().Matrix(t.Context(), []string{"us-east-1", "eu-west-1"})
	var re *awsapi.RegionError
	if !errors.As(err, &re) || re.Region != "eu-west-1" {
		t.Fatalf("err = %v", err)
	}
	if len(m.Regions) != 1 || m.Regions[0].Region != "us-east-1" {
		t.Errorf("partial matrix = %+v", m)
	}
	// The first failing batch cancels the rest of that region's batches.
	if n := len(w.ssm["eu-west-1"].callsOf("GetParameters")); n > 11 {
		t.Errorf("%d calls", n)
	}
}

func TestRegions(t *testing.T) {
	w := newWorld()
	s, e := w.region("us-east-1")
	codes := []string{"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
		"ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1",
		"eu-west-2", "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}
	for _, c := range codes {
		s.params[RegionsPath+"/"+c] = c
	}
	// Deeper parameters (services, longName) must not show up.
	s.params[RegionsPath+"/us-east-1/longName"] = "US East (N. Virginia)"
	got, err := w.finder().Regions(t.Context(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, codes) {
		t.Errorf("regions = %v", got)
	}
	calls := s.callsOf("GetParametersByPath")
	if len(calls) != 3 {
		t.Errorf("%d calls for 21 regions, want 3 pages of 10", len(calls))
	}
	for i, c := range calls {
		if aws.ToString(c.In.Path) != RegionsPath || aws.ToBool(c.In.Recursive) || aws.ToInt32(c.In.MaxResults) != 10 {
			t.Errorf("call %d input %+v", i, c.In)
		}
		if (i == 0) != (c.In.NextToken == nil) {
			t.Errorf("call %d NextToken %v", i, c.In.NextToken)
		}
	}
	if len(e.other) != 0 {
		t.Error("EC2 asked although SSM answered")
	}
}

func TestRegionsFallBackToEC2(t *testing.T) {
	w := newWorld()
	s, e := w.region("us-east-1")
	s.err["GetParametersByPath"] = &smithy.OperationError{ServiceID: "SSM", OperationName: "GetParametersByPath",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
	e.regions = []string{"us-west-2", "us-east-1"}
	got, err := w.finder().Regions(t.Context(), "us-east-1")
	if err != nil || !slices.Equal(got, []string{"us-east-1", "us-west-2"}) {
		t.Errorf("got %v, %v", got, err)
	}

	// Other SSM failures are not hidden behind a fallback.
	w = newWorld()
	s, e = w.region("us-east-1")
	s.err["GetParametersByPath"] = &smithy.GenericAPIError{Code: "InternalServerError"}
	_, err = w.finder().Regions(t.Context(), "us-east-1")
	var re *awsapi.RegionError
	if !errors.As(err, &re) || re.Region != "us-east-1" {
		t.Errorf("err = %v; want a RegionError", err)
	}
	if len(e.other) != 0 {
		t.Error("fell back on a non-permission error")
	}
}
