package drift

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/internal/textdist"
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
func ClusterConfig(ctx context.Context, api awsapi.EKSAPI, stsClient *sts.Client, cluster string) (*rest.Config, error) {
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

// ClusterTarget names the cluster a command reads: an EKS cluster by name
// (in a region, "" for the clients' own), else a kubeconfig and context.
type ClusterTarget struct {
	Cluster, Region     string
	Kubeconfig, Context string
}

// Config reaches the target: through EKS (ClusterConfig) when a cluster
// is named, else through the kubeconfig (KubeconfigConfig).
func (t ClusterTarget) Config(ctx context.Context, clients *awsapi.Clients) (*rest.Config, error) {
	if t.Cluster == "" {
		return KubeconfigConfig(t.Kubeconfig, t.Context)
	}
	return ClusterConfig(ctx, clients.EKS(t.Region), clients.STSClient(t.Region), t.Cluster)
}

// KubeconfigConfig is a client-go configuration from a kubeconfig file (or
// KUBECONFIG and ~/.kube/config when path is empty), with its exec plugins
// (aws eks get-token and the like), for a context ("" = the current one).
// A file that is missing, empty, not YAML or without the context is
// reported in one line that names it and the fix.
func KubeconfigConfig(path, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		rules.ExplicitPath = path
	}
	where := path
	if where == "" {
		where = strings.Join(rules.GetLoadingPrecedence(), ", ")
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, kubeconfigLoadError(where, err)
	}
	if len(raw.Contexts) == 0 {
		return nil, &awsapi.ExplainedError{
			Message: fmt.Sprintf("kubeconfig %s has no contexts (empty or not a kubeconfig): write one with `aws eks update-kubeconfig --name CLUSTER`, or name the cluster with --cluster", where),
			Err:     fmt.Errorf("kubeconfig %s: no contexts", where)}
	}
	name := context
	if name == "" {
		name = raw.CurrentContext
	}
	contexts := slices.Sorted(maps.Keys(raw.Contexts))
	if _, ok := raw.Contexts[name]; !ok {
		msg := fmt.Sprintf("kubeconfig %s has no context %q", where, name)
		if name == "" {
			msg = fmt.Sprintf("kubeconfig %s has no current context", where)
		}
		msg += ": pass --context with one of: " + strings.Join(contexts, ", ")
		if guess := nearest(name, contexts); guess != "" {
			msg = fmt.Sprintf("kubeconfig %s has no context %q: did you mean --context %s?", where, name, guess)
		}
		return nil, &awsapi.ExplainedError{Message: msg, Err: fmt.Errorf("kubeconfig %s: context %q not found", where, name)}
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, rules).ClientConfig()
	if err != nil {
		// clientcmd lists what the context lacks (a cluster, a server, a user).
		return nil, &awsapi.ExplainedError{
			Message: fmt.Sprintf("kubeconfig %s, context %s, is incomplete (%s): fix it, or write it anew with `aws eks update-kubeconfig --name CLUSTER`", where, name, oneLine(err)),
			Err:     fmt.Errorf("reading the kubeconfig: %w", err)}
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

// kubeconfigLoadError explains a kubeconfig that could not be read or parsed.
func kubeconfigLoadError(where string, err error) error {
	wrapped := fmt.Errorf("reading the kubeconfig: %w", err)
	if errors.Is(err, fs.ErrNotExist) {
		return &awsapi.ExplainedError{
			Message: fmt.Sprintf("kubeconfig %s does not exist: check the path, or write it with `aws eks update-kubeconfig --name CLUSTER --kubeconfig %s`", where, where),
			Err:     wrapped}
	}
	// clientcmd formats the parser's error into its own text (with %v), so
	// keep only the parser's part: it has the line.
	cause := oneLine(err)
	if _, after, ok := strings.Cut(cause, `": `); ok && strings.HasPrefix(cause, "error loading config file") {
		cause = after
	}
	if strings.Contains(cause, "couldn't get version/kind") {
		cause = "not a YAML mapping with apiVersion and kind"
	}
	return &awsapi.ExplainedError{
		Message: fmt.Sprintf("kubeconfig %s is not a valid kubeconfig (%s): fix it, or write it anew with `aws eks update-kubeconfig --name CLUSTER`", where, cause),
		Err:     wrapped}
}

// oneLine is err's text on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// nearest is the name in names closest to word if it looks like a typo of
// it, else "".
func nearest(word string, names []string) string {
	if word == "" {
		return ""
	}
	return textdist.Closest(word, names, len(word)/3+2)
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
