package sandbox_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// TestFaultsAreRetriedAway: with a tenth of the requests throttled or failed,
// the SDK's standard retryer still gets every call through, because both
// injected errors are ones it retries.
func TestFaultsAreRetriedAway(t *testing.T) {
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, Faults: "throttle=0.3,error=0.05,seed=7"})
	client := sts.NewFromConfig(sandboxtest.Config(srv.URL(), 10))
	const calls = 60
	for i := range calls {
		if _, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("call %d failed despite retries: %v", i, err)
		}
	}
	passed, throttled, failed := srv.Faults().Counts()
	if passed != calls {
		t.Errorf("%d requests passed, want one per call (%d)", passed, calls)
	}
	// Otherwise the test proves nothing.
	if throttled == 0 || failed == 0 {
		t.Errorf("no faults injected: %d throttled, %d failed", throttled, failed)
	}
}

// TestThrottleAlwaysSurfaces: when every attempt is throttled the SDK gives
// up after its attempts with each service's own throttling code.
func TestThrottleAlwaysSurfaces(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Faults: "throttle=1"})
	ctx := t.Context()
	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"sts", func() error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, "Throttling", 400},
		{"ssm", func() error {
			_, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/x")})
			return err
		}, "ThrottlingException", 400},
		{"ec2", func() error {
			_, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			return err
		}, "RequestLimitExceeded", 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, before, _ := srv.Faults().Counts()
			err := tt.call()
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
			var respErr *smithyhttp.ResponseError
			if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != tt.status {
				t.Errorf("error %v, want HTTP %d", err, tt.status)
			}
			// The SDK retried: every one of its attempts was throttled.
			if _, after, _ := srv.Faults().Counts(); after-before != sandboxtest.MaxAttempts {
				t.Errorf("%d attempts throttled, want %d (the retryer's maximum)", after-before, sandboxtest.MaxAttempts)
			}
		})
	}
}

// TestFaultSequenceIsDeterministic: two sandboxes with the same fault seed,
// called the same way, fail the same attempts.
func TestFaultSequenceIsDeterministic(t *testing.T) {
	run := func(seed string) []int {
		srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, Faults: "throttle=0.4,error=0.1,seed=" + seed})
		client := sts.NewFromConfig(sandboxtest.Config(srv.URL(), 20))
		var perCall []int
		for range 25 {
			_, before, beforeFailed := srv.Faults().Counts()
			if _, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			_, after, afterFailed := srv.Faults().Counts()
			perCall = append(perCall, (after-before)*100+(afterFailed-beforeFailed))
		}
		return perCall
	}
	a, b, c := run("42"), run("42"), run("43")
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 gave the same faults: %v", a)
	}
}

func TestFaultLatency(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, Faults: "latency=40ms"})
	start := time.Now()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("call took %v, want at least the injected 40ms", d)
	}
}

// TestFaultLatencyKubernetes: the injected latency delays a cluster's
// Kubernetes API requests as it delays AWS calls (an EKS API server is as
// far away), while throttling and errors, whose codes are AWS services',
// stay with AWS calls.
func TestFaultLatencyKubernetes(t *testing.T) {
	for _, tc := range []struct {
		faults  string
		atLeast time.Duration
	}{
		{"latency=60ms", 60 * time.Millisecond},
		{"latency=60ms,throttle=1", 60 * time.Millisecond},
	} {
		t.Run(tc.faults, func(t *testing.T) {
			// The cluster's endpoint and token are read with no faults: the
			// same world, served twice.
			srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
			rc := sandboxtest.RESTConfig(t, cfg, "demo")
			slow, err := sandbox.New(sandbox.Options{Seed: 1, Faults: tc.faults})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = slow.Close(context.WithoutCancel(t.Context())) })
			rc.Host = strings.Replace(rc.Host, hostOf(srv.URL()), hostOf(slowURL(t, slow)), 1)
			nodes := sandboxtest.Clientset(t, rc).CoreV1().Nodes()
			for range 2 { // the second on a connection already open
				start := time.Now()
				if _, err := nodes.List(t.Context(), metav1.ListOptions{}); err != nil {
					t.Fatalf("listing nodes: %v", err)
				}
				if d := time.Since(start); d < tc.atLeast {
					t.Errorf("listing nodes took %v, want at least the injected %v", d, tc.atLeast)
				}
			}
		})
	}
}

func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

func slowURL(t *testing.T, s *sandbox.Server) string {
	t.Helper()
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func TestInvalidFaultSpec(t *testing.T) {
	_, err := sandbox.New(sandbox.Options{Faults: "throttle=2"})
	if err == nil {
		t.Fatal("sandbox.New accepted throttle=2")
	}
	_, err = sandbox.New(sandbox.Options{Faults: "slow=1"})
	if err == nil || !containsAll(err.Error(), "slow", "throttle, error, latency, seed") {
		t.Errorf("error %v does not name the bad key and the allowed ones", err)
	}
}
