package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// EKSAPI is the part of the EKS client winami uses (drift lists clusters, reads the
// cluster and its node groups; rollout updates node groups), with the SDK's signatures.
type EKSAPI interface {
	ListClusters(ctx context.Context, in *eks.ListClustersInput, optFns ...func(*eks.Options)) (*eks.ListClustersOutput, error)
	DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	ListNodegroups(ctx context.Context, in *eks.ListNodegroupsInput, optFns ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error)
	DescribeNodegroup(ctx context.Context, in *eks.DescribeNodegroupInput, optFns ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error)
	UpdateNodegroupVersion(ctx context.Context, in *eks.UpdateNodegroupVersionInput, optFns ...func(*eks.Options)) (*eks.UpdateNodegroupVersionOutput, error)
	DescribeUpdate(ctx context.Context, in *eks.DescribeUpdateInput, optFns ...func(*eks.Options)) (*eks.DescribeUpdateOutput, error)
	ListUpdates(ctx context.Context, in *eks.ListUpdatesInput, optFns ...func(*eks.Options)) (*eks.ListUpdatesOutput, error)
}

var _ EKSAPI = (*eks.Client)(nil)

// EKS returns the EKS client of region ("" = the default region).
func (c *Clients) EKS(region string) EKSAPI {
	return client(c, "eks", region, func(cfg aws.Config) *eks.Client { return eks.NewFromConfig(cfg) })
}

// STSClient returns the SDK's STS client of region ("" = the default
// region), for presigning (EKS tokens are presigned STS requests): the
// presigner needs the concrete client, not an interface over its calls.
func (c *Clients) STSClient(region string) *sts.Client {
	return client(c, "sts", region, func(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) })
}
