// Package preflight checks, before an Image Builder build starts, every
// permission and prerequisite that would otherwise fail it half an hour in:
// who the caller is and what it may do, the build instance's role, the
// service-linked roles, the network, the parent image and the Fast Launch
// launch template. Each check is data — pass, warn or fail — and every
// failure carries its fix.
package preflight

import (
	"context"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/images"
	"github.com/winami/winami/pkg/spec"
)

// Status is a check's outcome.
type Status string

// Statuses: only Fail stops a build; Warn is something to know that could
// not be decided from here or will not stop it.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Method says how a permission check decided.
type Method string

// Methods of permission checks.
const (
	// MethodSimulate: IAM SimulatePrincipalPolicy evaluated the policies.
	MethodSimulate Method = "simulate"
	// MethodAttachedPolicies: the role's attached and inline policies were
	// read and their statements matched, without conditions (the caller
	// may not simulate).
	MethodAttachedPolicies Method = "attached-policies"
	// MethodDryRun: an EC2 call with DryRun=true answered.
	MethodDryRun Method = "dry-run"
	// MethodUnknown: nothing the caller may call could decide.
	MethodUnknown Method = "unknown"
)

// Check is one line of the checklist.
type Check struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Fix is what to do about a failure or warning: a command to run, a
	// policy document to attach.
	Fix    string `json:"fix,omitempty"`
	Method Method `json:"method,omitempty"`
}

// Report is the checklist of one spec.
type Report struct {
	Spec   string  `json:"spec"`
	Region string  `json:"region"`
	Caller string  `json:"caller,omitempty"`
	Checks []Check `json:"checks"`
}

// Failed reports whether any check failed: apply and build stop on it.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Status == Fail })
}

// Failures are the failed checks.
func (r Report) Failures() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c)
		}
	}
	return out
}

// Deps are the clients the checks call.
type Deps struct {
	STS awsapi.STSAPI
	IAM awsapi.IAMAPI
	// EC2 returns the EC2 client of a region.
	EC2 func(region string) awsapi.EC2API
	// Finder resolves the parent image.
	Finder *catalog.Finder
	// Clock dates the parent's deprecation and retention warnings (nil:
	// the real clock).
	Clock clock.Clock
	// ClusterImages, when set (--cluster), checks the cluster's Windows
	// workloads against the spec's Windows version if it differs from the
	// last build's (IDClusterWorkloads).
	ClusterImages images.ClusterCheck
}

// DepsFromClients are the SDK clients of c, which count and retry every
// call as the rest of winami's do.
func DepsFromClients(c *awsapi.Clients) Deps {
	return Deps{
		STS:    c.STS(),
		IAM:    c.IAM(),
		EC2:    c.EC2,
		Finder: catalog.NewFinderFromClients(c),
	}
}

// Run runs every check of the spec and returns the checklist in a stable
// order. Checks that do not depend on one another run at once; a check
// whose AWS call fails becomes a failed (or, for what could not be
// decided, a warned) line rather than an error, so the report is always
// whole. apply and build gate on it with one call:
//
//	if rep := preflight.Run(ctx, preflight.DepsFromClients(clients), s); rep.Failed() { … }
func Run(ctx context.Context, d Deps, s *spec.Spec) Report {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	r := &runner{deps: d, spec: s}
	rep := Report{Spec: s.Name, Region: s.Region}

	// Who the caller is decides the ARNs the permission checks simulate,
	// so it comes first; everything else then runs at once.
	id := r.identity(ctx)
	rep.Caller = r.caller.ARN
	if id.Status == Fail {
		// Without working credentials every other check would fail the
		// same way; one line with the fix says it better.
		rep.Checks = []Check{id}
		return rep
	}
	groups := []func(context.Context) []Check{
		r.regions,
		r.buildRole,
		r.serviceLinkedRoles,
		r.network,
		r.parentImage,
		r.fastLaunch,
		r.callerPermissions,
		r.clusterWorkloads,
	}
	results := make([][]Check, len(groups))
	eachAtOnce(len(groups), func(i int) { results[i] = groups[i](ctx) })
	rep.Checks = append(rep.Checks, id)
	for _, cs := range results {
		rep.Checks = append(rep.Checks, cs...)
	}
	return rep
}

// maxAtOnce bounds the checks (and so the calls) in flight at once at each
// fan-out: the groups, the regions, the role's permissions.
const maxAtOnce = 8

// eachAtOnce runs fn(i) for every i in [0, n), maxAtOnce at a time, and
// waits for all. A check reports its failure as its result, so one failing
// never stops the others: there is nothing to cancel.
func eachAtOnce(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(maxAtOnce)
	for i := range n {
		g.Go(func() error { fn(i); return nil })
	}
	_ = g.Wait()
}

// runner holds one run's inputs and what the identity check learnt.
type runner struct {
	deps   Deps
	spec   *spec.Spec
	caller awsapi.Caller
	// role is the instance profile, read once: the build role checks
	// read its role, and the caller's iam:PassRole is simulated on it.
	roleOnce sync.Once
	role     roleInfo
}

// distributionRegions are the regions the AMI goes to (the home region
// when the spec names none).
func (r *runner) distributionRegions() []string {
	if len(r.spec.Distribution.Regions) == 0 {
		return []string{r.spec.Region}
	}
	return r.spec.Distribution.Regions
}

// allRegions are the home region and the distribution regions, once each.
func (r *runner) allRegions() []string {
	out := []string{r.spec.Region}
	for _, reg := range r.distributionRegions() {
		if !slices.Contains(out, reg) {
			out = append(out, reg)
		}
	}
	return out
}
