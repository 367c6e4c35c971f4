package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// IAM returns the IAM client. IAM is global: the client of the default
// region serves every region.
func (c *Clients) IAM() *iam.Client {
	return client(c, "iam", "", func(cfg aws.Config) *iam.Client { return iam.NewFromConfig(cfg) })
}

// EC2Client is the SDK's EC2 client of region ("" = the default region),
// for packages that declare their own narrow interface over more of EC2
// than EC2API. It is the same client EC2 returns.
func (c *Clients) EC2Client(region string) *ec2.Client {
	return client(c, "ec2", region, func(cfg aws.Config) *ec2.Client { return ec2.NewFromConfig(cfg) })
}
