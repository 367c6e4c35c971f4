package release_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/clock"
	"github.com/winami/winami/pkg/release"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

var benchRegions = []string{"us-east-1", "eu-west-1", "ap-south-1"}

// seededRunner is a runner over winami's own clients (retries, call
// counter) for a sandbox that holds two builds of spec "bench" in three
// regions, build 1 in candidate and stable and build 2 in candidate.
func seededRunner(tb testing.TB) (*release.Runner, *awsapi.CallCounter) {
	tb.Helper()
	tb.Setenv("AWS_CONFIG_FILE", tb.TempDir()+"/none")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", tb.TempDir()+"/none")
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv, _ := sandboxtest.Start(tb, sandbox.Options{Seed: 1})
	err := srv.Store().Update(func(w *world.World) error {
		for i, region := range benchRegions {
			for b := 1; b <= 2; b++ {
				id := fmt.Sprintf("ami-%d%d000000000000000", b, i)
				w.Region(region).Images[id] = &world.Image{
					ImageID: id, Name: fmt.Sprintf("bench-%d", b), OwnerID: w.AccountID, State: "available",
					Platform: "windows", CreationDate: time.Now().Add(-72 * time.Hour),
					Tags: map[string]string{amimeta.TagSpec: "bench", "Ec2ImageBuilderArn": fmt.Sprintf("arn:aws:imagebuilder:us-east-1:%s:image/bench/1.0.0/%d", w.AccountID, b)},
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	counter := awsapi.NewCallCounter()
	cfg, err := awsapi.LoadConfig(tb.Context(), awsapi.Options{
		Region: "us-east-1", EndpointURL: srv.URL(), Counter: counter,
		StaticCredentials: &aws.Credentials{AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey},
	})
	if err != nil {
		tb.Fatal(err)
	}
	clients := awsapi.NewClients(cfg)
	r := &release.Runner{
		Config: release.Config{Spec: "bench", Home: "us-east-1", Regions: benchRegions, Channels: []release.Channel{
			{Name: "candidate", Parameter: "/winami/bench/candidate"},
			{Name: "stable", Parameter: "/winami/bench/stable"},
		}},
		SSM: clients.SSM, EC2: clients.EC2, Clock: clock.Real{},
	}
	return r, counter
}

// BenchmarkPromoteThreeRegions: one promotion across three regions (the
// plan with the gates every channel has, then the writes and the labels),
// alternating between two builds so that every iteration writes. The calls
// do not grow with the versions a channel keeps (50 a page).
func BenchmarkPromoteThreeRegions(b *testing.B) {
	r, counter := seededRunner(b)
	ctx := b.Context()
	counter.Reset()
	b.ResetTimer()
	for i := range b.N {
		plan, err := r.PlanPromotion(ctx, "stable", release.Source{AMI: fmt.Sprintf("ami-%d0000000000000000", 1+i%2)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Apply(ctx, plan); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for unit, key := range map[string]string{
		"history-calls/op":  "SSM.GetParameterHistory",
		"describe-calls/op": "EC2.DescribeImages",
		"put-calls/op":      "SSM.PutParameter",
		"label-calls/op":    "SSM.LabelParameterVersion",
	} {
		b.ReportMetric(float64(counter.Snapshot()[key])/float64(b.N), unit)
	}
	b.ReportMetric(float64(counter.Total())/float64(b.N), "aws-calls/op")
}
