package drift

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// tokenPrefix starts an EKS bearer token.
const tokenPrefix = "k8s-aws-v1."

// Token makes a bearer token for an EKS cluster as `aws eks get-token`
// does: the base64url of an STS GetCallerIdentity URL presigned (for 60 s
// of validity; EKS accepts it for 15 minutes) with the signed header
// x-k8s-aws-id naming the cluster.
func Token(ctx context.Context, stsClient *sts.Client, cluster string) (string, error) {
	presigner := sts.NewPresignClient(stsClient)
	req, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.AddHeaderValue("x-k8s-aws-id", cluster),
				smithyhttp.AddHeaderValue("X-Amz-Expires", "60"))
		})
	})
	if err != nil {
		return "", fmt.Errorf("making a token for cluster %s: %w", cluster, err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), nil
}

// ClusterConfig is a client-go configuration for an EKS cluster known only
// by name: endpoint and CA from DescribeCluster, and a fresh token.
func ClusterConfig(ctx context.Context, api EKSAPI, stsClient *sts.Client, cluster string) (*rest.Config, error) {
	out, err := api.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		return nil, fmt.Errorf("describing cluster %s: %w", cluster, err)
	}
	c := out.Cluster
	endpoint := aws.ToString(c.Endpoint)
	if endpoint == "" {
		return nil, fmt.Errorf("cluster %s has no endpoint yet (status %s)", cluster, c.Status)
	}
	cfg := &rest.Config{Host: endpoint}
	if c.CertificateAuthority != nil && strings.HasPrefix(endpoint, "https://") {
		ca, err := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data))
		if err != nil {
			return nil, fmt.Errorf("cluster %s: its certificate authority is not base64: %w", cluster, err)
		}
		cfg.CAData = ca
	}
	if cfg.BearerToken, err = Token(ctx, stsClient, cluster); err != nil {
		return nil, err
	}
	return cfg, nil
}

// KubeconfigConfig is a client-go configuration from a kubeconfig file (or
// KUBECONFIG and ~/.kube/config when path is empty), with its exec plugins
// (aws eks get-token and the like), for a context ("" = the current one).
func KubeconfigConfig(path, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		rules.ExplicitPath = path
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	return cfg, nil
}
