package ec2_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// ownImage is the account's seeded image in us-east-1 and its snapshot.
func ownImage(t *testing.T, srv *sandbox.Server) (id, snapshot string) {
	t.Helper()
	_ = srv.Store().View(func(w *world.World) error {
		for _, img := range w.Region("us-east-1").Images {
			// The demo AMI, not the broken one the rollouts use.
			if img.OwnerID == w.AccountID && len(img.BlockDevices) > 0 && !img.NodesNeverReady {
				id, snapshot = img.ImageID, img.BlockDevices[0].SnapshotID
			}
		}
		return nil
	})
	if id == "" {
		t.Fatal("the seed has no image of the account's own in us-east-1")
	}
	return id, snapshot
}

func TestDeregisterImageKeepsSnapshotsUnlessAsked(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	c := ec2.NewFromConfig(cfg)
	ctx := t.Context()
	id, snap := ownImage(t, srv)

	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)}); apiCode(err) != "InvalidSnapshot.InUse" {
		t.Fatalf("deleting a snapshot in use: %v", err)
	}
	out, err := c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(id)})
	if err != nil || !aws.ToBool(out.Return) || len(out.DeleteSnapshotResults) != 0 {
		t.Fatalf("deregister: %+v, %v", out, err)
	}
	if _, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}}); apiCode(err) != "InvalidAMIID.NotFound" {
		t.Errorf("describing a deregistered image: %v", err)
	}
	if _, err := c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(id)}); apiCode(err) != "InvalidAMIID.NotFound" {
		t.Errorf("deregistering twice: %v", err)
	}
	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)}); err != nil {
		t.Fatalf("deleting the snapshot left behind: %v", err)
	}
	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)}); apiCode(err) != "InvalidSnapshot.NotFound" {
		t.Errorf("deleting a snapshot twice: %v", err)
	}
}

func TestDeregisterImageWithItsSnapshots(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	c := ec2.NewFromConfig(cfg)
	id, snap := ownImage(t, srv)
	out, err := c.DeregisterImage(t.Context(), &ec2.DeregisterImageInput{ImageId: aws.String(id), DeleteAssociatedSnapshots: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DeleteSnapshotResults) != 1 || aws.ToString(out.DeleteSnapshotResults[0].SnapshotId) != snap ||
		string(out.DeleteSnapshotResults[0].ReturnCode) != "success" {
		t.Errorf("results %+v", out.DeleteSnapshotResults)
	}
	if _, err := c.DeleteSnapshot(t.Context(), &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)}); apiCode(err) != "InvalidSnapshot.NotFound" {
		t.Errorf("the snapshot outlived its image: %v", err)
	}
}

func TestDeregisterImageRefusesOthersImages(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	c := ec2.NewFromConfig(cfg)
	ctx := t.Context()
	amazon, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, MaxResults: aws.Int32(5)})
	if err != nil || len(amazon.Images) == 0 {
		t.Fatalf("amazon images: %v", err)
	}
	_, err = c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: amazon.Images[0].ImageId})
	if apiCode(err) != "AuthFailure" {
		t.Errorf("deregistering Amazon's image: %v", err)
	}
	for in, want := range map[string]string{"ami-nope": "InvalidAMIID.Malformed", "ami-0000000000000000f": "InvalidAMIID.NotFound"} {
		if _, err := c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(in)}); apiCode(err) != want {
			t.Errorf("deregister %s: %v, want %s", in, err, want)
		}
	}
}
