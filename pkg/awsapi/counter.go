package awsapi

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Middleware IDs; unique so a counter attached twice to one stack is counted once.
const (
	callCounterID    = "winami.CallCounter"
	attemptCounterID = "winami.AttemptCounter"
)

// CallCounter counts AWS operations by "Service.Operation". Calls are counted
// once per operation invocation (what a benchmark compares), attempts once per
// HTTP attempt including retries (what explains a slow run). The zero value is
// ready to use and it is safe for concurrent use.
type CallCounter struct {
	mu       sync.Mutex
	calls    map[string]int
	attempts map[string]int
}

// NewCallCounter returns an empty counter.
func NewCallCounter() *CallCounter { return &CallCounter{} }

// Middleware returns the API option to put in aws.Config.APIOptions.
func (c *CallCounter) Middleware() func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if _, ok := stack.Initialize.Get(callCounterID); !ok {
			// Initialize runs once per operation, before the retry loop.
			err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc(callCounterID,
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					c.add(ctx, false)
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
			if err != nil {
				return fmt.Errorf("adding call counter middleware: %w", err)
			}
		}
		if _, ok := stack.Finalize.Get(attemptCounterID); !ok {
			// Finalize after the retry middleware runs once per attempt.
			mw := middleware.FinalizeMiddlewareFunc(attemptCounterID,
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					c.add(ctx, true)
					return next.HandleFinalize(ctx, in)
				})
			var err error
			if _, ok := stack.Finalize.Get("Retry"); ok {
				err = stack.Finalize.Insert(mw, "Retry", middleware.After)
			} else {
				err = stack.Finalize.Add(mw, middleware.After)
			}
			if err != nil {
				return fmt.Errorf("adding attempt counter middleware: %w", err)
			}
		}
		return nil
	}
}

func (c *CallCounter) add(ctx context.Context, attempt bool) {
	key := counterKey(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
	c.mu.Lock()
	defer c.mu.Unlock()
	m := &c.calls
	if attempt {
		m = &c.attempts
	}
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[key]++
}

func counterKey(service, op string) string { return service + "." + op }

// Count returns how many times service's operation op was invoked.
func (c *CallCounter) Count(service, op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[counterKey(service, op)]
}

// Attempts returns how many HTTP attempts (including retries) service's op made.
func (c *CallCounter) Attempts(service, op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts[counterKey(service, op)]
}

// Total returns the number of operation invocations of all services.
func (c *CallCounter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// TotalAttempts returns the number of HTTP attempts of all services.
func (c *CallCounter) TotalAttempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.attempts {
		n += v
	}
	return n
}

// Snapshot returns a copy of the invocation counts keyed "Service.Operation".
func (c *CallCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Reset forgets all counts.
func (c *CallCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = nil
	c.attempts = nil
}

// String renders one sorted line per operation, "SSM.GetParameters 12", with
// the attempts appended when retries happened: "SSM.GetParameters 12 (15 attempts)".
func (c *CallCounter) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.calls))
	for k := range c.calls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d", k, c.calls[k])
		if a := c.attempts[k]; a > c.calls[k] {
			fmt.Fprintf(&b, " (%d attempts)", a)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
