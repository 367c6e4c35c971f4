// Package faults injects the failures real AWS endpoints produce (throttling,
// internal errors, latency) into the sandbox, so that retry and backoff paths
// are exercised. Decisions come from a seeded generator, drawn in the order
// requests arrive: the same seed and the same request sequence give the same
// faults.
package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/protocol"
)

// Spec is a parsed fault specification.
type Spec struct {
	// Throttle is the probability that a request gets the service's
	// throttling error.
	Throttle float64
	// Error is the probability that a request gets the service's internal error.
	Error float64
	// Latency delays every request.
	Latency time.Duration
	// Seed seeds the generator; the same seed gives the same decisions.
	Seed uint64
	// Deny is a list of SERVICE:OPERATION@REGION rules joined by '+' (the
	// operation may be '*'): matching requests are answered with the
	// service's access-denied error, every time, as an explicit deny in a
	// service control policy would. It makes one region's writes fail so
	// that all-or-nothing paths can be tested.
	Deny string
}

// denyRule is one rule of Spec.Deny.
type denyRule struct{ service, operation, region string }

func (r denyRule) matches(req *protocol.Request) bool {
	return r.service == req.Service && r.region == req.Region && (r.operation == "*" || r.operation == req.Operation)
}

// parseDeny reads Spec.Deny's rules.
func parseDeny(s string) ([]denyRule, error) {
	var rules []denyRule
	for rule := range strings.SplitSeq(s, "+") {
		svcOp, region, ok1 := strings.Cut(rule, "@")
		svc, op, ok2 := strings.Cut(svcOp, ":")
		if !ok1 || !ok2 || !word(svc) || !(op == "*" || word(op)) || !word(region) {
			return nil, fmt.Errorf("%q is not SERVICE:OPERATION@REGION (e.g. ssm:PutParameter@eu-west-1)", rule)
		}
		rules = append(rules, denyRule{service: svc, operation: op, region: region})
	}
	return rules, nil
}

