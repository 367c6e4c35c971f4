package autoscaling_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asg "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/autoscaling"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// TestRefreshSurvivesRestart: a refresh under way is part of the saved
// state; a sandbox started again from it carries the refresh on.
func TestRefreshSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	clk := sandboxtest.NewClock(time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC))
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, StatePath: path, Now: clk.Now})
	client := asg.NewFromConfig(cfg)
	prefs := oneAtATime()
	prefs.SkipMatching = aws.Bool(false) // replace both, onto the group's own version
	out, err := client.StartInstanceRefresh(t.Context(), &asg.StartInstanceRefreshInput{
		AutoScalingGroupName: aws.String(group), Preferences: prefs})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(autoscaling.DefaultPace + batch) // one of two replaced
	f := &fixture{srv: srv, clk: clk, client: client}
	wantStatus(t, f.refresh(t, aws.ToString(out.InstanceRefreshId)), types.InstanceRefreshStatusInProgress, 50)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	srv2, cfg2 := sandboxtest.Start(t, sandbox.Options{Seed: 1, StatePath: path, Now: clk.Now})
	f2 := &fixture{srv: srv2, clk: clk, client: asg.NewFromConfig(cfg2)}
	clk.Advance(batch)
	wantStatus(t, f2.refresh(t, aws.ToString(out.InstanceRefreshId)), types.InstanceRefreshStatusSuccessful, 100)
	if g := f2.describeGroup(t); len(nodesOf(t, f2, g)) != 2 {
		t.Errorf("after the restart: %d instances", len(g.Instances))
	}
}
