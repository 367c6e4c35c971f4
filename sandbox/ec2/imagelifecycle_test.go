package ec2_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// listed reports whether a DescribeImages call lists the image.
func listed(t *testing.T, c *ec2.Client, in *ec2.DescribeImagesInput, id string) bool {
	t.Helper()
	for _, img := range describe(t, c, in) {
		if aws.ToString(img.ImageId) == id {
			return true
		}
	}
	return false
}

// The seeded EKS optimized AMIs carry a deprecation time four months after
// their creation; once it has passed, a listing leaves the AMI out unless it
// asks for deprecated AMIs or names it.
func TestEKSAMIsDeprecateFourMonthsAfterRelease(t *testing.T) {
	e := startCopy(t)
	id := e.eksAMI(t, "us-east-1", "2026.08.12")
	img := e.image(t, "us-east-1", id)
	created, _ := time.Parse(time.RFC3339, aws.ToString(img.CreationDate))
	deprecated, err := time.Parse(time.RFC3339, aws.ToString(img.DeprecationTime))
	if err != nil {
		t.Fatalf("DeprecationTime %q: %v", aws.ToString(img.DeprecationTime), err)
	}
	if want := created.AddDate(0, 4, 0).Truncate(time.Minute); !deprecated.Equal(want) {
		t.Errorf("deprecation %s, want %s (creation %s + 4 months)", deprecated, want, created)
	}
	byName := &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []types.Filter{filter("name", key135+"-2026.08.12")}}
	if !listed(t, e.c, byName, id) {
		t.Fatal("listed before its deprecation time: missing")
	}
	e.clock.Advance(deprecated.Sub(e.clock.Now()))
	if listed(t, e.c, byName, id) {
		t.Error("a deprecated AMI is listed without IncludeDeprecated")
	}
	withFlag := *byName
	withFlag.IncludeDeprecated = aws.Bool(true)
	if !listed(t, e.c, &withFlag, id) {
		t.Error("IncludeDeprecated leaves the deprecated AMI out")
	}
	if !listed(t, e.c, &ec2.DescribeImagesInput{ImageIds: []string{id}}, id) {
		t.Error("a deprecated AMI named by ID is left out")
	}
}

func TestImageDeprecation(t *testing.T) {
	e := startCopy(t)
	own, _ := ownImage(t, e.srv)
	at := clock.Add(48*time.Hour + 31*time.Second) // rounds up to the next minute
	if _, err := e.c.EnableImageDeprecation(t.Context(), &ec2.EnableImageDeprecationInput{ImageId: aws.String(own), DeprecateAt: aws.Time(at)}); err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(e.image(t, "us-east-1", own).DeprecationTime), at.Round(time.Minute).Format("2006-01-02T15:04:05.000Z"); got != want {
		t.Errorf("DeprecationTime %s, want %s", got, want)
	}
	// The owner still lists its deprecated AMI; the partner it is shared
	// with does not, unless asked.
	e.clock.Advance(72 * time.Hour)
	partner := ec2.NewFromConfig(sandboxtest.AsAccount(e.cfg, world.PartnerAccountID))
	if !listed(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}}, own) {
		t.Error("the owner's deprecated AMI is left out of its own listing")
	}
	if listed(t, partner, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}}, own) {
		t.Error("the partner lists the deprecated shared AMI without IncludeDeprecated")
	}
	if !listed(t, partner, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}, IncludeDeprecated: aws.Bool(true)}, own) {
		t.Error("the partner cannot list the deprecated shared AMI with IncludeDeprecated")
	}
	if _, err := e.c.DisableImageDeprecation(t.Context(), &ec2.DisableImageDeprecationInput{ImageId: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	if d := e.image(t, "us-east-1", own).DeprecationTime; d != nil {
		t.Errorf("DeprecationTime %s after DisableImageDeprecation", *d)
	}
	if !listed(t, partner, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}}, own) {
		t.Error("the partner does not list the AMI once its deprecation is cancelled")
	}

	now := e.clock.Now()
	amazon := e.eksAMI(t, "us-east-1", "2026.11.11")
	cases := []struct {
		name string
		id   string
		at   time.Time
		code string
	}{
		{"in the past", own, now.Add(-time.Hour), "InvalidParameterValue"},
		{"more than 10 years ahead", own, now.AddDate(10, 1, 0), "InvalidParameterValue"},
		{"Amazon's AMI", amazon, now.Add(time.Hour), "AuthFailure"},
		{"unknown", "ami-0123456789abcdef0", now.Add(time.Hour), "InvalidAMIID.NotFound"},
		{"malformed", "ami-x", now.Add(time.Hour), "InvalidAMIID.Malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.EnableImageDeprecation(t.Context(), &ec2.EnableImageDeprecationInput{ImageId: aws.String(tc.id), DeprecateAt: aws.Time(tc.at)})
			sandboxtest.WantAPIError(t, err, tc.code, "")
		})
	}
	_, err := e.c.EnableImageDeprecation(t.Context(), &ec2.EnableImageDeprecationInput{ImageId: aws.String(own)}, noValidation)
	sandboxtest.WantAPIError(t, err, "MissingParameter", "")
	_, err = e.c.DisableImageDeprecation(t.Context(), &ec2.DisableImageDeprecationInput{ImageId: aws.String(amazon)})
	sandboxtest.WantAPIError(t, err, "AuthFailure", "")
	if d := e.image(t, "us-east-1", own).DeprecationTime; d != nil {
		t.Errorf("a refused call set DeprecationTime %s", *d)
	}
}