// word is a non-empty run of letters, digits and '-'.
func word(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// allowedKeys names the keys of a spec string, for error messages.
const allowedKeys = "throttle, error, latency, seed, deny"

// Parse reads a spec such as "throttle=0.2,error=0.05,latency=30ms,seed=7".
// Every key is optional; an empty string is the spec that injects nothing.
func Parse(s string) (Spec, error) {
	var spec Spec
	seen := map[string]bool{}
	for field := range strings.SplitSeq(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		key, value, ok := strings.Cut(field, "=")
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		if !ok || value == "" {
			return Spec{}, fmt.Errorf("fault spec %q: %q is not KEY=VALUE (keys: %s)", s, field, allowedKeys)
		}
		if seen[key] {
			return Spec{}, fmt.Errorf("fault spec %q: %s is given twice", s, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "throttle":
			spec.Throttle, err = parseProbability(value)
		case "error":
			spec.Error, err = parseProbability(value)
		case "latency":
			spec.Latency, err = time.ParseDuration(value)
			if err == nil && spec.Latency < 0 {
				err = fmt.Errorf("%s is negative", value)
			}
		case "seed":
			spec.Seed, err = strconv.ParseUint(value, 10, 64)
		case "deny":
			_, err = parseDeny(value)
			spec.Deny = value
		default:
			return Spec{}, fmt.Errorf("fault spec %q: unknown key %q (allowed: %s)", s, key, allowedKeys)
		}
		if err != nil {
			return Spec{}, fmt.Errorf("fault spec %q: %s: %w", s, key, err)
		}
	}
	// One draw decides both faults, so together they cannot exceed certainty.
	if spec.Throttle+spec.Error > 1 {
		return Spec{}, fmt.Errorf("fault spec %q: throttle + error = %g, which exceeds 1", s, spec.Throttle+spec.Error)
	}
	return spec, nil
}

func parseProbability(s string) (float64, error) {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if !(p >= 0 && p <= 1) { // also rejects NaN
		return 0, fmt.Errorf("%s is not a probability in [0,1]", s)
	}
	return p, nil
}

// String writes the spec in the form Parse reads.
func (s Spec) String() string {
	var parts []string
	if s.Throttle > 0 {
		parts = append(parts, "throttle="+strconv.FormatFloat(s.Throttle, 'g', -1, 64))
	}
	if s.Error > 0 {
		parts = append(parts, "error="+strconv.FormatFloat(s.Error, 'g', -1, 64))
	}
	if s.Latency > 0 {
		parts = append(parts, "latency="+s.Latency.String())
	}
	if s.Seed != 0 {
		parts = append(parts, "seed="+strconv.FormatUint(s.Seed, 10))
	}
	if s.Deny != "" {
		parts = append(parts, "deny="+s.Deny)
	}
	return strings.Join(parts, ",")
}

// Enabled reports whether the spec injects anything.
func (s Spec) Enabled() bool {
	return s.Throttle > 0 || s.Error > 0 || s.Latency > 0 || s.Deny != ""
}

// Decision is what the injector did to one request.
type Decision int

const (
	// Pass lets the request through (after any latency).
	Pass Decision = iota
	// Throttle answered the service's throttling error.
	Throttle
	// Fail answered the service's internal error.
	Fail
)

func (d Decision) String() string {
	switch d {
	case Pass:
		return "pass"
	case Throttle:
		return "throttle"
	case Fail:
		return "error"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// Option configures an Injector.
type Option func(*Injector)

// WithSleep replaces the wait for latency (tests pass a fake clock's). The
// function must return early, with ctx's error, when ctx ends.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(i *Injector) { i.sleep = sleep }
}

// WithCaller names the caller of a request in a deny rule's error (the
// server passes the world's caller ARN); without it the caller is
// "anonymous", as AWS names an unsigned one.
func WithCaller(caller func(req *protocol.Request) string) Option {
	return func(i *Injector) { i.caller = caller }
}

// Injector decides, request by request, which faults to inject.
type Injector struct {
	spec   Spec
	sleep  func(ctx context.Context, d time.Duration) error
	caller func(req *protocol.Request) string

	deny []denyRule

	mu     sync.Mutex
	rng    *rand.Rand
	counts [3]int
	denied int
}

// New returns an injector for spec.
func New(spec Spec, opts ...Option) *Injector {
	i := &Injector{
		spec:  spec,
		sleep: sleepContext,
		// PCG's two words: the seed and a fixed stream, so one number is the
		// whole of what a user has to repeat.
		rng: rand.New(rand.NewPCG(spec.Seed, 0x5a1db0c5)),
	}
	if spec.Deny != "" {
		i.deny, _ = parseDeny(spec.Deny) // Parse has checked it
	}
	for _, o := range opts {
		o(i)
	}
	return i
}

// Spec is the injector's spec.
func (i *Injector) Spec() Spec { return i.spec }

// Decide draws the decision for the next request.
func (i *Injector) Decide() Decision {
	i.mu.Lock()
	defer i.mu.Unlock()
	d := Pass
	// Draw even when both probabilities are 0, so that a spec's sequence does
	// not depend on which faults it enables.
	switch u := i.rng.Float64(); {
	case u < i.spec.Throttle:
		d = Throttle
	case u < i.spec.Throttle+i.spec.Error:
		d = Fail
	}
	i.counts[d]++
	return d
}

// Denied reports how many requests a deny rule answered.
func (i *Injector) Denied() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.denied
}

// Counts reports how many requests were passed, throttled and failed.
func (i *Injector) Counts() (passed, throttled, failed int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.counts[Pass], i.counts[Throttle], i.counts[Fail]
}

// Intercept is a protocol.Interceptor: it waits the latency, then answers the
// service's throttling or internal error, or lets the request through.
func (i *Injector) Intercept(ctx context.Context, svc *protocol.Service, req *protocol.Request) error {
	for _, r := range i.deny {
		if r.matches(req) {
			i.mu.Lock()
			i.denied++
			i.mu.Unlock()
			user := "anonymous"
			if i.caller != nil {
				user = i.caller(req)
			}
			return svc.AccessDenied(user, req.Service+":"+req.Operation, "with an explicit deny in a service control policy")
		}
	}
	d := i.Decide()
	if err := i.Delay(ctx); err != nil {
		return fmt.Errorf("injected latency for %s: %w", req.Operation, err)
	}
	switch d {
	case Throttle:
		return svc.ThrottleError()
	case Fail:
		return svc.InternalError("We encountered an internal error. Please try again.")
	}
	return nil
}

// Delay waits the spec's latency, or less with ctx's error when ctx ends
// first. Intercept waits it before every AWS call; the sandbox also waits it
// before each request to its clusters' Kubernetes API, which on EKS is as
// far away as the AWS endpoints.
func (i *Injector) Delay(ctx context.Context) error {
	if i.spec.Latency <= 0 {
		return nil
	}
	return i.sleep(ctx, i.spec.Latency)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
