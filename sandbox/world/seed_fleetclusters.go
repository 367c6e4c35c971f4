package world

import (
	"fmt"
	"strings"
	"time"
)

// MaxFleetClusters and MaxFleetNodes bound `winami sandbox --clusters N
// --nodes M`: a cluster's node addresses are 10.(100+i).x.y, and seeding
// must stay cheap (20 × 500 nodes seed in well under a second).
const (
	MaxFleetClusters = 100
	MaxFleetNodes    = 10_000
)

// FleetRegions are the regions the fleet's clusters are spread over, in
// turn: cluster i is in FleetRegions[i%4].
var FleetRegions = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"}

// FleetClusterName is the name of the fleet's i-th cluster (from 0).
func FleetClusterName(i int) string { return fmt.Sprintf("fleet-%02d", i+1) }

// FleetAccount is the account that owns the fleet's i-th cluster: every
// third cluster (i%3 == 2) is the partner account's, the rest the default
// account's. A caller sees only its own account's clusters (the sandbox
// tells the account by the access key: see World.CallerAccount).
func (w *World) FleetAccount(i int) string {
	if i%3 == 2 {
		return PartnerAccountID
	}
	return w.AccountID
}

// fleetGroups is how many managed node groups each fleet cluster has (fewer
// when it has fewer nodes).
const fleetGroups = 4

// fleetKeys are the AMI lines the fleet's clusters run, in turn (by i/4, so
// that each region gets more than one): mostly Windows Server 2022 Core,
// some 2019 Core and 2025 Core, so builds differ across the fleet.
var fleetKeys = []EKSWindowsKey{
	{Windows: "2022", Edition: "Core", Kubernetes: "1.35"},
	{Windows: "2019", Edition: "Core", Kubernetes: "1.35"},
	{Windows: "2022", Edition: "Core", Kubernetes: "1.35"},
	{Windows: "2025", Edition: "Core", Kubernetes: "1.35"},
}

// fleetPatterns say which release (an index into ReleaseDates, 3 the
// newest) each of a cluster's node groups runs; cluster i takes pattern
// i%5. Pattern 0 is a cluster all on the newest AMI, the others drift by
// one group, two, or all but one; pattern 3 is on the newest AMI with one
// node in twenty a kubelet patch behind.
var fleetPatterns = [][fleetGroups]int{
	{3, 3, 3, 3},
	{3, 3, 3, 2},
	{3, 3, 2, 1},
	{3, 3, 3, 3},
	{3, 2, 1, 0},
}

// SeedFleetClusters builds the extra fleet of `--clusters n --nodes m`: n
// EKS clusters "fleet-01"... of m Windows nodes each, spread over
// FleetRegions and over two accounts (FleetAccount), each with up to four
// managed node groups whose release follows fleetPatterns, and their
// instances. Like SeedScale it draws from streams of its own, so the
// persisted world's IDs do not depend on n and m.
func SeedFleetClusters(w *World, n, m int) (*Extra, error) {
	if n <= 0 {
		return nil, nil
	}
	if n > MaxFleetClusters || m <= 0 || m > MaxFleetNodes {
		return nil, fmt.Errorf("a fleet of %d clusters of %d nodes is not what the sandbox seeds (1 to %d clusters of 1 to %d nodes)", n, m, MaxFleetClusters, MaxFleetNodes)
	}
	extra := &Extra{Regions: map[string]*Fleet{}}
	clusters := map[string]map[string]*Cluster{}
	instances := map[string]map[string]*Instance{}
	gens := map[string]*gen{}
	for _, region := range FleetRegions {
		r := w.Region(region)
		if r == nil {
			return nil, fmt.Errorf("the world has no %s for the fleet", region)
		}
		gens[region] = extraGen(w, r, "fleet")
		clusters[region], instances[region] = map[string]*Cluster{}, map[string]*Instance{}
	}
	for i := range n {
		region := FleetRegions[i%len(FleetRegions)]
		c, err := seedFleetCluster(w, w.Region(region), gens[region], i, m, instances[region])
		if err != nil {
			return nil, err
		}
		clusters[region][w.KeyOf(c)] = c
	}
	for _, region := range FleetRegions {
		if len(clusters[region]) > 0 {
			extra.Regions[region] = NewFleet(clusters[region], instances[region])
		}
	}
	return extra, nil
}

// seedFleetCluster seeds the fleet's i-th cluster in r.
func seedFleetCluster(w *World, r *Region, g *gen, i, m int, instances map[string]*Instance) (*Cluster, error) {
	key := fleetKeys[(i/len(FleetRegions))%len(fleetKeys)]
	releases := ReleaseDates()
	images, err := releaseImages(r, key)
	if err != nil {
		return nil, err
	}
	kubelets := []string{KubeletV1350, KubeletV1351, KubeletV1352, KubeletV1352}
	pattern := fleetPatterns[i%len(fleetPatterns)]
	subnets := defaultSubnets(r)
	created := time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 7*i)
	c := newCluster(w, r, g, w.FleetAccount(i), FleetClusterName(i), created, subnets)
	c.Tags = map[string]string{"team": "platform", "fleet": "true"}
	groups := min(fleetGroups, m)
	per := (m + groups - 1) / groups
	amiType := "WINDOWS_" + strings.ToUpper(key.Edition) + "_" + key.Windows + "_x86_64"
	c.Nodes = make([]*Node, 0, m)
	var ng *Nodegroup
	rel := 0
	for j := range m {
		if j%per == 0 {
			k := j / per
			rel = pattern[k]
			size := int32(min(per, m-j))
			ng = newNodegroup(w, r, g, c, fmt.Sprintf("windows-%d", k+1), amiType,
				key.Kubernetes+"-"+ReleaseStamp(releases[rel]), []string{"m6i.xlarge"}, size, releases[rel].Add(48*time.Hour))
		}
		kubelet := kubelets[rel]
		if i%len(fleetPatterns) == 3 && j%20 == 0 {
			kubelet = KubeletV1351
		}
		sub := subnets[j%len(subnets)]
		addNode(r, c, g, nodeSpec{
			ip:           fmt.Sprintf("10.%d.%d.%d", 100+i, j>>8, j&0xff),
			zone:         sub.AvailabilityZone,
			subnet:       sub,
			image:        images[rel],
			instanceType: "m6i.xlarge",
			kubelet:      kubelet,
			launched:     releases[rel].Add(72*time.Hour + time.Duration(j)*time.Second),
			nodegroup:    ng,
			template:     eksLaunchTemplate(r, c, ng, ""),
		}, instances, 200000+j)
	}
	finishCluster(c, 200000+m)
	return c, nil
}
