package release_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/iampolicy"
	"github.com/winami/winami/pkg/release"
)

// Status reads each channel's history once per region (the soak gate of
// the next channel reuses it) and describes every channel's AMIs in one
// call per region, not one per channel and region.
func TestStatusReadsEachHistoryOnceAndDescribesPerRegion(t *testing.T) {
	r, counter := seededRunner(t)
	ctx := t.Context()
	for i, region := range benchRegions {
		if _, err := r.SSM(region).PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String("/winami/bench/candidate"), Value: aws.String(fmt.Sprintf("ami-2%d000000000000000", i)), Type: "String",
		}); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := r.PlanPromotion(ctx, "stable", release.Source{AMI: "ami-10000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	// The soak gate reads candidate's histories, which Status has read.
	r.Config.Channels[1].Gates.Soak = time.Hour
	counter.Reset()
	st, err := r.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || len(st[0].Positions) != 3 || len(st[1].Positions) != 3 || st[0].Positions[2].Build == "" || st[1].Positions[1].Name != "bench-1" {
		t.Fatalf("status = %+v", st)
	}
	calls := counter.Snapshot()
	// 2 channels × 3 regions of history; 3 regions of positions and 3 of
	// the candidate build's AMIs.
	if h, d := calls["SSM.GetParameterHistory"], calls["EC2.DescribeImages"]; h != 6 || d != 6 {
		t.Fatalf("status made %d history and %d DescribeImages calls, want 6 and 6: %v", h, d, calls)
	}
}

// A promotion from the previous channel with a soak gate reads that
// channel's histories once: for its AMI and for the soak.
func TestPromoteFromTheChannelReadsItsHistoryOnce(t *testing.T) {
	r, counter := seededRunner(t)
	r.Config.Channels[1].Gates.Soak = time.Hour
	ctx := t.Context()
	for i, region := range benchRegions {
		if _, err := r.SSM(region).PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String("/winami/bench/candidate"), Value: aws.String(fmt.Sprintf("ami-2%d000000000000000", i)), Type: "String",
		}); err != nil {
			t.Fatal(err)
		}
	}
	counter.Reset()
	plan, err := r.PlanPromotion(ctx, "stable", release.Source{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 3 || plan.Changes[0].To != "ami-20000000000000000" || len(plan.Blocked()) != 3 {
		t.Fatalf("plan = %+v", plan)
	}
	// candidate's history and stable's, 3 regions each.
	if h := counter.Snapshot()["SSM.GetParameterHistory"]; h != 6 {
		t.Fatalf("the plan made %d history calls, want 6", h)
	}
}

// A rollback reads the channel's histories once: for its target and for
// the changes it plans.
func TestRollbackReadsTheChannelHistoryOnce(t *testing.T) {
	r, counter := seededRunner(t)
	ctx := t.Context()
	for _, ami := range []string{"ami-10000000000000000", "ami-20000000000000000"} {
		plan, err := r.PlanPromotion(ctx, "stable", release.Source{AMI: ami})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Apply(ctx, plan); err != nil {
			t.Fatal(err)
		}
	}
	counter.Reset()
	plan, err := r.PlanRollback(ctx, "stable", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 3 || plan.Changes[0].From != "ami-20000000000000000" || plan.Changes[0].To != "ami-10000000000000000" {
		t.Fatalf("plan = %+v", plan)
	}
	if h := counter.Snapshot()["SSM.GetParameterHistory"]; h != 3 {
		t.Fatalf("the rollback plan made %d history calls, want 3", h)
	}
}

// drift --watch -f publishes the spec's channels with Positions: the drift
// policy must allow every call it makes, or each exporter run fails.
func TestDriftPolicyAllowsTheChannelSeries(t *testing.T) {
	r, counter := seededRunner(t)
	ctx := t.Context()
	plan, err := r.PlanPromotion(ctx, "stable", release.Source{AMI: "ami-10000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	if _, err := r.Positions(ctx); err != nil {
		t.Fatal(err)
	}
	calls := counter.Snapshot()
	if len(calls) == 0 {
		t.Fatal("Positions made no calls")
	}
	for op := range calls {
		service, operation, _ := strings.Cut(op, ".")
		if action := awsapi.IAMAction(service, operation); !iampolicy.Allows(iampolicy.Drift, action) {
			t.Errorf("Positions calls %s (%s), which the drift policy lacks", action, op)
		}
	}
}
