package faults

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/sandbox/protocol"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
	}{
		{"", Spec{}},
		{"throttle=0.2,error=0.05,latency=30ms,seed=7", Spec{Throttle: 0.2, Error: 0.05, Latency: 30 * time.Millisecond, Seed: 7}},
		{" seed = 3 , throttle=1 ", Spec{Throttle: 1, Seed: 3}},
		{"latency=1m30s", Spec{Latency: 90 * time.Second}},
		{"THROTTLE=0,error=1,", Spec{Error: 1}},
		{"deny=ssm:PutParameter@eu-west-1+ec2:*@us-east-1", Spec{Deny: "ssm:PutParameter@eu-west-1+ec2:*@us-east-1"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, wantInErr string }{
		{"throttle=1.5", "not a probability in [0,1]"},
		{"error=-0.1", "not a probability in [0,1]"},
		{"throttle=NaN", "not a probability"},
		{"throttle=lots", "not a number"},
		{"latency=30", "missing unit"},
		{"latency=-5ms", "negative"},
		{"seed=-1", "seed"},
		{"jitter=5ms", "unknown key \"jitter\" (allowed: throttle, error, latency, seed, deny)"},
		{"deny=ssm:PutParameter", "not SERVICE:OPERATION@REGION"},
		{"deny=ssm@eu-west-1", "not SERVICE:OPERATION@REGION"},
		{"deny=ssm:Put Parameter@eu-west-1", "not SERVICE:OPERATION@REGION"},
		{"deny=ssm:PutParameter@eu-west-1+", "not SERVICE:OPERATION@REGION"},
		{"throttle", "not KEY=VALUE"},
		{"throttle=", "not KEY=VALUE"},
		{"seed=1,seed=2", "seed is given twice"},
		{"throttle=0.7,error=0.5", "exceeds 1"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.wantInErr)
		}
	}
}

func TestSpecStringRoundTrip(t *testing.T) {
	for _, s := range []Spec{{}, {Throttle: 0.25, Error: 0.125, Latency: 1500 * time.Millisecond, Seed: 99}, {Seed: 1}, {Deny: "ssm:*@eu-west-1"}} {
		got, err := Parse(s.String())
		if err != nil || got != s {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", s.String(), got, err, s)
		}
	}
}

func decisions(inj *Injector, n int) []Decision {
	out := make([]Decision, n)
	for i := range out {
		out[i] = inj.Decide()
	}
	return out
}

func TestDecisionsAreDeterministic(t *testing.T) {
	spec := Spec{Throttle: 0.3, Error: 0.1, Seed: 7}
	a, b := decisions(New(spec), 200), decisions(New(spec), 200)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different decision at request %d: %v vs %v", i, a[i], b[i])
		}
	}
	spec.Seed = 8
	c := decisions(New(spec), 200)
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Errorf("seeds 7 and 8 gave the same 200 decisions")
	}
}

func TestDecisionRates(t *testing.T) {
	inj := New(Spec{Throttle: 0.3, Error: 0.05, Seed: 1})
	const n = 20000
	decisions(inj, n)
	passed, throttled, failed := inj.Counts()
	if passed+throttled+failed != n {
		t.Fatalf("counts %d+%d+%d != %d", passed, throttled, failed, n)
	}
	if r := float64(throttled) / n; r < 0.28 || r > 0.32 {
		t.Errorf("throttle rate %.3f, want about 0.3", r)
	}
	if r := float64(failed) / n; r < 0.04 || r > 0.06 {
		t.Errorf("error rate %.3f, want about 0.05", r)
	}
	// Certainty is certain.
	all := New(Spec{Throttle: 1})
	for _, d := range decisions(all, 100) {
		if d != Throttle {
			t.Fatalf("throttle=1 passed a request")
		}
	}
}

func service(protocolKind protocol.Kind, throttleCode string, throttleStatus int, internalCode string) *protocol.Service {
	return &protocol.Service{Name: "x", Protocol: protocolKind, ThrottleCode: throttleCode, ThrottleStatus: throttleStatus,
		InternalCode: internalCode, InternalStatus: http.StatusInternalServerError}
}

