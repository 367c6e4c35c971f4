package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/test/inflight"
)

// fakeEKS lists names two a page, whatever maxResults says, so that paging
// is exercised; err fails every call.
type fakeEKS struct {
	awsapi.EKSAPI
	names []string
	err   error
	pages int
}

func (f *fakeEKS) ListClusters(_ context.Context, in *eks.ListClustersInput, _ ...func(*eks.Options)) (*eks.ListClustersOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.pages++
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+2, len(f.names))
	out := &eks.ListClustersOutput{Clusters: f.names[start:end]}
	if end < len(f.names) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func denied(op string) error {
	return &smithy.OperationError{ServiceID: "EKS", OperationName: op,
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:iam::111122223333:user/x is not authorized to perform: eks:" + op}}
}

// report is a canned report: n Windows nodes, the first drifted ones on
// an older AMI (created oldAge ago), the rest on one created a day ago.
func report(now time.Time, n, drifted int) *drift.Report {
	r := &drift.Report{Summary: drift.Summary{WindowsNodes: n, Drifted: drifted}}
	for i := range n {
		node := drift.Node{Name: fmt.Sprint("node-", i), AMICreated: now.Add(-24 * time.Hour)}
		if i < drifted {
			node.AMICreated = now.Add(-90 * 24 * time.Hour)
			node.Reasons = []drift.Reason{{Kind: drift.ReasonAMIDiffers}, {Kind: drift.ReasonKubeletDiffers}}
		}
		r.Nodes = append(r.Nodes, node)
	}
	r.Nodegroups = []drift.Nodegroup{{Name: "win", Windows: true, Behind: map[bool]string{true: "nodes drifted"}[drifted > 0]}, {Name: "linux"}}
	return r
}

type fixture struct {
	eks     map[string]*fakeEKS // by profile/region
	open    inflight.Counter
	perKey  sync.Map // profile/region -> *inflight.Counter
	mu      sync.Mutex
	opened  []Target
	failing map[string]error // by cluster name
	reports map[string]*drift.Report
}

func (f *fixture) runner(limit int) *Runner {
	return &Runner{
		EKS: func(profile, region string) awsapi.EKSAPI {
			if e := f.eks[profile+"/"+region]; e != nil {
				return e
			}
			return &fakeEKS{}
		},
		Account: func(_ context.Context, profile string) (string, error) {
			return map[string]string{"": "111122223333", "partner": "444455556666"}[profile], nil
		},
		Open: func(_ context.Context, t Target) (drift.Sources, error) {
			_, leave := f.open.Enter()
			defer leave()
			c, _ := f.perKey.LoadOrStore(t.Profile+"/"+t.Region, &inflight.Counter{})
			_, leaveKey := c.(*inflight.Counter).Enter()
			defer leaveKey()
			time.Sleep(2 * time.Millisecond)
			f.mu.Lock()
			f.opened = append(f.opened, t)
			f.mu.Unlock()
			if err := f.failing[t.Cluster]; err != nil {
				return drift.Sources{}, err
			}
			return drift.Sources{}, nil
		},
		Report: func(_ context.Context, _ drift.Sources, opts drift.Options) (*drift.Report, error) {
			r := f.reports[opts.Cluster]
			if r == nil {
				return nil, errors.New("no report for " + opts.Cluster)
			}
			cp := *r
			cp.Cluster, cp.Region = opts.Cluster, opts.Region
			return &cp, nil
		},
		Clock: clock.NewFake(now0),
		Limit: limit,
	}
}

var now0 = time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC)

