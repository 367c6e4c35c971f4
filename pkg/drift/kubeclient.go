package drift

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
)

// tokenPrefix starts an EKS bearer token.
const tokenPrefix = "k8s-aws-v1."

// client-go's default of 5 requests a second would make the list of a
// 10,000-node cluster (20 pages) wait on the client, not the server; a
// run makes one page request at a time anyway.
const (
	clientQPS   = 50
	clientBurst = 100
)

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
	if c == nil {
		return nil, awsapi.Incomplete("EKS DescribeCluster", "cluster")
	}
	endpoint := aws.ToString(c.Endpoint)
	if endpoint == "" {
		return nil, fmt.Errorf("cluster %s has no endpoint yet (status %s)", cluster, c.Status)
	}
	cfg := &rest.Config{Host: endpoint}
	tune(cfg)
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
	tune(cfg)
	return cfg, nil
}

// Bound limits every request of the client to cfg's API server (time,
// body size): a server that hangs or streams without end fails the run
// instead of holding it. Apply it to every configuration, in-cluster too.
func Bound(cfg *rest.Config, l httpbound.Limits) {
	l = l.OrDefaults()
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return httpbound.Transport(rt, l) })
}

// tune sets the client up for listing many nodes: a rate limit that does
// not hold back the pages, and protobuf where the API server speaks it
// (EKS does; it decodes several times faster than JSON), JSON elsewhere.
func tune(cfg *rest.Config) {
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.ContentType = "application/json"
}

// explainKube turns the API server's refusals into what to do about them.
func explainKube(err error) error {
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the API server refused the credentials (401 Unauthorized): refresh them (aws eks update-kubeconfig --name CLUSTER, or --cluster), and check that your IAM identity has an EKS access entry: %w", err)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the credentials may not read nodes (403 Forbidden): grant get and list on nodes (see the ClusterRole in deploy/): %w", err)
	}
	return err
}
