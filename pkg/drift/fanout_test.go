package drift

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/test/inflight"
)

// slowEC2 answers DescribeInstances after a moment; failAt (1-based)
// fails that call and holds every later one until its context ends.
type slowEC2 struct {
	awsapi.EC2API
	p      inflight.Counter
	failAt int32
}

func (f *slowEC2) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	n, leave := f.p.Enter()
	defer leave()
	switch {
	case f.failAt > 0 && n == f.failAt:
		return nil, errors.New("UnauthorizedOperation")
	case f.failAt > 0 && n > f.failAt:
		return nil, inflight.Hold(ctx)
	}
	time.Sleep(2 * time.Millisecond)
	return &ec2.DescribeInstancesOutput{}, nil
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("i-%017x", i)
	}
	return out
}

func TestInstanceFetcherIsBounded(t *testing.T) {
	api := &slowEC2{}
	f := newInstanceFetcher(t.Context(), api, &calls{m: map[string]int{}})
	f.add(ids(12 * awsapi.MaxInstanceIDs)...)
	if _, err := f.wait(); err != nil {
		t.Fatal(err)
	}
	if got := api.p.Peak(); got > maxBatchesAtOnce || got < 2 {
		t.Errorf("%d batches at once, want between 2 and %d", got, maxBatchesAtOnce)
	}
	if got := api.p.Calls(); got != 12 {
		t.Errorf("%d calls, want 12", got)
	}
}

// TestInstanceFetcherStopsAtFirstError: the report needs every instance,
// so a failed batch cancels those in flight and no further one is sent.
func TestInstanceFetcherStopsAtFirstError(t *testing.T) {
	api := &slowEC2{failAt: 1}
	f := newInstanceFetcher(t.Context(), api, &calls{m: map[string]int{}})
	f.add(ids(12 * awsapi.MaxInstanceIDs)...)
	if _, err := f.wait(); err == nil || !contains(err, "UnauthorizedOperation") {
		t.Fatalf("err = %v, want the first failure", err)
	}
	if got := api.p.Calls(); got > maxBatchesAtOnce {
		t.Errorf("%d calls, want at most the %d in flight when the first failed", got, maxBatchesAtOnce)
	}
}

func TestInBatchesIsBoundedAndStops(t *testing.T) {
	var p inflight.Counter
	err := inBatches(t.Context(), ids(20*awsapi.MaxFilterValues), awsapi.MaxFilterValues, func(ctx context.Context, _ []string) error {
		n, leave := p.Enter()
		defer leave()
		if n == 1 {
			return errors.New("UnauthorizedOperation")
		}
		return inflight.Hold(ctx)
	})
	if !contains(err, "UnauthorizedOperation") {
		t.Errorf("err = %v, want the first failure", err)
	}
	if got := p.Calls(); got > maxBatchesAtOnce {
		t.Errorf("%d batches sent, want at most the %d in flight when the first failed", got, maxBatchesAtOnce)
	}
	if got := p.Peak(); got > maxBatchesAtOnce {
		t.Errorf("%d batches at once, want at most %d", got, maxBatchesAtOnce)
	}
}

// slowEKS has groups node groups; failing (when set) fails its describe
// and holds every other until its context ends.
type slowEKS struct {
	awsapi.EKSAPI
	p       inflight.Counter
	groups  int
	failing string
}

func (f *slowEKS) ListNodegroups(context.Context, *eks.ListNodegroupsInput, ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error) {
	var names []string
	for i := range f.groups {
		names = append(names, fmt.Sprintf("ng-%d", i))
	}
	return &eks.ListNodegroupsOutput{Nodegroups: names}, nil
}

func (f *slowEKS) DescribeNodegroup(ctx context.Context, in *eks.DescribeNodegroupInput, _ ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error) {
	_, leave := f.p.Enter()
	defer leave()
	switch {
	case f.failing == aws.ToString(in.NodegroupName):
		return nil, errors.New("AccessDeniedException")
	case f.failing != "":
		return nil, inflight.Hold(ctx)
	}
	time.Sleep(2 * time.Millisecond)
	return &eks.DescribeNodegroupOutput{Nodegroup: &ekstypes.Nodegroup{NodegroupName: in.NodegroupName, AmiType: ekstypes.AMITypesWindowsCore2022X8664}}, nil
}

