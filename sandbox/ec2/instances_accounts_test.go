package ec2_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// An account sees only its own instances, as in EC2: the fleet's partner
// clusters' instances are the partner's, the rest the default account's.
// Another account's instance ID is InvalidInstanceID.NotFound, and a
// filter does not list it.
func TestDescribeInstancesByAccount(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 3, ScaleNodes: 2})
	own := ec2.NewFromConfig(cfg)
	partner := ec2.NewFromConfig(sandboxtest.AsAccount(cfg, world.PartnerAccountID))
	byCluster := func(c *ec2.Client, cluster string) []types.Instance {
		t.Helper()
		out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{
			Filters: []types.Filter{filter("tag:eks:cluster-name", cluster)},
		}, inRegion("eu-west-1"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Reservations {
			if want := map[string]string{"fleet-03": world.PartnerAccountID}[cluster]; aws.ToString(r.OwnerId) != cmp.Or(want, world.DefaultAccountID) {
				t.Errorf("%s: reservation owner %s", cluster, aws.ToString(r.OwnerId))
			}
		}
		return instances(out)
	}
	// fleet-03 (the partner's) is in eu-west-1.
	theirs := byCluster(partner, "fleet-03")
	if len(theirs) != 2 {
		t.Fatalf("the partner's fleet-03 instances: %v", instanceIDs(theirs))
	}
	if got := byCluster(own, "fleet-03"); len(got) != 0 {
		t.Errorf("the default account sees the partner's instances by filter: %v", instanceIDs(got))
	}
	all, err := own.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{}, inRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range instanceIDs(instances(all)) {
		if slices.Contains(instanceIDs(theirs), id) {
			t.Errorf("the default account lists the partner's %s", id)
		}
	}
	id := aws.ToString(theirs[0].InstanceId)
	_, err = own.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, inRegion("eu-west-1"))
	sandboxtest.WantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance ID '"+id+"' does not exist")
	// And the other way round: the demo cluster's instances are the
	// default account's.
	demo, err := own.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	if err != nil || len(instances(demo)) == 0 {
		t.Fatalf("default account's instances: %v, %v", demo, err)
	}
	mine := aws.ToString(instances(demo)[0].InstanceId)
	_, err = partner.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{mine}})
	sandboxtest.WantAPIError(t, err, "InvalidInstanceID.NotFound", "The instance ID '"+mine+"' does not exist")
	out, err := partner.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{
		Filters: []types.Filter{filter("instance-state-name", "running")},
	})
	if err != nil || len(instances(out)) != 0 {
		t.Errorf("the partner's instances in us-east-1 (it has none there): %v, %v", instanceIDs(instances(out)), err)
	}
}
