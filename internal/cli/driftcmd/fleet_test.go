package driftcmd

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/pkg/fleet"
)

// TestValidateFleet: --all-clusters and --clusters stand for --cluster and
// --kubeconfig, and refuse them; in a pod they win over the service account.
func TestValidateFleet(t *testing.T) {
	inPod := func(string) string { return "10.100.0.1" }
	for _, c := range []struct {
		name string
		o    options
		err  string
	}{
		{"all", options{fleet: fleetFlags{allClusters: true, parallel: 16}}, ""},
		{"named", options{fleet: fleetFlags{clusters: []string{"a", "b"}, regions: "all", parallel: 16}}, ""},
		{"both", options{fleet: fleetFlags{allClusters: true, clusters: []string{"a"}, parallel: 16}}, "--all-clusters and --clusters both given"},
		{"with --cluster", options{cluster: "demo", fleet: fleetFlags{allClusters: true, parallel: 16}}, "read one cluster"},
		{"with --kubeconfig", options{kubeconfig: "k", fleet: fleetFlags{allClusters: true, parallel: 16}}, "read one cluster"},
		{"bad name", options{fleet: fleetFlags{clusters: []string{"-x"}, parallel: 16}}, `--clusters "-x"`},
		{"bad region", options{fleet: fleetFlags{allClusters: true, regions: "us-east-1,mars", parallel: 16}}, `"mars" is not a region code`},
		{"empty profile", options{fleet: fleetFlags{allClusters: true, profiles: []string{"a", " "}, parallel: 16}}, "--profiles has an empty name"},
		{"parallel", options{fleet: fleetFlags{allClusters: true, parallel: 0}}, "--parallel 0"},
	} {
		c.o.failOn, c.o.interval, c.o.getenv = "any", 5*time.Minute, inPod
		err := c.o.validate()
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
		}
		if c.err == "" && c.o.inCluster() {
			t.Errorf("%s: a fleet run in a pod took the in-cluster config", c.name)
		}
	}
}

func TestFleetRegionList(t *testing.T) {
	o := &options{}
	if got, _ := o.fleetRegionList("eu-west-1"); !slices.Equal(got, []string{"eu-west-1"}) {
		t.Errorf("default: %v", got)
	}
	o.fleet.regions = " us-east-1, eu-west-1,us-east-1 "
	if got, _ := o.fleetRegionList("x"); !slices.Equal(got, []string{"us-east-1", "eu-west-1"}) {
		t.Errorf("list: %v", got)
	}
	o.fleet.regions = "ALL"
	if got, err := o.fleetRegionList("x"); got != nil || err != nil {
		t.Errorf("all: %v, %v", got, err)
	}
}

// TestFleetFailing: an unreadable cluster exits 2, as does drift of the
// kinds --fail-on names; other drift does not.
func TestFleetFailing(t *testing.T) {
	kubelet := &fleet.Result{Clusters: []fleet.Row{{Status: fleet.StatusDrift, DriftedByReason: map[string]int{drift.ReasonKubeletDiffers: 2}}}}
	unreadable := &fleet.Result{Clusters: []fleet.Row{{Status: fleet.StatusConsistent}, {Status: fleet.StatusError, Reason: "x"}}}
	for _, c := range []struct {
		failOn string
		res    *fleet.Result
		want   bool
	}{{"any", kubelet, true}, {"kubelet", kubelet, true}, {"ami", kubelet, false}, {"ami", unreadable, true}} {
		o := &options{failOn: c.failOn}
		if got := o.fleetFailing(c.res); got != c.want {
			t.Errorf("--fail-on %s: %v, want %v", c.failOn, got, c.want)
		}
	}
}