// DisableImage makes the AMI disabled and private: left out of listings
// unless IncludeDisabled, gone for the account it was shared with, and
// EnableImage brings it back without the lost launch permissions.
func TestDisableAndEnableImage(t *testing.T) {
	e := startCopy(t)
	own, _ := ownImage(t, e.srv)
	partner := ec2.NewFromConfig(sandboxtest.AsAccount(e.cfg, world.PartnerAccountID))
	if !listed(t, partner, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}}, own) {
		t.Fatal("the seed does not share the demo AMI with the partner")
	}
	if _, err := e.c.DisableImage(t.Context(), &ec2.DisableImageInput{ImageId: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	if got := e.image(t, "us-east-1", own); got.State != types.ImageStateDisabled {
		t.Errorf("state %s after DisableImage", got.State)
	}
	if listed(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}}, own) {
		t.Error("a disabled AMI is listed without IncludeDisabled")
	}
	if !listed(t, e.c, &ec2.DescribeImagesInput{Owners: []string{"self"}, IncludeDisabled: aws.Bool(true), Filters: []types.Filter{filter("state", "disabled")}}, own) {
		t.Error("IncludeDisabled with state=disabled leaves the disabled AMI out")
	}
	_, err := partner.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{own}, IncludeDisabled: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "")
	// Disabling again changes nothing.
	if _, err := e.c.DisableImage(t.Context(), &ec2.DisableImageInput{ImageId: aws.String(own)}); err != nil {
		t.Fatalf("disabling a disabled AMI: %v", err)
	}

	if _, err := e.c.EnableImage(t.Context(), &ec2.EnableImageInput{ImageId: aws.String(own)}); err != nil {
		t.Fatal(err)
	}
	if got := e.image(t, "us-east-1", own); got.State != types.ImageStateAvailable {
		t.Errorf("state %s after EnableImage", got.State)
	}
	if listed(t, partner, &ec2.DescribeImagesInput{ExecutableUsers: []string{"self"}, IncludeDisabled: aws.Bool(true)}, own) {
		t.Error("the partner regained access to the re-enabled AMI")
	}

	amazon := e.eksAMI(t, "us-east-1", "2026.11.11")
	_, err = e.c.DisableImage(t.Context(), &ec2.DisableImageInput{ImageId: aws.String(amazon)})
	sandboxtest.WantAPIError(t, err, "AuthFailure", "")
	_, err = e.c.EnableImage(t.Context(), &ec2.EnableImageInput{ImageId: aws.String("ami-0123456789abcdef0")})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.NotFound", "")
	_, err = e.c.DisableImage(t.Context(), &ec2.DisableImageInput{}, noValidation)
	sandboxtest.WantAPIError(t, err, "MissingParameter", "")

	// A pending copy cannot be disabled yet.
	out, err := e.c.CopyImage(t.Context(), &ec2.CopyImageInput{Name: aws.String("young"), SourceImageId: aws.String(amazon), SourceRegion: aws.String("us-east-1")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DisableImage(t.Context(), &ec2.DisableImageInput{ImageId: out.ImageId})
	sandboxtest.WantAPIError(t, err, "InvalidAMIID.Unavailable", "")
}
