package sandboxtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// EKSToken makes a bearer token for a cluster as `aws eks get-token` and
// aws-iam-authenticator make it: "k8s-aws-v1." and the base64url of an STS
// GetCallerIdentity URL presigned for 60 s with the signed header
// x-k8s-aws-id naming the cluster.
func EKSToken(ctx context.Context, cfg aws.Config, cluster string) (string, error) {
	presigner := sts.NewPresignClient(sts.NewFromConfig(cfg))
	req, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.AddHeaderValue("x-k8s-aws-id", cluster),
				smithyhttp.AddHeaderValue("X-Amz-Expires", "60"))
		})
	})
	if err != nil {
		return "", fmt.Errorf("presigning GetCallerIdentity: %w", err)
	}
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), nil
}

// RESTConfig is a client-go configuration for an EKS cluster built the way
// a tool that knows only the cluster's name builds it: endpoint and CA from
// DescribeCluster, and an EKS token.
func RESTConfig(t testing.TB, cfg aws.Config, cluster string) *rest.Config {
	t.Helper()
	out, err := eks.NewFromConfig(cfg).DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		t.Fatalf("sandboxtest: describing cluster %s: %v", cluster, err)
	}
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(out.Cluster.CertificateAuthority.Data))
	if err != nil {
		t.Fatalf("sandboxtest: cluster %s CA: %v", cluster, err)
	}
	token, err := EKSToken(t.Context(), cfg, cluster)
	if err != nil {
		t.Fatalf("sandboxtest: %v", err)
	}
	return &rest.Config{
		Host:            aws.ToString(out.Cluster.Endpoint),
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
	}
}

// Kubernetes is a clientset for a sandbox cluster (see RESTConfig).
func Kubernetes(t testing.TB, cfg aws.Config, cluster string) *kubernetes.Clientset {
	t.Helper()
	return Clientset(t, RESTConfig(t, cfg, cluster))
}

// Clientset is a clientset for a client-go configuration (a RESTConfig a
// test changed, or one read from a kubeconfig).
func Clientset(t testing.TB, rc *rest.Config) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatalf("sandboxtest: clientset for %s: %v", rc.Host, err)
	}
	return cs
}
