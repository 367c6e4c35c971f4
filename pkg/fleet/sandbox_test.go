package fleet_test

import (
	"context"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/fleet"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// profiles are the two accounts of the sandbox as a user's profiles: the
// default credentials and the partner's (access key test-444455556666).
func profiles(cfg aws.Config, counter *awsapi.CallCounter) map[string]*awsapi.Clients {
	out := map[string]*awsapi.Clients{}
	for name, c := range map[string]aws.Config{"": cfg, "partner": sandboxtest.AsAccount(cfg, world.PartnerAccountID)} {
		c.APIOptions = append(slices.Clone(c.APIOptions), counter.Middleware())
		out[name] = awsapi.NewClients(c)
	}
	return out
}

// runner is the fleet runner as `winami drift --all-clusters` builds it,
// over the profiles' clients.
func runner(clients map[string]*awsapi.Clients) *fleet.Runner {
	return fleet.NewRunner(clients, httpbound.Limits{})
}

// open is one cluster's sources, as `winami drift --cluster` builds them
// (not through the fleet's Open, which the comparison is about).
func open(ctx context.Context, c *awsapi.Clients, t fleet.Target) (drift.Sources, error) {
	restCfg, err := drift.ClusterTarget{Cluster: t.Cluster, Region: t.Region}.Config(ctx, c)
	if err != nil {
		return drift.Sources{}, err
	}
	return drift.NewSources(c, restCfg, t.Region)
}

// single is one cluster's drift run on its own, with its AWS calls.
func single(t testing.TB, cfg aws.Config, target fleet.Target) (*drift.Report, map[string]int) {
	t.Helper()
	counter := awsapi.NewCallCounter()
	c := profiles(cfg, counter)[target.Profile]
	src, err := open(t.Context(), c, target)
	if err != nil {
		t.Fatal(err)
	}
	r, err := drift.Run(t.Context(), src, drift.Options{Cluster: target.Cluster, Region: target.Region})
	if err != nil {
		t.Fatal(err)
	}
	return r, counter.Snapshot()
}

// TestFleetSandbox reads a sandbox fleet in two accounts and four regions,
// with EKS DescribeCluster denied in eu-west-1: those clusters are rows
// with the reason, the others are read, and every cluster costs exactly
// the AWS and Kubernetes calls of a run on its own (the fleet adds only
// the listings and one STS call per profile).
func TestFleetSandbox(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 8, ScaleNodes: 30, Faults: "deny=eks:DescribeCluster@eu-west-1"})
	counter := awsapi.NewCallCounter()
	regions := slices.Clone(world.FleetRegions)
	res, err := runner(profiles(cfg, counter)).Run(t.Context(), fleet.Request{Profiles: []string{"", "partner"}, Regions: regions, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	want := map[string]int{}
	for _, row := range res.Clusters {
		names = append(names, row.Profile+":"+row.Region+"/"+row.Cluster+"="+row.Status)
		if !row.Readable() {
			if !strings.HasPrefix(row.Reason, "AccessDeniedException: ") || !strings.HasSuffix(row.Reason, "(EKS DescribeCluster); grant what `winami iam policy --for drift` lists") {
				t.Errorf("%s: reason %q", row.Cluster, row.Reason)
			}
			want["EKS.DescribeCluster"]++
			continue
		}
		r, calls := single(t, cfg, fleet.Target{Profile: row.Profile, Region: row.Region, Cluster: row.Cluster})
		for op, n := range calls {
			want[op] += n
		}
		if !maps.Equal(r.Calls, row.Report.Calls) || r.Summary != row.Report.Summary {
			t.Errorf("%s: fleet calls %v summary %+v; alone %v %+v", row.Cluster, row.Report.Calls, row.Report.Summary, r.Calls, r.Summary)
		}
	}
	// fleet-03 and fleet-07 (eu-west-1) are denied; fleet-03 is the
	// partner's, as are fleet-06 (us-west-2) and the demo is the default's.
	wantNames := []string{
		":ap-southeast-1/fleet-04=drift", ":ap-southeast-1/fleet-08=drift", ":eu-west-1/fleet-07=error",
		":us-east-1/demo=drift", ":us-east-1/fleet-01=consistent", ":us-east-1/fleet-05=drift", ":us-west-2/fleet-02=drift",
		"partner:eu-west-1/fleet-03=error", "partner:us-west-2/fleet-06=consistent",
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("rows\n%v\nwant\n%v", names, wantNames)
	}
	// The listings: one page per profile and region; one STS call each.
	want["EKS.ListClusters"] += 2 * len(regions)
	want["STS.GetCallerIdentity"] += 2
	if got := counter.Snapshot(); !maps.Equal(got, want) {
		t.Errorf("fleet calls %v\nwant (the clusters alone, the listings) %v", got, want)
	}
	if res.Summary.Unreadable != 2 || res.Summary.Drifting != 5 || !res.Drifting() || res.NothingRead() {
		t.Errorf("summary %+v", res.Summary)
	}
}

// BenchmarkFleet: the fleet of 20 clusters × 500 Windows nodes in
// four regions and two accounts, against one such cluster alone, with no
// latency (the sandbox and winami share the cores: CPU decides) and with
// 40 ms a call. The whole
// fleet should take under twice the time of one cluster, and each cluster
// the calls of one; heap-MiB is the peak in use (the process's bound is 300
// MB, measured with /usr/bin/time -v: docs/drift.md).
func BenchmarkFleet(b *testing.B) {
	for _, c := range []struct {
		name     string
		clusters int
		faults   string
	}{
		{"one-cluster-500", 1, ""}, {"20-clusters-500", 20, ""},
		// With AWS's latency, where a run is a chain of waits.
		{"one-cluster-500-latency40ms", 1, "latency=40ms"}, {"20-clusters-500-latency40ms", 20, "latency=40ms"},
	} {
		b.Run(c.name, func(b *testing.B) {
			_, cfg := sandboxtest.Start(b, sandbox.Options{Seed: 1, FleetClusters: c.clusters, ScaleNodes: 500, Faults: c.faults})
			counter := awsapi.NewCallCounter()
			rn := runner(profiles(cfg, counter))
			req := fleet.Request{Profiles: []string{"", "partner"}, Regions: world.FleetRegions}
			var res *fleet.Result
			var peak uint64
			runs := 0
			for b.Loop() {
				var err error
				if res, err = rn.Run(b.Context(), req); err != nil {
					b.Fatal(err)
				}
				runs++
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			read := 0
			for _, row := range res.Clusters {
				if row.Readable() && row.Cluster != world.DemoCluster {
					read++
				}
			}
			if read != c.clusters {
				b.Fatalf("%d fleet clusters read, want %d", read, c.clusters)
			}
			calls := counter.Snapshot()
			perCluster := float64(counter.Total()-calls["EKS.ListClusters"]-calls["STS.GetCallerIdentity"]) / float64(runs*len(res.Clusters))
			b.ReportMetric(perCluster, "aws-calls/cluster")
			b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
		})
	}
}

// TestFleetBenchmarkBound keeps the fan-out from rotting, at a fifth of the
// benchmark's size: with AWS's latency (40ms a call, which makes a run the
// chain of waits it is against AWS), 4 clusters × 500 nodes take under 2×
// one cluster's time (with slack for a loaded machine: 3×). Without the
// latency, the sandbox and winami share the machine's cores and the time
// is CPU's, not the fan-out's.
func TestFleetBenchmarkBound(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 4, ScaleNodes: 500, Faults: "latency=40ms"})
	rn := runner(profiles(cfg, awsapi.NewCallCounter()))
	timeOf := func(req fleet.Request) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			res, err := rn.Run(t.Context(), req)
			if err != nil || res.Summary.Unreadable > 0 {
				t.Fatal(res, err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	// One cluster alone, then the four and the demo cluster in four regions.
	one := timeOf(fleet.Request{Regions: []string{"us-east-1"}, Clusters: []string{"fleet-01"}})
	all := timeOf(fleet.Request{Regions: world.FleetRegions})
	if all > 3*one {
		t.Errorf("5 clusters took %s, one %s: the fan-out does not overlap", all, one)
	}
	t.Logf("one cluster %s, five %s", one, all)
}
