// Package sandboxtest starts a sandbox for a test and hands back an AWS SDK
// configuration that talks to it. It is an ordinary package, not a _test
// file, so that every package's tests can import it.
package sandboxtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/winami/winami/sandbox"
)

// MaxAttempts is the attempts the returned config's retryer makes per call.
const MaxAttempts = 5

// Start starts a sandbox on a free loopback port, stops it when the test
// ends, and returns it with a config for the SDK's clients: static dummy
// credentials, region us-east-1, the sandbox as endpoint, and a retryer that
// retries like the SDK's standard one but without its long backoff.
func Start(t testing.TB, opts sandbox.Options) (*sandbox.Server, aws.Config) {
	t.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	// t.Context is already cancelled when cleanups run; keep its values only.
	base := context.WithoutCancel(t.Context())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(base, 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("sandboxtest: %v", err)
		}
	})
	return srv, Config(url, MaxAttempts)
}

// Config is an SDK config for a sandbox at url whose retryer makes up to
// maxAttempts attempts per call.
func Config(url string, maxAttempts int) aws.Config {
	return aws.Config{
		Region:       sandbox.DefaultRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(sandbox.DummyAccessKeyID, sandbox.DummySecretAccessKey, ""),
		BaseEndpoint: aws.String(url),
		Retryer:      FastRetryer(maxAttempts),
	}
}

// FastRetryer is the SDK's standard retryer, with its retry checks and
// throttle detection, but with millisecond backoff (the standard one waits
// up to seconds, and always 1s base for throttling) and without the retry
// quota, which a test that injects many faults would drain, and then fail
// on the quota instead of on what it tests.
func FastRetryer(maxAttempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
				return time.Duration(attempt) * time.Millisecond, nil
			})
		})
	}
}

// WantAPIError fails the test unless err is the AWS error code and, when
// msg is not empty, carries exactly that message.
func WantAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want AWS error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), msg)
	}
}

// AsAccount is cfg with the dummy credentials of another account of the
// sandbox's world: the access key "test-<account>" (see
// world.World.CallerAccount).
func AsAccount(cfg aws.Config, account string) aws.Config {
	cfg = cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(sandbox.DummyAccessKeyID+"-"+account, sandbox.DummySecretAccessKey, "")
	return cfg
}

// Clock is a clock a test moves by hand: give its Now to sandbox.Options
// and the sandbox's builds, replacements and refreshes advance with it,
// never with the wall clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
