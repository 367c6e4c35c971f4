package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// EKS returns the EKS client of region ("" = the default region).
func (c *Clients) EKS(region string) *eks.Client {
	return client(c, "eks", region, func(cfg aws.Config) *eks.Client { return eks.NewFromConfig(cfg) })
}

// STSClient returns the SDK's STS client of region ("" = the default
// region), for presigning (EKS tokens are presigned STS requests).
func (c *Clients) STSClient(region string) *sts.Client {
	return client(c, "sts", region, func(cfg aws.Config) *sts.Client { return sts.NewFromConfig(cfg) })
}
