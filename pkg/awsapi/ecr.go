package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// ECRAPI is the part of the ECR client winami uses.
type ECRAPI interface {
	GetAuthorizationToken(ctx context.Context, in *ecr.GetAuthorizationTokenInput, optFns ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

var _ ECRAPI = (*ecr.Client)(nil)

// ECR returns the ECR client of region ("" = the default region).
func (c *Clients) ECR(region string) ECRAPI {
	return client(c, "ecr", region, func(cfg aws.Config) *ecr.Client { return ecr.NewFromConfig(cfg) })
}
