package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
)

// AutoScalingAPI is the part of the Auto Scaling client winami uses: a
// rollout of a self-managed node group reads the group and replaces its
// instances with an instance refresh.
type AutoScalingAPI interface {
	DescribeAutoScalingGroups(ctx context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, optFns ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
	StartInstanceRefresh(ctx context.Context, in *autoscaling.StartInstanceRefreshInput, optFns ...func(*autoscaling.Options)) (*autoscaling.StartInstanceRefreshOutput, error)
	DescribeInstanceRefreshes(ctx context.Context, in *autoscaling.DescribeInstanceRefreshesInput, optFns ...func(*autoscaling.Options)) (*autoscaling.DescribeInstanceRefreshesOutput, error)
	CancelInstanceRefresh(ctx context.Context, in *autoscaling.CancelInstanceRefreshInput, optFns ...func(*autoscaling.Options)) (*autoscaling.CancelInstanceRefreshOutput, error)
	RollbackInstanceRefresh(ctx context.Context, in *autoscaling.RollbackInstanceRefreshInput, optFns ...func(*autoscaling.Options)) (*autoscaling.RollbackInstanceRefreshOutput, error)
}

var _ AutoScalingAPI = (*autoscaling.Client)(nil)

// AutoScaling returns the Auto Scaling client of region ("" = the default
// region).
func (c *Clients) AutoScaling(region string) AutoScalingAPI {
	return client(c, "autoscaling", region, func(cfg aws.Config) *autoscaling.Client { return autoscaling.NewFromConfig(cfg) })
}
