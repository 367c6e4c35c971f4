package catalog_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// sixRegions are the regions the matrix benchmark probes.
var sixRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"}

// sandboxClients starts a sandbox with faults and returns winami's own
// clients for it (awsapi.LoadConfig: retries, endpoint, call counter), so
// the figures are those of the real command, not of a test double.
func sandboxClients(tb testing.TB, faults string) (*awsapi.Clients, *awsapi.CallCounter) {
	tb.Helper()
	tb.Setenv("AWS_CONFIG_FILE", tb.TempDir()+"/none")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", tb.TempDir()+"/none")
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv, _ := sandboxtest.Start(tb, sandbox.Options{Seed: 1, Faults: faults})
	counter := awsapi.NewCallCounter()
	cfg, err := awsapi.LoadConfig(tb.Context(), awsapi.Options{
		Region:            "us-east-1",
		EndpointURL:       srv.URL(),
		StaticCredentials: &aws.Credentials{AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey},
		Counter:           counter,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return awsapi.NewClients(cfg), counter
}

func reportCalls(b *testing.B, counter *awsapi.CallCounter, metrics map[string]string) {
	for unit, key := range metrics {
		b.ReportMetric(float64(counter.Snapshot()[key])/float64(b.N), unit)
	}
	b.ReportMetric(float64(counter.Total())/float64(b.N), "aws-calls/op")
}

var key2022Core135 = eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}

// BenchmarkLatestOneKey: the latest AMI of one key in one region costs one SSM call.
func BenchmarkLatestOneKey(b *testing.B) {
	clients, counter := sandboxClients(b, "")
	f := catalog.NewFinderFromClients(clients)
	ctx := b.Context()
	counter.Reset()
	b.ResetTimer()
	for range b.N {
		if _, err := f.Latest(ctx, key2022Core135, []string{"us-east-1"}); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, counter, map[string]string{"ssm-calls/op": "SSM.GetParameters"})
}

// BenchmarkListOneKey: the releases of one key in one region cost one
// DescribeImages call per page and one SSM call to mark the latest.
func BenchmarkListOneKey(b *testing.B) {
	clients, counter := sandboxClients(b, "")
	f := catalog.NewFinderFromClients(clients)
	ctx := b.Context()
	q := catalog.ListQuery{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	counter.Reset()
	b.ResetTimer()
	for range b.N {
		rs, err := f.List(ctx, q, []string{"us-east-1"})
		if err != nil || len(rs) != 4 {
			b.Fatalf("%d releases, %v", len(rs), err)
		}
	}
	reportCalls(b, counter, map[string]string{"describe-images/op": "EC2.DescribeImages", "ssm-calls/op": "SSM.GetParameters"})
}

// BenchmarkMatrixSixRegions probes the whole candidate matrix in six regions
// with 20 ms of latency injected on every call.
func BenchmarkMatrixSixRegions(b *testing.B) {
	clients, counter := sandboxClients(b, "latency=20ms")
	f := catalog.NewFinderFromClients(clients)
	ctx := b.Context()
	counter.Reset()
	b.ResetTimer()
	for range b.N {
		if _, err := f.Matrix(ctx, sixRegions); err != nil {
			b.Fatal(err)
		}
	}
	reportCalls(b, counter, map[string]string{"ssm-calls/op": "SSM.GetParameters"})
}

// inflight wraps a region's SSM client and records the most calls it ever
// had in flight at once.
type inflight struct {
	awsapi.SSMAPI
	mu       sync.Mutex
	now, max int
}

func (c *inflight) GetParameters(ctx context.Context, in *ssm.GetParametersInput, opts ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	c.mu.Lock()
	c.now++
	c.max = max(c.max, c.now)
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.now--; c.mu.Unlock() }()
	return c.SSMAPI.GetParameters(ctx, in, opts...)
}

// TestMatrixProbeIsConcurrentAndBounded checks the matrix probe's cost and
// shape with 20 ms of latency per call: at most regions × ceil(candidates/10)
// calls, the batches of a region in flight together but never more than 10,
// and the regions probed at once, so the whole probe takes a few round trips
// rather than 66 of them (1.3 s serially).
func TestMatrixProbeIsConcurrentAndBounded(t *testing.T) {
	clients, counter := sandboxClients(t, "latency=20ms")
	var mu sync.Mutex
	wrapped := map[string]*inflight{}
	ssmFor := func(region string) awsapi.SSMAPI {
		mu.Lock()
		defer mu.Unlock()
		if wrapped[region] == nil {
			wrapped[region] = &inflight{SSMAPI: clients.SSM(region)}
		}
		return wrapped[region]
	}
	f := catalog.NewFinder(ssmFor, clients.EC2)
	start := time.Now()
	m, err := f.Matrix(t.Context(), sixRegions)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	const candidates = 3 * 2 * 18 // Windows versions × editions × Kubernetes 1.23..1.40
	if got, limit := counter.Count("SSM", "GetParameters"), len(sixRegions)*((candidates+9)/10); got > limit {
		t.Errorf("%d GetParameters calls, want at most %d", got, limit)
	}
	for region, c := range wrapped {
		if c.max > 10 {
			t.Errorf("%s: %d calls in flight, want at most 10", region, c.max)
		}
		if c.max < 2 {
			t.Errorf("%s: batches were sent one at a time", region)
		}
	}
	if len(m.Regions) != len(sixRegions) || len(m.Keys()) != 28 {
		t.Errorf("matrix has %d regions and %d keys, want 6 and 28", len(m.Regions), len(m.Keys()))
	}
	// Serial regions would take at least 6 × 2 round trips (240 ms).
	if elapsed > 200*time.Millisecond && !raceEnabled {
		t.Errorf("probe took %v with 20 ms latency, want well under 200 ms", elapsed)
	}
	t.Logf("matrix probe: %v, %d calls", elapsed, counter.Total())
}
