package awsapi

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// imdsTimeout bounds each question the credential chain asks the instance
// metadata service, and imdsMaxAttempts how often it asks. Off EC2 there is
// no such service, and a user without credentials should hear so at once,
// as with the aws CLI (one attempt, one second), not after the 10 attempts
// winami allows AWS calls.
const (
	imdsTimeout     = time.Second
	imdsMaxAttempts = 1
)

// lazyIMDS is the instance metadata client of the credential chain. The chain
// is built inside config.LoadDefaultConfig, before the configuration that
// says where IMDS is (AWS_EC2_METADATA_SERVICE_ENDPOINT, the profile's
// ec2_metadata_service_* settings) exists as an aws.Config; so the chain gets
// this placeholder and LoadConfig fills in the real client right after
// loading, before any credentials are asked for.
type lazyIMDS struct {
	client atomic.Pointer[imds.Client]
}

// set builds the short-lived IMDS client from the loaded configuration.
func (l *lazyIMDS) set(cfg aws.Config) {
	l.client.Store(imds.NewFromConfig(cfg, shortIMDS))
}

func shortIMDS(o *imds.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = imdsMaxAttempts })
}

// GetMetadata satisfies ec2rolecreds.GetMetadataAPIClient with a deadline
// of imdsTimeout a question (the token request included).
func (l *lazyIMDS) GetMetadata(ctx context.Context, in *imds.GetMetadataInput, optFns ...func(*imds.Options)) (*imds.GetMetadataOutput, error) {
	c := l.client.Load()
	if c == nil {
		// Only reachable if credentials were asked for during loading;
		// the environment still decides the endpoint.
		c = imds.New(imds.Options{}, shortIMDS)
	}
	ctx, cancel := context.WithTimeout(ctx, imdsTimeout)
	defer cancel()
	return c.GetMetadata(ctx, in, optFns...)
}

// noRetryCredentials keeps the credential chain (and its cache) but marks its
// failures as not worth retrying: each provider has already made its own
// attempts, and retrying the AWS call would run the whole chain again, up to
// the call's 10 attempts with backoff in between (the SDK's retryer takes a
// connection error inside the chain's failure, such as IMDS refusing the
// connection, for a transient one). It embeds the cache so the SDK still
// sees a *aws.CredentialsCache's methods (sources, invalidation).
type noRetryCredentials struct {
	*aws.CredentialsCache
}

func (c noRetryCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.CredentialsCache.Retrieve(ctx)
	if err != nil {
		return creds, &credentialsError{Err: err}
	}
	return creds, nil
}

// credentialsError is the credential chain's failure; the retryer asks
// RetryableError whether to try the call again.
type credentialsError struct{ Err error }

func (e *credentialsError) Error() string        { return e.Err.Error() }
func (e *credentialsError) Unwrap() error        { return e.Err }
func (e *credentialsError) RetryableError() bool { return false }
