package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/eksami"
)

// ExpectOf is what a node of amiID must show: the kubelet and Windows
// build from the tags winami puts on its AMIs (or from an EKS optimized
// AMI's name, which names the Kubernetes minor and the Windows version,
// not the patch) and the cached images of its cache record (following the
// tag to its SSM parameter through ssmAPI). What the AMI does not say is
// left empty, unchecked, rather than guessed. The AMI must exist and be
// available in ec2's region: the error says so in words a command can
// show before it changes anything.
func ExpectOf(ctx context.Context, ec2API awsapi.EC2API, ssmAPI awsapi.SSMAPI, amiID string) (Expect, error) {
	region := regionOf(ec2API)
	out, err := ec2API.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{amiID}})
	switch {
	case awsapi.HasCode(err, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"):
		return Expect{}, &awsapi.ExplainedError{Message: fmt.Sprintf("AMI %s does not exist in %s: name an AMI of the cluster's region", amiID, region), Err: err}
	case awsapi.HasCode(err, "InvalidAMIID.Malformed"):
		return Expect{}, &awsapi.ExplainedError{Message: fmt.Sprintf("%q is not an AMI ID (ami- and 8 or 17 hexadecimal digits)", amiID), Err: err}
	case err != nil:
		return Expect{}, fmt.Errorf("describing AMI %s: %w", amiID, err)
	}
	var img *ec2types.Image
	for i := range out.Images {
		if aws.ToString(out.Images[i].ImageId) == amiID {
			img = &out.Images[i]
		}
	}
	if img == nil {
		return Expect{}, fmt.Errorf("AMI %s does not exist in %s: name an AMI of the cluster's region", amiID, region)
	}
	if img.State != ec2types.ImageStateAvailable {
		return Expect{}, fmt.Errorf("AMI %s is %s in %s: roll out an available AMI", amiID, img.State, region)
	}
	// EC2 answers "windows"; the SDK's constant is "Windows".
	if !strings.EqualFold(string(img.Platform), string(ec2types.PlatformValuesWindows)) {
		return Expect{}, fmt.Errorf("AMI %s (%s) is not a Windows AMI: roll out a Windows AMI", amiID, aws.ToString(img.Name))
	}
	tags := map[string]string{}
	for _, t := range img.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	e := Expect{AMI: amiID}
	if key, _, err := eksami.ParseAMIName(aws.ToString(img.Name)); err == nil {
		e.Kubelet, e.WindowsBuild = "v"+key.Kubernetes, eksami.WindowsBuild(key.Windows)
	}
	if k := tags[amimeta.TagKubernetes]; k != "" {
		e.Kubelet = "v" + kubeletCore(k)
	}
	switch {
	case tags[amimeta.TagOSBuild] != "":
		e.WindowsBuild = buildOf(tags[amimeta.TagOSBuild])
	case eksami.WindowsBuild(tags[amimeta.TagWindows]) != "":
		e.WindowsBuild = eksami.WindowsBuild(tags[amimeta.TagWindows])
	}
	if param, ok := strings.CutPrefix(tags[amimeta.TagCache], "ssm:"); ok && ssmAPI == nil {
		return Expect{}, fmt.Errorf("AMI %s records its cached images in SSM parameter %s, and no SSM client was given", amiID, param)
	}
	cached, err := amimeta.ReadCacheRecord(ctx, ssmAPI, tags)
	switch {
	case errors.Is(err, amimeta.ErrNoCacheRecord):
	case err != nil:
		return Expect{}, fmt.Errorf("AMI %s: %w", amiID, err)
	}
	for _, c := range cached {
		e.CachedImages = append(e.CachedImages, c.String())
	}
	return e, nil
}

// regionOf is the region of an EC2 client, for messages.
func regionOf(api awsapi.EC2API) string {
	if c, ok := api.(interface{ Options() ec2.Options }); ok && c.Options().Region != "" {
		return c.Options().Region
	}
	return "this region"
}
