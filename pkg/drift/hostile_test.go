package drift_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/test/hostile"
)

// TestClusterConfigEmptyReply: a DescribeCluster reply without a cluster
// is an error naming the operation, not a nil pointer.
func TestClusterConfigEmptyReply(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(hostile.Empty(t)), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	_, err := drift.ClusterConfig(t.Context(), eks.NewFromConfig(cfg), sts.NewFromConfig(cfg), "demo")
	var inc *awsapi.IncompleteReplyError
	if !errors.As(err, &inc) || inc.Operation != "EKS DescribeCluster" {
		t.Fatalf("ClusterConfig = %v; want an IncompleteReplyError for EKS DescribeCluster", err)
	}
}
