package drift_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/httpbound"
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

// TestBoundHangingAPIServer: a Kubernetes API server that never answers
// fails the node listing within the limit.
func TestBoundHangingAPIServer(t *testing.T) {
	cfg := &rest.Config{Host: hostile.Hang(t)}
	drift.Bound(cfg, httpbound.Limits{Timeout: 300 * time.Millisecond})
	kube, err := drift.KubeClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = drift.LeanNodes{Client: kube}.List(t.Context(), metav1.ListOptions{Limit: 500})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("listing nodes of a hanging server: %v after %s", err, time.Since(start))
	}
}
