package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

var (
	k2022Core135 = eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	k2022Full135 = eksami.Key{Windows: "2022", Edition: "Full", Kubernetes: "1.35"}
	k2022Core134 = eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.34"}
	k2022Core128 = eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.28"}
	k2019Core133 = eksami.Key{Windows: "2019", Edition: "Core", Kubernetes: "1.33"}
	k2025Core135 = eksami.Key{Windows: "2025", Edition: "Core", Kubernetes: "1.35"}
	k2025Core136 = eksami.Key{Windows: "2025", Edition: "Core", Kubernetes: "1.36"}
)

// testWorld is a small, realistic world: three monthly releases of 2022 Core
// 1.35 in us-east-1 whose CreationDates run against their release dates
// (the oldest was copied last), a few other keys, and a smaller eu-west-1.
func testWorld() *world {
	w := newWorld()
	w.publish("us-east-1", k2022Core135, "2025.01.15", "ami-a1", "2025-04-01T00:00:00.000Z", false)
	w.publish("us-east-1", k2022Core135, "2025.02.12", "ami-a2", "2025-02-13T00:00:00.000Z", false)
	w.publish("us-east-1", k2022Core135, "2025.03.11", "ami-a3", "2025-03-01T00:00:00.000Z", true)
	w.publish("us-east-1", k2022Full135, "2025.03.11", "ami-f3", "2025-03-12T00:00:00.000Z", true)
	w.publish("us-east-1", k2022Core134, "2025.03.11", "ami-b3", "2025-03-12T00:00:00.000Z", true)
	w.publish("us-east-1", k2022Core128, "2025.03.11", "ami-c3", "2025-03-12T00:00:00.000Z", true)
	w.publish("us-east-1", k2019Core133, "2025.03.11", "ami-d3", "2025-03-12T00:00:00.000Z", true)
	w.publish("us-east-1", k2025Core135, "2025.03.11", "ami-e3", "2025-03-12T00:00:00.000Z", true)
	w.publish("us-east-1", k2025Core136, "2025.03.11", "ami-e4", "2025-03-12T00:00:00.000Z", true)
	w.publish("eu-west-1", k2022Core135, "2025.02.12", "ami-w2", "2025-02-13T00:00:00.000Z", false)
	w.publish("eu-west-1", k2022Core135, "2025.03.11", "ami-w3", "2025-03-12T00:00:00.000Z", true)
	// Not EKS AMIs, or not parseable: a name filter could match them.
	_, e := w.region("us-east-1")
	e.images = append(e.images,
		img("ami-x1", "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.03.11-copy"),
		img("ami-x2", "Windows_Server-2022-English-Core-Base-2025.03.11"))
	return w
}

