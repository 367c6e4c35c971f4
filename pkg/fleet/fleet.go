// Package fleet runs drift over every EKS cluster of some regions and
// accounts at once: it lists the clusters of each (profile, region), runs
// one drift report per cluster with a bound on how many run together, and
// sums each report up in one row. A cluster that cannot be read is a row
// with its reason, never the end of the run.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/drift"
)

// DefaultLimit is how many clusters are read at once in each profile and
// region by default. AWS counts request rates per account and region, so
// that is where a bound keeps EC2 and EKS from seeing a stampede; each
// cluster's run is a chain of calls that mostly waits, so clusters in
// different regions or accounts are read side by side, up to MaxInFlight.
const DefaultLimit = 16

// MaxInFlight bounds the clusters read at once in all: what the process
// holds in memory at one time (a page of nodes and its instances each).
const MaxInFlight = 64

// Target is one cluster of the fleet: the credentials (a profile, "" for
// the default ones), the region and the name.
type Target struct {
	Profile string `json:"profile,omitempty"`
	Region  string `json:"region"`
	Cluster string `json:"cluster"`
}

func (t Target) String() string {
	s := t.Region + "/" + t.Cluster
	if t.Profile != "" {
		s = t.Profile + ":" + s
	}
	return s
}

// Runner reads a fleet. EKS, Open and Report are injected: the command
// builds them over one set of AWS clients per profile, tests over fakes.
type Runner struct {
	// EKS is a profile's EKS client in a region (ListClusters).
	EKS func(profile, region string) awsapi.EKSAPI
	// Account is the account ID of a profile's credentials (optional: one
	// STS call per profile); "" when it cannot be told.
	Account func(ctx context.Context, profile string) (string, error)
	// Open builds the sources of one cluster's drift report (its API
	// server through EKS DescribeCluster and a token, the profile's EC2).
	Open func(ctx context.Context, t Target) (drift.Sources, error)
	// Report makes one report (default drift.Run).
	Report func(ctx context.Context, src drift.Sources, opts drift.Options) (*drift.Report, error)
	// Clock tells the AMIs' ages (default the wall clock).
	Clock clock.Clock
	// Limit bounds the clusters read at once in each profile and region
	// (default DefaultLimit).
	Limit int
}

// Request says which clusters to read and what they should run.
type Request struct {
	// Profiles are the credentials to read with ("" the default ones);
	// empty means the default ones only.
	Profiles []string
	// Regions are listed in each profile.
	Regions []string
	// Clusters, when set, are the only names read (in every profile and
	// region they are found in); a name found nowhere is a row saying so.
	Clusters []string
	// Options are the desired state, the same for every cluster (Cluster
	// and Region are set per cluster).
	Options drift.Options
	// Details keeps each cluster's full report in its row.
	Details bool
}

// Run reads the fleet. It returns an error only when ctx ends; every other
// failure is the reason of a row.
func (rn *Runner) Run(ctx context.Context, req Request) (*Result, error) {
	if rn.Report == nil {
		rn.Report = drift.Run
	}
	if rn.Clock == nil {
		rn.Clock = clock.Real{}
	}
	limit := rn.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	profiles := req.Profiles
	if len(profiles) == 0 {
		profiles = []string{""}
	}
	// The accounts are read while the clusters are listed: neither needs
	// the other, and each is a round trip the whole run would wait for.
	accountsRead := make(chan map[string]string, 1)
	go func() { accountsRead <- rn.accounts(ctx, profiles) }()
	targets, failed := rn.discover(ctx, profiles, req.Regions, req.Clusters, limit)
	accounts := <-accountsRead
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows := make([]Row, len(targets))
	// A cluster's failure is its row's: the group never cancels siblings.
	// Clusters are taken a region at a time in turn, so that one region's
	// wait for its bound does not hold the slots others could use.
	var g errgroup.Group
	g.SetLimit(MaxInFlight)
	slots := map[string]chan struct{}{}
	// The desired state's lookups are shared by a profile's clusters.
	lookups := map[string]*drift.Lookups{}
	for _, p := range profiles {
		lookups[p] = drift.NewLookups(ctx)
	}
	for _, i := range interleaved(targets) {
		t := targets[i]
		key := t.Profile + "\x00" + t.Region
		if slots[key] == nil {
			slots[key] = make(chan struct{}, limit)
		}
		slot := slots[key]
		g.Go(func() error {
			select {
			case slot <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			defer func() { <-slot }()
			rows[i] = rn.row(ctx, t, req, lookups[t.Profile])
			rows[i].Account = accounts[t.Profile]
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range failed {
		failed[i].Account = accounts[failed[i].Profile]
	}
	rows = append(rows, failed...)
	slices.SortFunc(rows, func(a, b Row) int {
		return strings.Compare(a.Profile+"\x00"+a.Region+"\x00"+a.Cluster, b.Profile+"\x00"+b.Region+"\x00"+b.Cluster)
	})
	return newResult(req, rows), nil
}

// interleaved are the targets' indexes, one of each profile and region in
// turn: [a1 a2 a3 b1 c1 c2] gives [a1 b1 c1 a2 c2 a3].
func interleaved(targets []Target) []int {
	var keys []string
	byKey := map[string][]int{}
	for i, t := range targets {
		key := t.Profile + "\x00" + t.Region
		if byKey[key] == nil {
			keys = append(keys, key)
		}
		byKey[key] = append(byKey[key], i)
	}
	out := make([]int, 0, len(targets))
	for round := 0; len(out) < len(targets); round++ {
		for _, key := range keys {
			if round < len(byKey[key]) {
				out = append(out, byKey[key][round])
			}
		}
	}
	return out
}

// accounts are the profiles' account IDs, read once per profile.
func (rn *Runner) accounts(ctx context.Context, profiles []string) map[string]string {
	out := map[string]string{}
	if rn.Account == nil {
		return out
	}
	var mu sync.Mutex
	var g errgroup.Group
	for _, p := range profiles {
		g.Go(func() error {
			id, err := rn.Account(ctx, p)
			if err == nil {
				mu.Lock()
				out[p] = id
				mu.Unlock()
			}
			return nil // the account is a nicety; its row stands without it
		})
	}
	_ = g.Wait()
	return out
}

// row reads one cluster and sums its report up.
func (rn *Runner) row(ctx context.Context, t Target, req Request, lookups *drift.Lookups) Row {
	row := Row{Profile: t.Profile, Region: t.Region, Cluster: t.Cluster}
	src, err := rn.Open(ctx, t)
	if err != nil {
		return row.failed(err)
	}
	src.Lookups = lookups
	opts := req.Options
	opts.Cluster, opts.Region = t.Cluster, t.Region
	r, err := rn.Report(ctx, src, opts)
	if err != nil {
		return row.failed(err)
	}
	row.summarize(r, rn.Clock.Now())
	if req.Details {
		row.Report = r
	}
	return row
}

// Reason is a failure in one line: the AWS error's code and message and
// the call that got it, or the error as it stands.
func Reason(err error) string {
	var explained *awsapi.ExplainedError
	if errors.As(err, &explained) {
		return explained.Message
	}
	if code, msg, op, ok := apiError(err); ok {
		reason := fmt.Sprintf("%s: %s (%s)", code, msg, op)
		if strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" {
			// The fix: what this profile's identity needs to read a cluster.
			reason += "; grant what `winami iam policy --for drift` lists"
		}
		return reason
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