func TestRunFleet(t *testing.T) {
	f := &fixture{
		eks: map[string]*fakeEKS{
			"/us-east-1":        {names: []string{"a", "b", "c", "d", "e"}},
			"/eu-west-1":        {err: denied("ListClusters")},
			"partner/us-east-1": {names: []string{"p"}},
		},
		failing: map[string]error{"c": fmt.Errorf("describing cluster c: %w", denied("DescribeCluster"))},
		reports: map[string]*drift.Report{"a": report(now0, 4, 0), "b": report(now0, 5, 2), "d": {}, "e": report(now0, 1, 0), "p": report(now0, 3, 1)},
	}
	res, err := f.runner(2).Run(t.Context(), Request{Profiles: []string{"", "partner"}, Regions: []string{"us-east-1", "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.eks["/us-east-1"].pages != 3 {
		t.Errorf("%d ListClusters pages, want 3 (five names, two a page)", f.eks["/us-east-1"].pages)
	}
	// The bound is per profile and region, where AWS counts requests.
	f.perKey.Range(func(key, c any) bool {
		if peak := c.(*inflight.Counter).Peak(); peak > 2 {
			t.Errorf("%s: %d clusters read at once, limit 2", key, peak)
		}
		return true
	})
	got := map[string]Row{}
	for _, r := range res.Clusters {
		got[r.Profile+"/"+r.Region+"/"+r.Cluster] = r
	}
	if len(res.Clusters) != 7 {
		t.Fatalf("%d rows: %+v", len(res.Clusters), res.Clusters)
	}
	b := got["/us-east-1/b"]
	if b.Status != StatusDrift || b.Account != "111122223333" || b.WindowsNodes != 5 || b.OnDesiredAMI != 3 || b.Drifted != 2 ||
		b.DriftedByReason[drift.ReasonAMIDiffers] != 2 || b.DriftedByReason[drift.ReasonKubeletDiffers] != 2 ||
		b.Nodegroups != 1 || b.NodegroupsBehind != 1 || *b.NewestAMIAgeDays != 1 || *b.OldestAMIAgeDays != 90 || b.Report != nil {
		t.Errorf("b: %+v", b)
	}
	if a := got["/us-east-1/a"]; a.Status != StatusConsistent || a.OnDesiredAMI != 4 || a.NodegroupsBehind != 0 || a.DriftedByReason != nil {
		t.Errorf("a: %+v", a)
	}
	if d := got["/us-east-1/d"]; d.Status != StatusNoWindows || d.NewestAMIAgeDays != nil {
		t.Errorf("d: %+v", d)
	}
	c := got["/us-east-1/c"]
	if c.Status != StatusError || c.Reason != "AccessDeniedException: User: arn:aws:iam::111122223333:user/x is not authorized to perform: eks:DescribeCluster (EKS DescribeCluster); grant what `winami iam policy --for drift` lists" {
		t.Errorf("c: %+v", c)
	}
	if eu := got["/eu-west-1/"]; eu.Status != StatusError || eu.Reason == "" {
		t.Errorf("eu-west-1 listing: %+v", eu)
	}
	if p := got["partner/us-east-1/p"]; p.Account != "444455556666" || p.Status != StatusDrift {
		t.Errorf("partner's p: %+v", p)
	}
	if res.Summary != (Summary{Clusters: 6, Unreadable: 1, ListingsFailed: 1, Drifting: 2, WindowsNodes: 13, Drifted: 3}) || !res.Drifting() || res.NothingRead() {
		t.Errorf("summary %+v", res.Summary)
	}
	// Rows are sorted: default profile first, then by region and name.
	if first := res.Clusters[0]; first.Region != "eu-west-1" {
		t.Errorf("first row %+v", first)
	}
}

func TestRunNamedClustersAndDetails(t *testing.T) {
	f := &fixture{
		eks:     map[string]*fakeEKS{"/us-east-1": {names: []string{"a", "b"}}},
		reports: map[string]*drift.Report{"a": report(now0, 2, 0)},
	}
	res, err := f.runner(0).Run(t.Context(), Request{Regions: []string{"us-east-1", "us-west-2"}, Clusters: []string{"a", "zz"}, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.opened) != 1 || f.opened[0] != (Target{Region: "us-east-1", Cluster: "a"}) {
		t.Errorf("opened %v, want only a", f.opened)
	}
	if len(res.Clusters) != 2 || res.Clusters[1].Report == nil || res.Clusters[1].Report.Cluster != "a" {
		t.Fatalf("rows %+v", res.Clusters)
	}
	if zz := res.Clusters[0]; zz.Cluster != "zz" || zz.Reason != "no cluster zz in us-east-1, us-west-2" {
		t.Errorf("zz: %+v", zz)
	}
	if res.Drifting() != true || res.Profiles != nil {
		t.Errorf("result %+v", res)
	}
}

func TestRunNothingRead(t *testing.T) {
	f := &fixture{eks: map[string]*fakeEKS{"/us-east-1": {err: denied("ListClusters")}}}
	res, err := f.runner(0).Run(t.Context(), Request{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NothingRead() {
		t.Errorf("nothing was read, yet %+v", res)
	}
	empty := &fixture{}
	res, err = empty.runner(0).Run(t.Context(), Request{Regions: []string{"us-east-1"}})
	if err != nil || res.NothingRead() || res.Drifting() || len(res.Clusters) != 0 {
		t.Errorf("a fleet without clusters: %+v, %v", res, err)
	}
}

func TestRunCancelled(t *testing.T) {
	f := &fixture{eks: map[string]*fakeEKS{"/us-east-1": {names: []string{"a"}}}, reports: map[string]*drift.Report{"a": {}}}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.runner(0).Run(ctx, Request{Regions: []string{"us-east-1"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the context's error", err)
	}
}

// blockingEKS lists no cluster, and only once the account has been asked
// for: a run that listed first and read the accounts after never ends.
type blockingEKS struct {
	awsapi.EKSAPI
	asked <-chan struct{}
}

func (b *blockingEKS) ListClusters(ctx context.Context, _ *eks.ListClustersInput, _ ...func(*eks.Options)) (*eks.ListClustersOutput, error) {
	select {
	case <-b.asked:
		return &eks.ListClustersOutput{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestAccountsWhileListing: the accounts are read while the clusters are
// listed, not after (each is a round trip the run would wait for).
func TestAccountsWhileListing(t *testing.T) {
	asked := make(chan struct{})
	var once sync.Once
	rn := &Runner{
		EKS: func(string, string) awsapi.EKSAPI { return &blockingEKS{asked: asked} },
		Account: func(context.Context, string) (string, error) {
			once.Do(func() { close(asked) })
			return "111122223333", nil
		},
		Clock: clock.NewFake(now0),
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	res, err := rn.Run(ctx, Request{Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatalf("the listing waited for the accounts that waited for it: %v", err)
	}
	if len(res.Clusters) != 0 {
		t.Errorf("rows: %+v", res.Clusters)
	}
}

// TestRunFleetSharesLookupsByProfile: the clusters read with one profile
// share one memo of the desired state's lookups (the spec's newest AMI,
// a channel's AMI, the newest releases), in every region; another profile
// (another account) has its own.
func TestRunFleetSharesLookupsByProfile(t *testing.T) {
	f := &fixture{
		eks: map[string]*fakeEKS{
			"/us-east-1":        {names: []string{"a", "b"}},
			"/eu-west-1":        {names: []string{"c"}},
			"partner/us-east-1": {names: []string{"p"}},
		},
		reports: map[string]*drift.Report{"a": report(now0, 1, 0), "b": report(now0, 1, 0), "c": report(now0, 1, 0), "p": report(now0, 1, 0)},
	}
	rn := f.runner(2)
	var mu sync.Mutex
	seen := map[string]*drift.Lookups{}
	report := rn.Report
	rn.Report = func(ctx context.Context, src drift.Sources, opts drift.Options) (*drift.Report, error) {
		mu.Lock()
		seen[opts.Cluster] = src.Lookups
		mu.Unlock()
		return report(ctx, src, opts)
	}
	if _, err := rn.Run(t.Context(), Request{Profiles: []string{"", "partner"}, Regions: []string{"us-east-1", "eu-west-1"}}); err != nil {
		t.Fatal(err)
	}
	if seen["a"] == nil || seen["a"] != seen["b"] || seen["a"] != seen["c"] || seen["p"] == nil || seen["p"] == seen["a"] {
		t.Errorf("lookups a %p b %p c %p p %p: want one for the default profile's clusters, another for the partner's", seen["a"], seen["b"], seen["c"], seen["p"])
	}
}

// TestRunFleetRegionsSideBySide: a region at its bound does not hold back
// another's clusters. us-east-1's first cluster is read only once the
// partner's cluster is being read (with a bound of one, a global bound
// would never get there).
func TestRunFleetRegionsSideBySide(t *testing.T) {
	partnerOpened := make(chan struct{})
	f := &fixture{
		eks: map[string]*fakeEKS{
			"/us-east-1":        {names: []string{"a", "b"}},
			"partner/us-east-1": {names: []string{"p"}},
		},
		reports: map[string]*drift.Report{"a": report(now0, 1, 0), "b": report(now0, 1, 0), "p": report(now0, 1, 0)},
	}
	rn := f.runner(1)
	open := rn.Open
	rn.Open = func(ctx context.Context, tg Target) (drift.Sources, error) {
		switch tg.Cluster {
		case "p":
			close(partnerOpened)
		case "a":
			select {
			case <-partnerOpened:
			case <-time.After(5 * time.Second):
				return drift.Sources{}, errors.New("the partner's cluster was not read beside this one")
			}
		}
		return open(ctx, tg)
	}
	res, err := rn.Run(t.Context(), Request{Profiles: []string{"", "partner"}, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range res.Clusters {
		if !row.Readable() {
			t.Errorf("%s: %s", row.Cluster, row.Reason)
		}
	}
}

func TestInterleaved(t *testing.T) {
	tg := func(p, r string) Target { return Target{Profile: p, Region: r} }
	got := interleaved([]Target{tg("", "a"), tg("", "a"), tg("", "a"), tg("", "b"), tg("x", "a"), tg("x", "a")})
	if want := []int{0, 3, 4, 1, 5, 2}; !slices.Equal(got, want) {
		t.Errorf("interleaved = %v, want %v", got, want)
	}
}