func TestLatest(t *testing.T) {
	w := testWorld()
	regions := []string{"us-east-1", "eu-west-1"}
	got, err := w.finder().Latest(t.Context(), k2022Core135, regions)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Region != "us-east-1" || got[1].Region != "eu-west-1" {
		t.Fatalf("got %+v; want one release per region in region order", got)
	}
	r := got[0]
	want := Release{Region: "us-east-1", Key: k2022Core135, AMIID: "ami-a3",
		Name: "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.03.11", ReleaseVersion: "1.35-2025.03.11",
		ReleaseDate: eksami.Date{Year: 2025, Month: time.March, Day: 11}, Latest: true}
	if r != want {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
	if got[1].AMIID != "ami-w3" {
		t.Errorf("eu-west-1 AMI = %s", got[1].AMIID)
	}
	// Exactly one SSM call per region, with both parameter names, and no EC2.
	for _, region := range regions {
		calls := w.ssm[region].callsOf("GetParameters")
		if len(calls) != 1 {
			t.Fatalf("%s: %d GetParameters calls, want 1", region, len(calls))
		}
		wantNames := []string{k2022Core135.LatestParameter(), k2022Core135.MetadataParameter()}
		if !slices.Equal(calls[0].Names, wantNames) {
			t.Errorf("%s: names %v, want %v", region, calls[0].Names, wantNames)
		}
	}
	if n := w.ec2Calls(); n != 0 {
		t.Errorf("%d EC2 calls, want 0", n)
	}
}

func TestLatestWithoutMetadata(t *testing.T) {
	w := newWorld()
	s, _ := w.region("us-east-1")
	s.params[k2022Core135.LatestParameter()] = "ami-only"
	got, err := w.finder().Latest(t.Context(), k2022Core135, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := Release{Region: "us-east-1", Key: k2022Core135, AMIID: "ami-only", Latest: true}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if w.ssmCalls() != 1 {
		t.Errorf("%d SSM calls, want 1", w.ssmCalls())
	}
}

func TestLatestBadMetadataStillAnswers(t *testing.T) {
	w := newWorld()
	s, _ := w.region("us-east-1")
	s.params[k2022Core135.LatestParameter()] = "ami-1"
	s.params[k2022Core135.MetadataParameter()] = "{not json"
	got, err := w.finder().Latest(t.Context(), k2022Core135, []string{"us-east-1"})
	if err != nil || len(got) != 1 || got[0].AMIID != "ami-1" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestLatestNotPublished(t *testing.T) {
	tests := []struct {
		name        string
		key         eksami.Key
		wantNearest []string
		wantReason  bool
		wantCalls   int // 1 for the answer + ceil(candidates/10) for the probe
	}{
		{name: "2025 below 1.35", key: eksami.Key{Windows: "2025", Edition: "Core", Kubernetes: "1.33"}, wantNearest: []string{"1.35"}, wantReason: true, wantCalls: 1 + 2},
		{name: "between published", key: eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.30"}, wantNearest: []string{"1.28", "1.34"}, wantCalls: 1 + 2},
		{name: "above all", key: eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.39"}, wantNearest: []string{"1.35"}, wantCalls: 1 + 2},
		{name: "nothing of that edition", key: eksami.Key{Windows: "2019", Edition: "Full", Kubernetes: "1.33"}, wantCalls: 1 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := testWorld()
			got, err := w.finder().Latest(t.Context(), tt.key, []string{"us-east-1", "eu-west-1"})
			var np *NotPublishedError
			if !errors.As(err, &np) {
				t.Fatalf("err = %v; want a *NotPublishedError", err)
			}
			if np.Region != "us-east-1" || np.Key != tt.key {
				t.Errorf("error for %s %v", np.Region, np.Key)
			}
			if !slices.Equal(np.Nearest, tt.wantNearest) {
				t.Errorf("nearest = %v, want %v", np.Nearest, tt.wantNearest)
			}
			if (np.Reason != "") != tt.wantReason {
				t.Errorf("reason = %q", np.Reason)
			}
			msg := err.Error()
			if !strings.Contains(msg, "us-east-1") || !strings.Contains(msg, "eu-west-1") {
				t.Errorf("message %q should name both failing regions", msg)
			}
			if strings.Contains(msg, "region us-east-1: no EKS") {
				t.Errorf("message names the region twice: %q", msg)
			}
			if len(got) != 0 {
				t.Errorf("got releases %+v for an unpublished key", got)
			}
			calls := w.ssm["us-east-1"].callsOf("GetParameters")
			if len(calls) != tt.wantCalls {
				t.Errorf("%d GetParameters calls, want %d", len(calls), tt.wantCalls)
			}
			for _, c := range calls {
				if len(c.Names) > 10 {
					t.Errorf("batch of %d names", len(c.Names))
				}
			}
		})
	}
}

func TestLatestNotPublishedMessage(t *testing.T) {
	err := &NotPublishedError{Key: eksami.Key{Windows: "2025", Edition: "Core", Kubernetes: "1.33"}, Region: "us-east-1",
		Reason: eksami.Key{Windows: "2025", Edition: "Core", Kubernetes: "1.33"}.RuledOut(), Nearest: []string{"1.35"}}
	want := "no EKS optimized AMI is published for Windows Server 2025 Core, Kubernetes 1.33 in us-east-1: " +
		"Windows Server 2025 EKS AMIs exist only for Kubernetes 1.35 and later; nearest published Kubernetes versions: 1.35"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
}

func TestNearestVersions(t *testing.T) {
	tests := []struct {
		want      string
		published []string
		nearest   []string
	}{
		{"1.30", []string{"1.28", "1.29", "1.31", "1.34"}, []string{"1.29", "1.31"}},
		{"1.30", []string{"1.31", "1.30"}, []string{"1.30"}},
		{"1.22", []string{"1.25", "1.23"}, []string{"1.23"}},
		{"1.50", []string{"1.9", "1.10"}, []string{"1.10"}},
		{"1.30", nil, nil},
	}
	for _, tt := range tests {
		if got := nearestVersions(tt.want, tt.published); !slices.Equal(got, tt.nearest) {
			t.Errorf("nearestVersions(%s, %v) = %v, want %v", tt.want, tt.published, got, tt.nearest)
		}
	}
}

func TestLatestPerRegionError(t *testing.T) {
	w := testWorld()
	w.ssm["eu-west-1"].err["GetParameters"] = &smithy.OperationError{ServiceID: "SSM", OperationName: "GetParameters",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
	got, err := w.finder().Latest(t.Context(), k2022Core135, []string{"us-east-1", "eu-west-1"})
	var re *awsapi.RegionError
	if !errors.As(err, &re) || re.Region != "eu-west-1" {
		t.Fatalf("err = %v; want a RegionError for eu-west-1", err)
	}
	if !strings.Contains(err.Error(), "eu-west-1") {
		t.Errorf("message %q does not name the region", err)
	}
	if len(got) != 1 || got[0].Region != "us-east-1" {
		t.Errorf("partial result = %+v; want us-east-1 only", got)
	}
	if ex := awsapi.Explain(err); !strings.Contains(ex.Error(), "region eu-west-1: access denied") {
		t.Errorf("Explain = %q", ex)
	}
}

func TestLatestRejectsMalformedKeyWithoutCalls(t *testing.T) {
	w := testWorld()
	if _, err := w.finder().Latest(t.Context(), eksami.Key{Windows: "2022", Edition: "core", Kubernetes: "1.35"}, []string{"us-east-1"}); err == nil {
		t.Error("malformed key accepted")
	}
	if _, err := w.finder().Latest(t.Context(), k2022Core135, nil); err == nil {
		t.Error("no regions accepted")
	}
	if w.ssmCalls() != 0 {
		t.Errorf("%d SSM calls for invalid input", w.ssmCalls())
	}
}
