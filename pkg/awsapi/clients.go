package awsapi

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SSMAPI is the part of the SSM client winami uses. Signatures are the SDK's,
// so *ssm.Client satisfies it, as do the SDK paginators' client interfaces.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
}

// EC2API is the part of the EC2 client winami uses.
type EC2API interface {
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// STSAPI is the part of the STS client winami uses.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Compile-time checks that the SDK clients keep satisfying the interfaces.
var (
	_ SSMAPI = (*ssm.Client)(nil)
	_ EC2API = (*ec2.Client)(nil)
	_ STSAPI = (*sts.Client)(nil)
)

// Clients builds SDK clients from one configuration, one per service and
// region, and reuses them: a multi-region command asks for the same region's
// client from many goroutines.
type Clients struct {
	cfg aws.Config

	mu  sync.Mutex
	ssm map[string]*ssm.Client
	ec2 map[string]*ec2.Client
	sts *sts.Client
}

// NewClients returns a client factory over cfg (normally from LoadConfig).
func NewClients(cfg aws.Config) *Clients {
	return &Clients{cfg: cfg, ssm: map[string]*ssm.Client{}, ec2: map[string]*ec2.Client{}}
}

// Config returns the configuration, for packages that build clients of other
// services; those inherit the endpoint override, retries and call counter.
func (c *Clients) Config() aws.Config { return c.cfg.Copy() }

// Region returns the resolved default region.
func (c *Clients) Region() string { return c.cfg.Region }

// regionOr maps "" to the default region.
func (c *Clients) regionOr(region string) string {
	if region == "" {
		return c.cfg.Region
	}
	return region
}

// SSM returns the SSM client of region ("" = the default region).
func (c *Clients) SSM(region string) SSMAPI {
	region = c.regionOr(region)
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.ssm[region]
	if !ok {
		cl = ssm.NewFromConfig(c.cfg, func(o *ssm.Options) { o.Region = region })
		c.ssm[region] = cl
	}
	return cl
}

// EC2 returns the EC2 client of region ("" = the default region).
func (c *Clients) EC2(region string) EC2API {
	region = c.regionOr(region)
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.ec2[region]
	if !ok {
		cl = ec2.NewFromConfig(c.cfg, func(o *ec2.Options) { o.Region = region })
		c.ec2[region] = cl
	}
	return cl
}

// STS returns the STS client of the default region.
func (c *Clients) STS() STSAPI {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sts == nil {
		c.sts = sts.NewFromConfig(c.cfg)
	}
	return c.sts
}
