package fleet

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/winami/winami/internal/httpbound"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/drift"
)

// NewRunner is the runner over one set of AWS clients per profile ("" the
// default credentials), each kept for all the profile's clusters: its EKS
// lists the clusters, its STS tells the account, and each cluster is
// opened as `winami drift --cluster` opens it (EKS DescribeCluster and a
// token), its API server's HTTP bounded by limits.
func NewRunner(clients map[string]*awsapi.Clients, limits httpbound.Limits) *Runner {
	return &Runner{
		EKS: func(profile, region string) awsapi.EKSAPI { return clients[profile].EKS(region) },
		Account: func(ctx context.Context, profile string) (string, error) {
			out, err := clients[profile].STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Account), nil
		},
		Open: func(ctx context.Context, t Target) (drift.Sources, error) {
			c := clients[t.Profile]
			restCfg, err := drift.ClusterTarget{Cluster: t.Cluster, Region: t.Region}.Config(ctx, c)
			if err != nil {
				return drift.Sources{}, err
			}
			drift.Bound(restCfg, limits)
			return drift.NewSources(c, restCfg, t.Region)
		},
	}
}
