package eks_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func start(t *testing.T, opts sandbox.Options) (*sandbox.Server, *eks.Client) {
	t.Helper()
	opts.Seed = 1
	srv, cfg := sandboxtest.Start(t, opts)
	return srv, eks.NewFromConfig(cfg)
}

func inRegion(region string) func(*eks.Options) {
	return func(o *eks.Options) { o.Region = region }
}

func TestListClusters(t *testing.T) {
	_, c := start(t, sandbox.Options{ScaleNodes: 20})
	out, err := c.ListClusters(t.Context(), &eks.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Clusters, []string{"demo", "scale"}) || out.NextToken != nil {
		t.Errorf("clusters %v, next %v", out.Clusters, out.NextToken)
	}
	// Page by one with the SDK's paginator.
	var names []string
	pages := eks.NewListClustersPaginator(c, &eks.ListClustersInput{MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Clusters) > 1 {
			t.Fatalf("page of %d with maxResults 1", len(page.Clusters))
		}
		names = append(names, page.Clusters...)
	}
	if !slices.Equal(names, []string{"demo", "scale"}) {
		t.Errorf("paged clusters %v", names)
	}
	other, err := c.ListClusters(t.Context(), &eks.ListClustersInput{}, inRegion("eu-west-1"))
	if err != nil || len(other.Clusters) != 0 {
		t.Errorf("eu-west-1: %+v, %v", other, err)
	}
	for _, n := range []int32{0, 101} {
		_, err := c.ListClusters(t.Context(), &eks.ListClustersInput{MaxResults: aws.Int32(n)})
		sandboxtest.WantAPIError(t, err, "InvalidParameterException", "")
	}
	_, err = c.ListClusters(t.Context(), &eks.ListClustersInput{NextToken: aws.String("%%%")})
	sandboxtest.WantAPIError(t, err, "InvalidParameterException", "")
	_, err = c.ListClusters(t.Context(), &eks.ListClustersInput{}, inRegion("sa-east-1"))
	sandboxtest.WantAPIError(t, err, "UnrecognizedClientException", "")
}

func TestDescribeCluster(t *testing.T) {
	srv, c := start(t, sandbox.Options{})
	out, err := c.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.Cluster
	if aws.ToString(cl.Name) != "demo" || aws.ToString(cl.Version) != "1.35" || cl.Status != types.ClusterStatusActive ||
		aws.ToString(cl.Arn) != "arn:aws:eks:us-east-1:"+world.DefaultAccountID+":cluster/demo" ||
		cl.CreatedAt == nil || cl.CreatedAt.Year() != 2026 || aws.ToString(cl.PlatformVersion) == "" ||
		cl.ResourcesVpcConfig == nil || len(cl.ResourcesVpcConfig.SubnetIds) != 3 {
		t.Errorf("cluster %+v", cl)
	}
	// The endpoint is the sandbox's own Kubernetes API for the cluster, over
	// TLS on the sandbox's port.
	if want := strings.Replace(srv.URL(), "http://", "https://", 1) + "/k8s/us-east-1/demo"; aws.ToString(cl.Endpoint) != want {
		t.Errorf("endpoint %q, want %q", aws.ToString(cl.Endpoint), want)
	}
	if _, err := url.Parse(aws.ToString(cl.Endpoint)); err != nil {
		t.Error(err)
	}
	pemBytes, err := base64.StdEncoding.DecodeString(aws.ToString(cl.CertificateAuthority.Data))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CA is not a PEM certificate: %q", pemBytes)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !cert.IsCA || cert.Subject.CommonName != "kubernetes" || cert.CheckSignatureFrom(cert) != nil {
		t.Errorf("CA %+v, %v", cert, err)
	}
	// The same seed gives the same CA.
	_, again := start(t, sandbox.Options{})
	out2, err := again.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("demo")})
	if err != nil || aws.ToString(out2.Cluster.CertificateAuthority.Data) != aws.ToString(cl.CertificateAuthority.Data) {
		t.Errorf("CA differs between two sandboxes of one seed (%v)", err)
	}

	_, err = c.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("prod")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: prod.")
	_, err = c.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("demo")}, inRegion("us-west-2"))
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: demo.")
	_, err = c.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("_demo")})
	sandboxtest.WantAPIError(t, err, "InvalidParameterException", "")
	_, err = c.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String(strings.Repeat("a", 101))})
	sandboxtest.WantAPIError(t, err, "InvalidParameterException", "The parameter name should not be greater than 100 characters.")
}

