// Package awsapi builds the one AWS SDK configuration winami uses (credential
// chain, region, endpoint override, retries, call counting) and the narrow
// service interfaces the rest of winami depends on.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/smithy-go/logging"

	"github.com/winami/winami/internal/httpbound"
)

// ErrNoRegion is returned by LoadConfig when neither a flag, the environment,
// the profile nor Options.DefaultRegion names a region.
var ErrNoRegion = errors.New("no AWS region configured: pass --region, set AWS_REGION, or set region in your profile (~/.aws/config)")

// DefaultMaxAttempts is winami's retry limit per call when neither
// AWS_MAX_ATTEMPTS nor the profile sets one.
const DefaultMaxAttempts = 10

// Options are the user's choices (flags) that shape the SDK configuration.
// Everything left empty falls back to what the SDK reads from the environment
// and the shared config files, as the aws CLI does.
type Options struct {
	// Region is the --region flag; it beats AWS_REGION, AWS_DEFAULT_REGION and the profile.
	Region string
	// Profile is the --profile flag; it beats AWS_PROFILE.
	Profile string
	// EndpointURL is the --endpoint-url flag; it beats AWS_ENDPOINT_URL,
	// AWS_ENDPOINT_URL_<SERVICE> and endpoint settings in the profile.
	EndpointURL string
	// DefaultRegion is used only when nothing else configures a region (the
	// sandbox uses "us-east-1"). Empty means a missing region is ErrNoRegion.
	DefaultRegion string
	// StaticCredentials, when set, replace the credential chain (the sandbox's
	// dummy credentials).
	StaticCredentials *aws.Credentials
	// Counter, when set, counts every operation made by clients built from the config.
	Counter *CallCounter
	// Logger receives debug lines about how the configuration was resolved.
	Logger *slog.Logger
	// Limits bound each HTTP request (time for headers and body, body
	// size); zero fields mean httpbound.Defaults.
	Limits httpbound.Limits
	// CallDeadline bounds each call, all attempts included (default
	// DefaultCallDeadline).
	CallDeadline time.Duration
}

// LoadConfig resolves the SDK configuration. Region precedence: Options.Region,
// AWS_REGION, AWS_DEFAULT_REGION (the SDK reads both, in that order), the
// profile's region, then Options.DefaultRegion. Retry mode and maximum attempts
// come from AWS_RETRY_MODE / AWS_MAX_ATTEMPTS or the profile; the SDK default
// is the "standard" retryer with 3 attempts.
func LoadConfig(ctx context.Context, opts Options) (aws.Config, error) {
	var loadOpts []func(*config.LoadOptions) error
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.DefaultRegion != "" {
		// WithDefaultRegion (rather than filling cfg.Region afterwards) lets
		// credential providers that call STS see the same region.
		loadOpts = append(loadOpts, config.WithDefaultRegion(opts.DefaultRegion))
	}
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	// The SDK's own warnings (e.g. an IMDS fallback) go to -v's debug log,
	// not onto a user's terminal between winami's lines.
	loadOpts = append(loadOpts, config.WithLogger(sdkLogger(opts.Logger)))
	if opts.StaticCredentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.StaticCredentialsProvider{Value: *opts.StaticCredentials}))
	}
	metadata := &lazyIMDS{}
	loadOpts = append(loadOpts, config.WithEC2RoleCredentialOptions(func(o *ec2rolecreds.Options) { o.Client = metadata }))
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, explainLoad(err, opts.Profile)
	}
	// Before the retry limit and counter below are set: IMDS gets its own
	// short limits, and its calls are not winami's to count.
	metadata.set(cfg)
	if cache, ok := cfg.Credentials.(*aws.CredentialsCache); ok {
		cfg.Credentials = noRetryCredentials{cache}
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	cfg.APIOptions = append(cfg.APIOptions, recordRegion)
	cfg.Retryer = withRetryableCodes(cfg)
	if cfg.RetryMaxAttempts == 0 {
		// Nothing (AWS_MAX_ATTEMPTS, max_attempts in the profile) chose a
		// limit. The SDK's 3 attempts give up on one call in 25 under 30%
		// throttling, and a multi-region probe makes dozens of calls; SSM's
		// default rate is about 40 calls a second per account and region.
		cfg.RetryMaxAttempts = DefaultMaxAttempts
	}
	if opts.EndpointURL != "" {
		forceEndpoint(&cfg, opts.EndpointURL)
	}
	cfg.APIOptions = append(cfg.APIOptions, replyCheck)
	bound(&cfg, opts.Limits, opts.CallDeadline)
	if opts.Counter != nil {
		// Appended after loading so only calls made by winami's clients are
		// counted, not the credential providers' own STS/SSO calls, which
		// would make benchmark counts depend on the user's setup.
		cfg.APIOptions = append(cfg.APIOptions, opts.Counter.Middleware())
	}
	if opts.Logger != nil {
		endpoint := "(SDK default)"
		if cfg.BaseEndpoint != nil {
			endpoint = *cfg.BaseEndpoint
		}
		retryMode := string(cfg.RetryMode)
		if retryMode == "" {
			retryMode = "standard (SDK default)"
		}
		opts.Logger.DebugContext(ctx, "AWS configuration resolved",
			"region", cfg.Region,
			"endpoint", endpoint,
			"retryMode", retryMode,
			"maxAttempts", cfg.RetryMaxAttempts)
	}
	return cfg, nil
}

