package rollout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Launch template versions, shared by the node group and instance refresh
// drivers: read one (resolving $Default/$Latest to its number), and make
// the rollout's version, a copy of the one it replaces with another
// ImageId whose description records where it came from.

// ltVersion is one launch template version.
type ltVersion struct {
	id, name, version string
	imageID           string
	description       string
}

// describeVersion reads version (a number, $Default or $Latest; "" is
// $Default) of the template named by id or name.
func describeVersion(ctx context.Context, c awsapi.EC2API, id, name, version string) (ltVersion, error) {
	if version == "" {
		version = "$Default"
	}
	in := &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{version}}
	if id != "" {
		in.LaunchTemplateId = &id
	} else {
		in.LaunchTemplateName = &name
	}
	out, err := c.DescribeLaunchTemplateVersions(ctx, in)
	if err != nil {
		return ltVersion{}, fmt.Errorf("reading launch template %s%s version %s: %w", id, name, version, err)
	}
	if len(out.LaunchTemplateVersions) == 0 {
		return ltVersion{}, fmt.Errorf("reading launch template %s%s version %s: EC2 returned no version", id, name, version)
	}
	v := out.LaunchTemplateVersions[0]
	r := ltVersion{
		id: aws.ToString(v.LaunchTemplateId), name: aws.ToString(v.LaunchTemplateName),
		version: strconv.FormatInt(aws.ToInt64(v.VersionNumber), 10), description: aws.ToString(v.VersionDescription),
	}
	if v.LaunchTemplateData != nil {
		r.imageID = aws.ToString(v.LaunchTemplateData.ImageId)
	}
	return r, nil
}

// versionDescription records in the new version what a rollout needs to
// put it back after a restart: the AMI and the version it replaced.
func versionDescription(ami, from string) string {
	return fmt.Sprintf("winami rollout of %s from version %s", ami, from)
}

// parseDescription reads versionDescription back; ok is false for a
// version winami did not make.
func parseDescription(s string) (ami, from string, ok bool) {
	if _, err := fmt.Sscanf(s, "winami rollout of %s from version %s", &ami, &from); err != nil {
		return "", "", false
	}
	if _, err := strconv.ParseInt(from, 10, 64); err != nil {
		return "", "", false
	}
	return ami, from, true
}

// createVersion makes the template's next version: a copy of from with
// ImageId ami, described by desc. It does not move the default version.
func createVersion(ctx context.Context, c awsapi.EC2API, templateID, from, ami, desc string) (string, error) {
	out, err := c.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId:   &templateID,
		SourceVersion:      &from,
		VersionDescription: &desc,
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: &ami},
	})
	if err != nil {
		return "", fmt.Errorf("creating a version of launch template %s with ImageId %s: %w", templateID, ami, err)
	}
	if out.LaunchTemplateVersion == nil || out.LaunchTemplateVersion.VersionNumber == nil {
		return "", fmt.Errorf("creating a version of launch template %s: EC2 returned no version", templateID)
	}
	return strconv.FormatInt(*out.LaunchTemplateVersion.VersionNumber, 10), nil
}
