package world

import (
	"strings"
	"testing"
	"time"
)

func TestSeedFleetClusters(t *testing.T) {
	w := Seed(1)
	start := time.Now()
	extra, err := SeedFleetClusters(w, 20, 500)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("seeding 20 × 500 nodes took %s", took)
	}
	w.Extra = extra
	total, partner, images := 0, 0, map[string]bool{}
	for i := range 20 {
		region := FleetRegions[i%4]
		name := FleetClusterName(i)
		// Clusters are keyed by account and name.
		c := w.Cluster(region, w.ClusterKey(w.FleetAccount(i), name))
		if c == nil || len(c.Nodes) != 500 || len(c.Nodegroups) != 4 {
			t.Fatalf("%s in %s: %+v", name, region, c)
		}
		account := w.FleetAccount(i)
		if !strings.Contains(c.ARN, ":"+account+":cluster/") {
			t.Errorf("%s: ARN %s, want account %s", name, c.ARN, account)
		}
		if !strings.Contains(c.RoleARN, "::"+account+":role/") {
			t.Errorf("%s: role %s, want account %s", name, c.RoleARN, account)
		}
		for _, ng := range c.Nodegroups {
			if !strings.Contains(ng.ARN, ":"+account+":nodegroup/") || !strings.Contains(ng.NodeRole, "::"+account+":role/") {
				t.Errorf("%s/%s: ARN %s, node role %s, want account %s", name, ng.Name, ng.ARN, ng.NodeRole, account)
			}
		}
		if w.ClusterAs(account, region, name) != c {
			t.Errorf("%s: its account %s does not see it", name, account)
		}
		other := PartnerAccountID
		if account == PartnerAccountID {
			other, partner = w.AccountID, partner+1
		}
		if w.ClusterAs(other, region, name) != nil {
			t.Errorf("%s: account %s sees another account's cluster", name, other)
		}
		for _, n := range c.Nodes {
			id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
			inst := w.Instance(region, id)
			if inst == nil || inst.PrivateDNSName != n.Name || n.Labels["kubernetes.io/os"] != "windows" {
				t.Fatalf("%s/%s: instance %+v", name, n.Name, inst)
			}
			images[inst.ImageID] = true
		}
		total += len(c.Nodes)
	}
	if total != 10000 || partner != 6 {
		t.Errorf("%d nodes, %d partner clusters", total, partner)
	}
	if len(images) < 12 {
		t.Errorf("the fleet runs only %d AMIs: want a mix of releases and Windows versions", len(images))
	}
	// Each account lists its own clusters only.
	if got := w.ClusterNamesAs(w.AccountID, "us-east-1"); strings.Join(got, ",") != "demo,fleet-01,fleet-05,fleet-13,fleet-17" {
		t.Errorf("default account's us-east-1 clusters %v", got)
	}
	if got := w.ClusterNamesAs(PartnerAccountID, "us-east-1"); strings.Join(got, ",") != "fleet-09" {
		t.Errorf("partner's us-east-1 clusters %v", got)
	}
}

func TestSeedFleetClustersBounds(t *testing.T) {
	w := Seed(1)
	for _, c := range [][2]int{{MaxFleetClusters + 1, 10}, {2, 0}, {2, MaxFleetNodes + 1}} {
		if _, err := SeedFleetClusters(w, c[0], c[1]); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
}
