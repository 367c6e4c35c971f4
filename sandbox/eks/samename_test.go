package eks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// EKS cluster names are unique per account and region: the default
// account's "fleet-03" and the partner's, both in eu-west-1, are two
// clusters, each account listing, describing and reaching its own
// (another endpoint, other nodes).
func TestSameClusterNameInTwoAccounts(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 3, ScaleNodes: 2})
	const region, name = "eu-west-1", "fleet-03" // the partner's
	err := srv.Store().Update(func(w *world.World) error {
		theirs := w.ClusterAs(world.PartnerAccountID, region, name)
		raw, err := json.Marshal(theirs)
		if err != nil {
			return err
		}
		var mine world.Cluster
		if err := json.Unmarshal(raw, &mine); err != nil {
			return err
		}
		mine.Account = ""
		mine.ARN = strings.Replace(mine.ARN, world.PartnerAccountID, w.AccountID, 1)
		mine.Nodes = mine.Nodes[:1]
		mine.Nodes[0].Name = "ip-10-200-0-1.eu-west-1.compute.internal"
		w.PutCluster(region, &mine)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Region = region
	partnerCfg := sandboxtest.AsAccount(cfg, world.PartnerAccountID)
	endpoints := map[string]string{}
	for account, c := range map[string]aws.Config{world.DefaultAccountID: cfg, world.PartnerAccountID: partnerCfg} {
		client := eks.NewFromConfig(c)
		list, err := client.ListClusters(t.Context(), &eks.ListClustersInput{})
		if err != nil || strings.Join(list.Clusters, ",") != name {
			t.Errorf("%s lists %v, %v", account, list, err)
		}
		out, err := client.DescribeCluster(t.Context(), &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", account, err)
		}
		if want := "arn:aws:eks:eu-west-1:" + account + ":cluster/" + name; aws.ToString(out.Cluster.Arn) != want {
			t.Errorf("%s describes %s, want %s", account, aws.ToString(out.Cluster.Arn), want)
		}
		endpoints[account] = aws.ToString(out.Cluster.Endpoint)
		nodes, err := sandboxtest.Kubernetes(t, c, name).CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("%s: nodes: %v", account, err)
		}
		want := map[string]int{world.DefaultAccountID: 1, world.PartnerAccountID: 2}[account]
		if len(nodes.Items) != want {
			t.Errorf("%s's %s has %d nodes, want %d", account, name, len(nodes.Items), want)
		}
	}
	if !strings.HasSuffix(endpoints[world.PartnerAccountID], "/k8s/444455556666/eu-west-1/fleet-03") ||
		!strings.HasSuffix(endpoints[world.DefaultAccountID], "/k8s/eu-west-1/fleet-03") {
		t.Errorf("endpoints %v", endpoints)
	}
}
