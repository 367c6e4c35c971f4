package fastlaunch_test

import (
	"fmt"
	"testing"

	"github.com/winami/winami/pkg/fastlaunch"
)

// Located AMIs are read one call a region, their AMIs together, and come
// back in the order of the targets, "disabled" without Fast Launch.
func TestDescribeTargetsOneCallARegion(t *testing.T) {
	f := newFake()
	f.states["us-east-1/ami-1"] = []string{"enabled"}
	f.states["us-east-1/ami-3"] = []string{"enabling"}
	f.states["eu-west-1/ami-2"] = []string{"enabling-failed"}
	statuses, err := fastlaunch.DescribeTargets(t.Context(), f.ec2, targets("us-east-1/ami-3", "eu-west-1/ami-2", "us-east-1/ami-1", "us-east-1/ami-4"), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range statuses {
		got = append(got, fmt.Sprintf("%s/%s:%s", s.Region, s.AMI, s.State))
	}
	want := "[us-east-1/ami-3:enabling eu-west-1/ami-2:enabling-failed us-east-1/ami-1:enabled us-east-1/ami-4:disabled]"
	if fmt.Sprint(got) != want {
		t.Errorf("statuses %v, want %s", got, want)
	}
	if n, m := f.count("DescribeFastLaunchImages us-east-1"), f.count("DescribeFastLaunchImages eu-west-1"); n != 1 || m != 1 {
		t.Errorf("%d reads in us-east-1 and %d in eu-west-1, want one a region", n, m)
	}
}
