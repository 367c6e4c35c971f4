package awsapi

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SSMAPI is the part of the SSM client winami uses. Signatures are the SDK's,
// so *ssm.Client satisfies it, as do the SDK paginators' client interfaces.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, optFns ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
	GetParameterHistory(ctx context.Context, in *ssm.GetParameterHistoryInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterHistoryOutput, error)
	LabelParameterVersion(ctx context.Context, in *ssm.LabelParameterVersionInput, optFns ...func(*ssm.Options)) (*ssm.LabelParameterVersionOutput, error)
}

// STSAPI is the part of the STS client winami uses.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Compile-time checks that the SDK clients keep satisfying the interfaces.
var (
	_ SSMAPI = (*ssm.Client)(nil)
	_ STSAPI = (*sts.Client)(nil)
)

// Clients builds SDK clients from one configuration, one per service and
// region, and reuses them: a multi-region command asks for the same region's
// client from many goroutines.
type Clients struct {
	cfg aws.Config

	mu      sync.Mutex
	clients map[clientKey]any
}

// clientKey names one cached client: a service in a region.
type clientKey struct{ service, region string }

// NewClients returns a client factory over cfg (normally from LoadConfig).
func NewClients(cfg aws.Config) *Clients {
	return &Clients{cfg: cfg, clients: map[clientKey]any{}}
}

// Config returns the configuration, for packages that build clients of other
// services; those inherit the endpoint override, retries and call counter.
func (c *Clients) Config() aws.Config { return c.cfg.Copy() }

// Region returns the resolved default region.
func (c *Clients) Region() string { return c.cfg.Region }

// client returns the cached client of a service in region ("" = the default
// region), building it on first use with the config's region replaced.
func client[T any](c *Clients, service, region string, build func(cfg aws.Config) T) T {
	if region == "" {
		region = c.cfg.Region
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := clientKey{service, region}
	if cl, ok := c.clients[key]; ok {
		return cl.(T)
	}
	cfg := c.cfg.Copy()
	cfg.Region = region
	cl := build(cfg)
	c.clients[key] = cl
	return cl
}

// SSM returns the SSM client of region ("" = the default region).
func (c *Clients) SSM(region string) SSMAPI {
	return client(c, "ssm", region, func(cfg aws.Config) *ssm.Client { return ssm.NewFromConfig(cfg) })
}

// STS returns the STS client of the default region.
func (c *Clients) STS() STSAPI {
	return client(c, "sts", "", func(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) })
}