// forceEndpoint makes url the endpoint of every service client built from cfg.
//
// Setting cfg.BaseEndpoint alone is not enough: each service client's
// resolveBaseEndpoint lets AWS_ENDPOINT_URL_<SERVICE> (and a profile's
// services section) overwrite it, while the aws CLI lets --endpoint-url win.
// cfg.ServiceOptions run after that resolution, so a callback there has the
// last word. It is applied after loading (not via config.WithBaseEndpoint) so
// that, as in the aws CLI, the credential providers' own STS/SSO clients keep
// their normal endpoints. The callback receives each service's *Options as
// `any`; every generated service has a `BaseEndpoint *string` field, which is
// set through reflection so clients winami does not know of are covered too.
func forceEndpoint(cfg *aws.Config, url string) {
	cfg.BaseEndpoint = aws.String(url)
	cfg.ServiceOptions = append(cfg.ServiceOptions, func(_ string, o any) {
		v := reflect.ValueOf(o)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return
		}
		f := v.Elem().FieldByName("BaseEndpoint")
		if f.IsValid() && f.CanSet() && f.Type() == reflect.TypeFor[*string]() {
			f.Set(reflect.ValueOf(aws.String(url)))
		}
	})
}

// sdkLogger sends the SDK's log lines to logger at debug level.
func sdkLogger(logger *slog.Logger) logging.Logger {
	if logger == nil {
		return logging.Nop{}
	}
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		logger.Debug(fmt.Sprintf(format, v...), "source", "aws-sdk", "class", string(c))
	})
}

// extraRetryableCodes are throttling errors AWS services document that the
// SDK does not retry by itself: Image Builder answers every operation with
// CallRateLimitExceededException (HTTP 429) when its rate is exceeded.
var extraRetryableCodes = []string{"CallRateLimitExceededException"}

// withRetryableCodes keeps the configured retryer (standard or adaptive) and
// adds extraRetryableCodes to what it retries.
func withRetryableCodes(cfg aws.Config) func() aws.Retryer {
	base := cfg.Retryer
	if base == nil {
		base = func() aws.Retryer {
			if cfg.RetryMode == aws.RetryModeAdaptive {
				return retry.NewAdaptiveMode()
			}
			return retry.NewStandard()
		}
	}
	return func() aws.Retryer { return retry.AddWithErrorCodes(base(), extraRetryableCodes...) }
}
