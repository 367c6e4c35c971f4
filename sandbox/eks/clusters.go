package eks

import (
	"context"
	"maps"
	"strings"

	"github.com/winami/winami/sandbox/kube"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type listClustersOutput struct {
	Clusters  []string `json:"clusters"`
	NextToken *string  `json:"nextToken,omitempty"`
}

func (s *service) listClusters(ctx context.Context, req *protocol.Request) (any, error) {
	p, err := parsePage(req)
	if err != nil {
		return nil, err
	}
	var out listClustersOutput
	err = s.view(req, func(w *world.World) error {
		out.Clusters, out.NextToken = p.cut(w.ClusterNamesAs(w.CallerAccount(req.AccessKey), req.Region))
		return nil
	})
	if out.Clusters == nil {
		out.Clusters = []string{}
	}
	return out, err
}

type describeClusterOutput struct {
	Cluster clusterJSON `json:"cluster"`
}

type clusterJSON struct {
	Name                    string            `json:"name"`
	ARN                     string            `json:"arn"`
	ID                      string            `json:"id,omitempty"`
	CreatedAt               float64           `json:"createdAt"`
	Version                 string            `json:"version"`
	Endpoint                string            `json:"endpoint"`
	RoleARN                 string            `json:"roleArn"`
	ResourcesVPCConfig      vpcConfigJSON     `json:"resourcesVpcConfig"`
	KubernetesNetworkConfig netConfigJSON     `json:"kubernetesNetworkConfig"`
	Identity                identityJSON      `json:"identity"`
	Status                  string            `json:"status"`
	CertificateAuthority    certJSON          `json:"certificateAuthority"`
	PlatformVersion         string            `json:"platformVersion"`
	Tags                    map[string]string `json:"tags"`
	AccessConfig            accessConfigJSON  `json:"accessConfig"`
	Health                  healthJSON        `json:"health"`
}

type vpcConfigJSON struct {
	SubnetIDs              []string `json:"subnetIds"`
	SecurityGroupIDs       []string `json:"securityGroupIds"`
	ClusterSecurityGroupID string   `json:"clusterSecurityGroupId"`
	VPCID                  string   `json:"vpcId"`
	EndpointPublicAccess   bool     `json:"endpointPublicAccess"`
	EndpointPrivateAccess  bool     `json:"endpointPrivateAccess"`
	PublicAccessCidrs      []string `json:"publicAccessCidrs"`
}

type netConfigJSON struct {
	ServiceIPv4CIDR string `json:"serviceIpv4Cidr"`
	IPFamily        string `json:"ipFamily"`
}

type identityJSON struct {
	OIDC struct {
		Issuer string `json:"issuer"`
	} `json:"oidc"`
}

type certJSON struct {
	Data string `json:"data"`
}

type accessConfigJSON struct {
	AuthenticationMode string `json:"authenticationMode"`
}

type healthJSON struct {
	Issues []struct{} `json:"issues"`
}

func (s *service) describeCluster(ctx context.Context, req *protocol.Request) (any, error) {
	name := req.PathParams["name"]
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	var out describeClusterOutput
	err := s.view(req, func(w *world.World) error {
		c := w.ClusterAs(w.CallerAccount(req.AccessKey), req.Region, name)
		if c == nil {
			return clusterNotFound(name)
		}
		out.Cluster = clusterJSON{
			Name:      c.Name,
			ARN:       c.ARN,
			ID:        c.ID,
			CreatedAt: epoch(c.CreatedAt),
			Version:   c.Version,
			// The Kubernetes API is served by the sandbox itself, at the
			// address the caller reached it by.
			Endpoint: kube.Endpoint(req.Host, c.Account, req.Region, c.Name),
			RoleARN:  c.RoleARN,
			ResourcesVPCConfig: vpcConfigJSON{
				SubnetIDs:              c.SubnetIDs,
				SecurityGroupIDs:       []string{},
				ClusterSecurityGroupID: c.ClusterSecurityGroupID,
				VPCID:                  c.VPCID,
				EndpointPublicAccess:   true,
				PublicAccessCidrs:      []string{"0.0.0.0/0"},
			},
			KubernetesNetworkConfig: netConfigJSON{ServiceIPv4CIDR: c.ServiceIPv4CIDR, IPFamily: "ipv4"},
			Status:                  c.Status,
			CertificateAuthority:    certJSON{Data: c.CertificateAuthority},
			PlatformVersion:         c.PlatformVersion,
			Tags:                    maps.Clone(c.Tags),
			AccessConfig:            accessConfigJSON{AuthenticationMode: "API_AND_CONFIG_MAP"},
			Health:                  healthJSON{Issues: []struct{}{}},
		}
		out.Cluster.Identity.OIDC.Issuer = "https://oidc.eks." + req.Region + ".amazonaws.com/id/" + oidcID(c.ID)
		if out.Cluster.Tags == nil {
			out.Cluster.Tags = map[string]string{}
		}
		return nil
	})
	return out, err
}

// oidcID is the 32 upper-case hex digits of an EKS OIDC issuer, derived
// from the cluster's ID.
func oidcID(id string) string { return strings.ToUpper(strings.ReplaceAll(id, "-", "")) }
