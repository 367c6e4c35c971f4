package drift

import (
	"context"

	"k8s.io/client-go/rest"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
)

// NewSources are a report's sources over one set of AWS clients and a
// cluster's API server (restCfg, already bounded). eksRegion, when not
// empty, is the region of the EKS cluster whose node groups are read.
func NewSources(clients *awsapi.Clients, restCfg *rest.Config, eksRegion string) (Sources, error) {
	kube, err := KubeClient(restCfg)
	if err != nil {
		return Sources{}, err
	}
	src := Sources{
		Nodes:         LeanNodes{Client: kube},
		ServerVersion: func(ctx context.Context) (string, error) { return ServerVersion(ctx, kube) },
		EC2:           clients.EC2,
		SSM:           clients.SSM,
		Finder:        catalog.NewFinderFromClients(clients),
	}
	if eksRegion != "" {
		src.EKS = clients.EKS(eksRegion)
	}
	return src, nil
}