func TestInterceptAnswersTheServicesErrors(t *testing.T) {
	req := &protocol.Request{Operation: "Op"}
	tests := []struct {
		svc        *protocol.Service
		spec       Spec
		wantCode   string
		wantStatus int
	}{
		{service(protocol.JSON11, "ThrottlingException", 400, "InternalServerError"), Spec{Throttle: 1}, "ThrottlingException", 400},
		{service(protocol.EC2Query, "RequestLimitExceeded", 503, "InternalError"), Spec{Throttle: 1}, "RequestLimitExceeded", 503},
		{service(protocol.AWSQuery, "Throttling", 400, "InternalFailure"), Spec{Throttle: 1}, "Throttling", 400},
		{service(protocol.AWSQuery, "Throttling", 400, "InternalFailure"), Spec{Error: 1}, "InternalFailure", 500},
		{service(protocol.EC2Query, "RequestLimitExceeded", 503, "InternalError"), Spec{Error: 1}, "InternalError", 500},
	}
	for _, tt := range tests {
		err := New(tt.spec).Intercept(t.Context(), tt.svc, req)
		var awsErr *protocol.Error
		if !errors.As(err, &awsErr) || awsErr.Code != tt.wantCode || awsErr.HTTPStatus() != tt.wantStatus {
			t.Errorf("%v with %s: got %v, want %s %d", tt.svc.Protocol, tt.spec, err, tt.wantCode, tt.wantStatus)
		}
	}
	if err := New(Spec{Seed: 1}).Intercept(t.Context(), tests[0].svc, req); err != nil {
		t.Errorf("empty spec injected %v", err)
	}
}

func TestInterceptLatency(t *testing.T) {
	svc := service(protocol.JSON11, "ThrottlingException", 400, "InternalServerError")
	var slept []time.Duration
	inj := New(Spec{Latency: 30 * time.Millisecond, Throttle: 1}, WithSleep(func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}))
	err := inj.Intercept(t.Context(), svc, &protocol.Request{})
	if len(slept) != 1 || slept[0] != 30*time.Millisecond {
		t.Errorf("slept %v, want [30ms]", slept)
	}
	var awsErr *protocol.Error
	if !errors.As(err, &awsErr) || awsErr.Code != "ThrottlingException" {
		t.Errorf("latency then throttle: got %v", err)
	}

	// The real sleep ends with the request's context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	err = New(Spec{Latency: time.Hour}).Intercept(ctx, svc, &protocol.Request{})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("cancelled latency: %v after %v", err, time.Since(start))
	}
	if err := sleepContext(t.Context(), time.Millisecond); err != nil {
		t.Errorf("sleepContext: %v", err)
	}
}

func TestDenyAnswersAccessDeniedForItsRegionAndOperationOnly(t *testing.T) {
	spec, err := Parse("deny=ssm:PutParameter@eu-west-1+ec2:*@ap-south-1")
	if err != nil {
		t.Fatal(err)
	}
	inj := New(spec)
	ssmSvc := &protocol.Service{Name: "ssm", Protocol: protocol.JSON11}
	ec2Svc := &protocol.Service{Name: "ec2", Protocol: protocol.EC2Query}
	tests := []struct {
		svc        *protocol.Service
		req        protocol.Request
		wantCode   string
		wantStatus int
	}{
		{ssmSvc, protocol.Request{Service: "ssm", Operation: "PutParameter", Region: "eu-west-1"}, "AccessDeniedException", 400},
		{ssmSvc, protocol.Request{Service: "ssm", Operation: "PutParameter", Region: "us-east-1"}, "", 0},
		{ssmSvc, protocol.Request{Service: "ssm", Operation: "GetParameter", Region: "eu-west-1"}, "", 0},
		{ec2Svc, protocol.Request{Service: "ec2", Operation: "DescribeImages", Region: "ap-south-1"}, "UnauthorizedOperation", 403},
	}
	for _, tt := range tests {
		err := inj.Intercept(t.Context(), tt.svc, &tt.req)
		var awsErr *protocol.Error
		switch {
		case tt.wantCode == "" && err != nil:
			t.Errorf("%s %s in %s: %v, want it let through", tt.req.Service, tt.req.Operation, tt.req.Region, err)
		case tt.wantCode != "" && (!errors.As(err, &awsErr) || awsErr.Code != tt.wantCode || awsErr.HTTPStatus() != tt.wantStatus):
			t.Errorf("%s %s in %s: %v, want %s %d", tt.req.Service, tt.req.Operation, tt.req.Region, err, tt.wantCode, tt.wantStatus)
		}
	}
	if inj.Denied() != 2 {
		t.Errorf("Denied() = %d, want 2", inj.Denied())
	}
}
