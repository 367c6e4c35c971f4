package eks_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// A fleet's clusters belong to two accounts: each caller lists and
// describes its own only, as EKS answers (another account's cluster is not
// found).
func TestFleetClustersByAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 12, ScaleNodes: 3})
	own := eks.NewFromConfig(cfg)
	partner := eks.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))
	list := func(c *eks.Client, region string) []string {
		t.Helper()
		var names []string
		pages := eks.NewListClustersPaginator(c, &eks.ListClustersInput{MaxResults: aws.Int32(2)}, func(o *eks.ListClustersPaginatorOptions) {})
		for pages.HasMorePages() {
			page, err := pages.NextPage(t.Context(), inRegion(region))
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, page.Clusters...)
		}
		return names
	}
	if got := list(own, "us-east-1"); !slices.Equal(got, []string{"demo", "fleet-01", "fleet-05"}) {
		t.Errorf("default account, us-east-1: %v", got)
	}
	if got := list(partner, "us-east-1"); !slices.Equal(got, []string{"fleet-09"}) {
		t.Errorf("partner, us-east-1: %v", got)
	}
	if got := list(partner, "us-west-2"); !slices.Equal(got, []string{"fleet-06"}) {
		t.Errorf("partner, us-west-2: %v", got)
	}
	out, err := partner.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("fleet-09")}, inRegion("us-east-1"))
	if err != nil || aws.ToString(out.Cluster.Arn) != "arn:aws:eks:us-east-1:444455556666:cluster/fleet-09" {
		t.Fatalf("partner's fleet-09: %+v, %v", out, err)
	}
	_, err = own.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String("fleet-09")}, inRegion("us-east-1"))
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = own.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("fleet-09")}, inRegion("us-east-1"))
	sandboxtest.WantAPIError(t, err, "ResourceNotFoundException", "")
	ngs, err := partner.ListNodegroups(t.Context(), &eks.ListNodegroupsInput{ClusterName: aws.String("fleet-09")}, inRegion("us-east-1"))
	if err != nil || len(ngs.Nodegroups) != 3 {
		t.Errorf("partner's node groups of fleet-09: %+v, %v", ngs, err)
	}
}
