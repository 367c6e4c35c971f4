package imagebuilder_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/winami/winami/sandbox/ec2"
	ibsandbox "github.com/winami/winami/sandbox/imagebuilder"
	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/ssm"
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// startPaced serves Image Builder with a pace of its own, on the wall clock.
func startPaced(t *testing.T, pace time.Duration) *env {
	t.Helper()
	store, err := state.Open("", func() *world.World { return world.Seed(1) })
	if err != nil {
		t.Fatal(err)
	}
	mux := protocol.NewMux(protocol.MuxOptions{},
		ibsandbox.New(store, time.Now, ibsandbox.WithPace(pace)), ssm.New(store, time.Now), ec2.New(store, time.Now))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{store: store, clock: sandboxtest.NewClock(time.Now()), ib: imagebuilder.NewFromConfig(sandboxtest.Config(srv.URL, sandboxtest.MaxAttempts))}
}

func TestWithPace(t *testing.T) {
	e := startPaced(t, 200*time.Millisecond)
	s := makeStack(t, e, "paced", stackOptions{})
	begun := time.Now()
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageBuildVersionArn)
	seen := map[types.ImageStatus]bool{}
	for {
		img := getImage(t, e, arn)
		seen[img.State.Status] = true
		if img.State.Status == types.ImageStatusAvailable {
			break
		}
		if time.Since(begun) > 10*time.Second {
			t.Fatalf("still %s after 10s at a pace of 200ms", img.State.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if elapsed := time.Since(begun); elapsed < 800*time.Millisecond {
		t.Errorf("four states of 200ms passed in %s", elapsed)
	}
	if !seen[types.ImageStatusPending] || len(seen) < 3 {
		t.Errorf("states seen %v", seen)
	}
}

func TestZeroPaceFinishesAtOnce(t *testing.T) {
	e := startPaced(t, 0)
	s := makeStack(t, e, "instant", stackOptions{})
	arn := aws.ToString(try(e.ib.StartImagePipelineExecution(t.Context(), &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(s.pipeline)})).must(t).ImageBuildVersionArn)
	if img := getImage(t, e, arn); img.State.Status != types.ImageStatusAvailable {
		t.Errorf("state %s (%s)", img.State.Status, aws.ToString(img.State.Reason))
	}
}