func TestListNodegroups(t *testing.T) {
	_, c := start(t, sandbox.Options{})
	out, err := c.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"system", "windows-core-a", "windows-core-b"}; !slices.Equal(out.Nodegroups, want) {
		t.Errorf("node groups %v, want %v", out.Nodegroups, want)
	}
	first, err := c.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("demo"), MaxResults: aws.Int32(2)})
	if err != nil || len(first.Nodegroups) != 2 || first.NextToken == nil {
		t.Fatalf("first page %+v, %v", first, err)
	}
	rest, err := c.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("demo"), MaxResults: aws.Int32(2), NextToken: first.NextToken})
	if err != nil || !slices.Equal(rest.Nodegroups, []string{"windows-core-b"}) || rest.NextToken != nil {
		t.Errorf("second page %+v, %v", rest, err)
	}
	_, err = c.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: prod.")
}

func TestDescribeNodegroup(t *testing.T) {
	_, c := start(t, sandbox.Options{})
	get := func(name string) *types.Nodegroup {
		t.Helper()
		out, err := c.DescribeNodegroup(t.Context(), &eks.DescribeNodegroupInput{ClusterName: aws.String("demo"), NodegroupName: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return out.Nodegroup
	}
	a := get("windows-core-a")
	// A custom AMI group: EKS reports the AMI ID as its release version.
	if a.AmiType != types.AMITypesCustom || !strings.HasPrefix(aws.ToString(a.ReleaseVersion), "ami-") ||
		aws.ToString(a.Version) != "1.35" || a.Status != types.NodegroupStatusActive ||
		a.ScalingConfig == nil || aws.ToInt32(a.ScalingConfig.DesiredSize) != 4 ||
		a.LaunchTemplate == nil || aws.ToString(a.LaunchTemplate.Name) != world.DemoLaunchTemplateName ||
		!strings.HasPrefix(aws.ToString(a.LaunchTemplate.Id), "lt-") || aws.ToString(a.LaunchTemplate.Version) != "1" ||
		a.DiskSize != nil || len(a.Subnets) != 3 || !strings.HasSuffix(aws.ToString(a.NodeRole), ":role/demo-node-role") ||
		!strings.HasPrefix(aws.ToString(a.NodegroupArn), "arn:aws:eks:us-east-1:111122223333:nodegroup/demo/windows-core-a/") ||
		a.Resources == nil || len(a.Resources.AutoScalingGroups) != 1 || a.Labels == nil {
		t.Errorf("windows-core-a %+v", a)
	}
	b := get("windows-core-b")
	if b.AmiType != types.AMITypesWindowsCore2022X8664 || b.LaunchTemplate != nil || aws.ToInt32(b.DiskSize) != 50 ||
		aws.ToInt32(b.ScalingConfig.DesiredSize) != 3 || len(b.InstanceTypes) != 1 {
		t.Errorf("windows-core-b %+v", b)
	}
	sys := get("system")
	if sys.AmiType != types.AMITypesAl2023X8664Standard || aws.ToInt32(sys.ScalingConfig.DesiredSize) != 2 {
		t.Errorf("system %+v", sys)
	}
	_, err := c.DescribeNodegroup(t.Context(), &eks.DescribeNodegroupInput{ClusterName: aws.String("demo"), NodegroupName: aws.String("gpu")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No node group found for name: gpu.")
	_, err = c.DescribeNodegroup(t.Context(), &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String("system")})
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "No cluster found for name: prod.")
}
