package fastlaunch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/winami/winami/pkg/awsapi"
)

// Kinds of audit findings.
const (
	KindNotEnabled        = "not-enabled"
	KindFailed            = "failed"
	KindNotOwned          = "not-owned"
	KindRootVolume        = "root-volume-mapping"
	KindKarpenterRoot     = "karpenter-root-volume"
	KindSharedNotEnabled  = "shared-not-enabled"
	KindSharedUnchecked   = "shared-unchecked"
	windowsRootDeviceName = "/dev/sda1"
)

// AuditFinding is one reason launches will not use the pre-provisioned
// snapshots, with the fix.
type AuditFinding struct {
	Subject  string   `json:"subject"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix,omitempty"`
}

// Auditor reads one account's view of Fast Launch.
type Auditor struct {
	EC2     func(region string) awsapi.EC2API
	Account string
}

// AMIs audits AMIs in their regions: Fast Launch must be enabled, and the
// launch templates that launch them ($Latest and $Default versions of
// every template of the region, found with one call) must not map the
// root volume.
func (a *Auditor) AMIs(ctx context.Context, targets []Target) ([]AuditFinding, error) {
	var out []AuditFinding
	byRegion := map[string][]Target{}
	for _, t := range targets {
		byRegion[t.Region] = append(byRegion[t.Region], t)
		f, err := a.amiState(ctx, t)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	for _, region := range sortedKeys(byRegion) {
		ids := make([]string, 0, len(byRegion[region]))
		roots := map[string]string{}
		for _, t := range byRegion[region] {
			ids = append(ids, t.AMI)
			roots[t.AMI] = aws.ToString(t.Image.RootDeviceName)
		}
		versions, err := templateVersions(ctx, a.EC2(region), &ec2.DescribeLaunchTemplateVersionsInput{
			Versions: []string{"$Latest", "$Default"},
			Filters:  []types.Filter{{Name: aws.String("image-id"), Values: ids}},
		})
		if err != nil {
			return nil, fmt.Errorf("reading the launch templates of %s: %w", region, err)
		}
		out = append(out, rootMappings(region, versions, roots)...)
	}
	return out, nil
}

// amiState: Fast Launch of the AMI in this account is enabled.
func (a *Auditor) amiState(ctx context.Context, t Target) ([]AuditFinding, error) {
	subject := t.AMI + " in " + t.Region
	if owner := aws.ToString(t.Image.OwnerId); owner != a.Account && aws.ToBool(t.Image.Public) {
		return []AuditFinding{{Subject: subject, Kind: KindNotOwned, Severity: Fail,
			Message: fmt.Sprintf("%s is a public AMI of account %s: Fast Launch cannot be enabled on it, so its launches never use pre-provisioned snapshots", aws.ToString(t.Image.Name), owner),
			Fix:     "build your own AMI from it (winami build -f winami.yaml), enable Fast Launch on that, and launch it instead"}}, nil
	}
	cur, err := current(ctx, a.EC2(t.Region), t)
	if err != nil {
		return nil, err
	}
	switch {
	case cur == nil || !cur.Active() && !cur.Failed():
		return []AuditFinding{{Subject: subject, Kind: KindNotEnabled, Severity: Fail,
			Message: "Fast Launch is not enabled on it in account " + a.Account,
			Fix:     fmt.Sprintf("winami fast-launch enable %s --regions %s --wait", t.AMI, t.Region)}}, nil
	case cur.Failed():
		return []AuditFinding{{Subject: subject, Kind: KindFailed, Severity: Fail,
			Message: fmt.Sprintf("Fast Launch is %s: %s", cur.State, cur.Reason),
			Fix:     fmt.Sprintf("fix the cause, then winami fast-launch disable %s --force --regions %s && winami fast-launch enable %s --regions %s --wait", t.AMI, t.Region, t.AMI, t.Region)}}, nil
	}
	return nil, nil
}

// LaunchTemplates audits every version of the named templates of a region:
// a version whose AMI has no Fast Launch here, or that maps the root volume.
func (a *Auditor) LaunchTemplates(ctx context.Context, region string, templates []LaunchTemplate) ([]AuditFinding, error) {
	api := a.EC2(region)
	var versions []types.LaunchTemplateVersion
	for _, lt := range templates {
		in := &ec2.DescribeLaunchTemplateVersionsInput{}
		if lt.ID != "" {
			in.LaunchTemplateId = aws.String(lt.ID)
		} else {
			in.LaunchTemplateName = aws.String(lt.Name)
		}
		if lt.Version != "" {
			in.Versions = []string{lt.Version}
		}
		vs, err := templateVersions(ctx, api, in)
		if err != nil {
			return nil, fmt.Errorf("reading launch template %s in %s: %w", lt, region, err)
		}
		versions = append(versions, vs...)
	}
	// The AMIs the versions launch, read in one call.
	var ids []string
	for _, v := range versions {
		if d := v.LaunchTemplateData; d != nil && aws.ToString(d.ImageId) != "" && !slices.Contains(ids, aws.ToString(d.ImageId)) {
			ids = append(ids, aws.ToString(d.ImageId))
		}
	}
	roots := map[string]string{}
	var out []AuditFinding
	if len(ids) > 0 {
		imgs, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{
			Filters: []types.Filter{{Name: aws.String("image-id"), Values: ids}}, IncludeDeprecated: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("reading the AMIs of the launch templates in %s: %w", region, err)
		}
		for _, img := range imgs.Images {
			t := Target{AMI: aws.ToString(img.ImageId), Region: region, Image: img}
			roots[t.AMI] = aws.ToString(img.RootDeviceName)
			f, err := a.amiState(ctx, t)
			if err != nil {
				return nil, err
			}
			out = append(out, f...)
		}
	}
	return append(out, rootMappings(region, versions, roots)...), nil
}

// rootMappings flags versions whose block-device mappings override the
// root volume of their AMI: EC2 then builds the volume from the AMI's
// base snapshot and the pre-provisioned snapshots go unused.
func rootMappings(region string, versions []types.LaunchTemplateVersion, roots map[string]string) []AuditFinding {
	var out []AuditFinding
	for _, v := range versions {
		d := v.LaunchTemplateData
		if d == nil {
			continue
		}
		root := roots[aws.ToString(d.ImageId)]
		if root == "" {
			root = windowsRootDeviceName
		}
		for _, m := range d.BlockDeviceMappings {
			if aws.ToString(m.DeviceName) != root || m.Ebs == nil {
				continue
			}
			name := aws.ToString(v.LaunchTemplateName)
			out = append(out, AuditFinding{
				Subject:  fmt.Sprintf("launch template %s version %d in %s", name, aws.ToInt64(v.VersionNumber), region),
				Kind:     KindRootVolume,
				Severity: Fail,
				Message: fmt.Sprintf("maps the root volume %s (%s): launches build it from %s's base snapshot and skip the pre-provisioned snapshots",
					root, describeEBS(m.Ebs), aws.ToString(d.ImageId)),
				Fix: fmt.Sprintf("create a version of %s without the %s mapping and make it the default; size the root volume in the AMI instead (build.rootVolumeGiB in winami.yaml)", name, root),
			})
		}
	}
	return out
}

func describeEBS(e *types.LaunchTemplateEbsBlockDevice) string {
	var parts []string
	if e.VolumeSize != nil {
		parts = append(parts, fmt.Sprintf("%d GiB", aws.ToInt32(e.VolumeSize)))
	}
	if e.VolumeType != "" {
		parts = append(parts, string(e.VolumeType))
	}
	if e.SnapshotId != nil {
		parts = append(parts, "from "+aws.ToString(e.SnapshotId))
	}
	if len(parts) == 0 {
		return "EBS"
	}
	return strings.Join(parts, " ")
}

// templateVersions reads every page of launch template versions.
func templateVersions(ctx context.Context, api awsapi.EC2API, in *ec2.DescribeLaunchTemplateVersionsInput) ([]types.LaunchTemplateVersion, error) {
	var out []types.LaunchTemplateVersion
	for {
		page, err := api.DescribeLaunchTemplateVersions(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, page.LaunchTemplateVersions...)
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
