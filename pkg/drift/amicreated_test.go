package drift_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/winami/winami/pkg/drift"
	"github.com/winami/winami/sandbox"
)

// Each node carries its AMI's creation date, as DescribeImages gives it:
// the fleet report's AMI ages are counted from it.
func TestNodesCarryTheAMICreationDate(t *testing.T) {
	e := start(t, sandbox.Options{Seed: 1})
	r, err := drift.Run(t.Context(), e.sources(t, "demo"), drift.Options{Cluster: "demo", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Nodes {
		out, err := e.clients.EC2("us-east-1").DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{n.AMI}})
		if err != nil || len(out.Images) != 1 {
			t.Fatalf("%s: %v", n.AMI, err)
		}
		if got, want := n.AMICreated.UTC().Format("2006-01-02T15:04:05.000Z"), *out.Images[0].CreationDate; got != want {
			t.Errorf("%s: amiCreated %s, DescribeImages says %s", n.Name, got, want)
		}
	}
}