func TestNodegroupsAreBoundedAndStop(t *testing.T) {
	api := &slowEKS{groups: 20}
	if _, err := readNodegroups(t.Context(), api, "demo", &calls{m: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	if got := api.p.Peak(); got > maxBatchesAtOnce || got < 2 {
		t.Errorf("%d node groups described at once, want between 2 and %d", got, maxBatchesAtOnce)
	}

	// The report needs every group: the first failure cancels the rest.
	api = &slowEKS{groups: 20, failing: "ng-0"}
	_, err := readNodegroups(t.Context(), api, "demo", &calls{m: map[string]int{}})
	if !contains(err, "describing node group ng-0") || !contains(err, "AccessDeniedException") {
		t.Errorf("err = %v, want ng-0's failure", err)
	}
	if got := api.p.Calls(); got > maxBatchesAtOnce {
		t.Errorf("%d node groups described, want at most the %d in flight when the first failed", got, maxBatchesAtOnce)
	}
}

func contains(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}

// countingImages answers DescribeImages and records the filter values of
// each call.
type countingImages struct {
	awsapi.EC2API
	mu     sync.Mutex
	values []int
}

func (f *countingImages) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	n := 0
	for _, fl := range in.Filters {
		n += len(fl.Values)
	}
	f.mu.Lock()
	f.values = append(f.values, n)
	f.mu.Unlock()
	return &ec2.DescribeImagesOutput{}, nil
}

// TestDescribeImagesFillsEachCall: EC2 takes 200 filter values a call, so
// 200 distinct AMIs are one call and 201 two, none over the limit.
func TestDescribeImagesFillsEachCall(t *testing.T) {
	amis := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("ami-%017x", i)
		}
		return out
	}
	for n, want := range map[int]int{200: 1, 201: 2} {
		api := &countingImages{}
		if _, err := describeImages(t.Context(), api, amis(n), &calls{m: map[string]int{}}); err != nil {
			t.Fatal(err)
		}
		if len(api.values) != want || slices.Max(api.values) > 200 {
			t.Errorf("%d AMIs: calls with %v filter values, want %d calls of at most 200", n, api.values, want)
		}
	}
}

// waitingNodes lists no node until it is told the node groups are being
// read (or gives up).
type waitingNodes struct{ groupsSeen chan struct{} }

func (w waitingNodes) List(ctx context.Context, _ metav1.ListOptions) (*corev1.NodeList, error) {
	select {
	case <-w.groupsSeen:
		return &corev1.NodeList{}, nil
	case <-time.After(5 * time.Second):
		return nil, errors.New("the node groups were not read while the nodes were listed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// signallingEKS closes seen at its first ListNodegroups.
type signallingEKS struct {
	slowEKS
	seen chan struct{}
	once sync.Once
}

func (f *signallingEKS) ListNodegroups(ctx context.Context, in *eks.ListNodegroupsInput, o ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error) {
	f.once.Do(func() { close(f.seen) })
	return f.slowEKS.ListNodegroups(ctx, in, o...)
}

// TestNodegroupsReadWhileNodesAreListed: against AWS each is a chain of
// round trips; the report waits for the longer, not for both.
func TestNodegroupsReadWhileNodesAreListed(t *testing.T) {
	seen := make(chan struct{})
	api := &signallingEKS{slowEKS: slowEKS{groups: 2}, seen: seen}
	r, err := Run(t.Context(), Sources{Nodes: waitingNodes{groupsSeen: seen}, EKS: api, EC2: func(string) awsapi.EC2API { return &countingImages{} }}, Options{Cluster: "demo", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Nodegroups) != 2 || r.Calls["ListNodegroups"] != 1 || r.Calls["DescribeNodegroup"] != 2 {
		t.Errorf("node groups %+v, calls %v", r.Nodegroups, r.Calls)
	}
}

// listedNodes closes listed when the nodes are listed, and answers err.
type listedNodes struct {
	listed chan struct{}
	err    error
}

func (l listedNodes) List(context.Context, metav1.ListOptions) (*corev1.NodeList, error) {
	close(l.listed)
	return &corev1.NodeList{}, l.err
}

// TestServerVersionReadWhileNodesAreListed: GET /version is a round trip of
// its own; a report that waited for it before listing the nodes would add
// it to every cluster's time.
func TestServerVersionReadWhileNodesAreListed(t *testing.T) {
	listed := make(chan struct{})
	version := func(ctx context.Context) (string, error) {
		select {
		case <-listed:
			return "v1.35.2-eks-3f1c2e7", nil
		case <-time.After(5 * time.Second):
			return "", errors.New("the nodes were not listed while the version was read")
		}
	}
	r, err := Run(t.Context(), Sources{Nodes: listedNodes{listed: listed}, ServerVersion: version, EC2: func(string) awsapi.EC2API { return &countingImages{} }}, Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.ControlPlane != "v1.35.2-eks-3f1c2e7" {
		t.Errorf("control plane %q", r.ControlPlane)
	}
}

// TestServerVersionErrorNamed: an API server that fails /version fails the
// report with that, whether the node list failed too or not.
func TestServerVersionErrorNamed(t *testing.T) {
	for _, listErr := range []error{nil, errors.New("connection refused")} {
		version := func(context.Context) (string, error) { return "", errors.New("connection refused") }
		_, err := Run(t.Context(), Sources{Nodes: listedNodes{listed: make(chan struct{}), err: listErr}, ServerVersion: version, EC2: func(string) awsapi.EC2API { return &countingImages{} }}, Options{Region: "us-east-1"})
		if err == nil || !strings.Contains(err.Error(), "reading the control plane's version") {
			t.Errorf("node list error %v: report error %v", listErr, err)
		}
	}
}
