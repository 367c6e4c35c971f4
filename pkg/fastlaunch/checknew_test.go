package fastlaunch_test

import (
	"strings"
	"testing"

	"github.com/winami/winami/pkg/fastlaunch"
	"github.com/winami/winami/sandbox/world"
)

// CheckNew is Check for an AMI Image Builder has yet to build: the same
// network and quota checks, worded for the spec.
func TestCheckNew(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := e.checker()
	c.Wording = fastlaunch.Wording{MaxParallel: "set maxParallelLaunches to %d", LaunchTemplate: "name one in launchTemplate"}

	rep, err := c.CheckNew(ctx, "us-east-1", fastlaunch.Settings{MaxParallel: 6})
	if err != nil || checks(rep.Findings) != "" || strings.Join(rep.Checks, " ") != "max-parallel network quota" || rep.Asked != 6 || rep.Quota != 40 {
		t.Fatalf("us-east-1: %+v, %v", rep, err)
	}
	rep, _ = c.CheckNew(ctx, world.NoDefaultVPCRegion, fastlaunch.Settings{MaxParallel: 6})
	if checks(rep.Findings) != "fail:network" || !strings.HasPrefix(rep.Findings[0].Fix, "name one in launchTemplate whose network interface names a subnet of ap-south-1") {
		t.Errorf("no default VPC: %+v", rep.Findings)
	}
	lt := &fastlaunch.LaunchTemplate{Name: world.WindowsNodesLaunchTemplate}
	rep, _ = c.CheckNew(ctx, "us-east-1", fastlaunch.Settings{MaxParallel: 6, LaunchTemplate: lt})
	if checks(rep.Findings) != "" || strings.Join(rep.Checks, " ") != "max-parallel launch-template quota" {
		t.Errorf("the seeded template: %+v", rep)
	}
	rep, _ = c.CheckNew(ctx, world.NoDefaultVPCRegion, fastlaunch.Settings{MaxParallel: 6, LaunchTemplate: lt})
	if checks(rep.Findings) != "fail:launch-template" {
		t.Errorf("the template in a region without it: %+v", rep.Findings)
	}
	// The AMIs that have Fast Launch already count against the quota.
	if _, err := fastlaunch.Enable(ctx, e.ec2("us-east-1"), e.target(t, e.own), fastlaunch.Settings{MaxParallel: 30}); err != nil {
		t.Fatal(err)
	}
	rep, _ = c.CheckNew(ctx, "us-east-1", fastlaunch.Settings{MaxParallel: 12})
	if checks(rep.Findings) != "fail:quota" || rep.InUse != 30 || !strings.HasPrefix(rep.Findings[0].Fix, "set maxParallelLaunches to 10 or less, ") {
		t.Errorf("quota: %+v", rep)
	}
	if f, exists := c.ServiceLinkedRole(ctx, "us-east-1"); f != nil || !exists {
		t.Errorf("the role exists once Fast Launch was enabled: %+v", f)
	}
}
