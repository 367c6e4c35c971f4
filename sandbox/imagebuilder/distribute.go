package imagebuilder

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/winami/winami/sandbox/world"
)

var (
	buildDateRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*imagebuilder:buildDate\s*\}\}`) })
	buildVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*imagebuilder:buildVersion\s*\}\}`) })
)

// buildDate is the build's date as AMI names carry it (EC2 allows no colons).
func buildDate(t time.Time) string { return t.UTC().Format("2006-01-02T15-04-05.000Z") }

// amiName is a distribution's AMI name with its template variables
// expanded, or Image Builder's default of image name and build date.
func amiName(img *world.ImageBuildVersion, c *world.AMIDistributionConfiguration) string {
	if c == nil || c.Name == "" {
		return img.Name + " " + buildDate(img.DateCreated)
	}
	name := buildDateRE().ReplaceAllLiteralString(c.Name, buildDate(img.DateCreated))
	return buildVersionRE().ReplaceAllLiteralString(name, strconv.Itoa(buildOf(img.ARN)))
}

// distributions are the build's regions: its distribution configuration's,
// or without one the build's own region.
func distributions(sc *scope, img *world.ImageBuildVersion) []world.Distribution {
	if img.DistributionConfiguration == nil {
		return []world.Distribution{{Region: sc.r.Name}}
	}
	return img.DistributionConfiguration.Distributions
}

// distribute registers the build's AMIs in every distribution region (and a
// copy in every target account), writes the SSM parameters and starts Fast
// Launch. It checks everything before it changes anything, so a failed
// distribution leaves nothing behind.
func distribute(sc *scope, img *world.ImageBuildVersion, at time.Time) string {
	failed := func(region, format string, args ...any) string {
		return fmt.Sprintf("Distribution to %s failed: %s", region, fmt.Sprintf(format, args...))
	}
	parent := sc.r.Images[img.ParentImageID]
	if parent == nil {
		return failed(sc.r.Name, "the parent AMI %s no longer exists", img.ParentImageID)
	}
	account := sc.account()
	for _, d := range distributions(sc, img) {
		r := sc.w.Region(d.Region)
		if r == nil {
			return failed(d.Region, "the region is not enabled for account %s", account)
		}
		name := amiName(img, d.AMIDistributionConfiguration)
		if other := r.ImageNamed(account, name); other != nil {
			return failed(d.Region, "AMI name '%s' is already in use by AMI %s", name, other.ImageID)
		}
		for _, f := range d.FastLaunchConfigurations {
			if !f.Enabled {
				continue
			}
			if parent.Platform != "windows" {
				return failed(d.Region, "Fast Launch is only for Windows AMIs")
			}
			if _, problem := fastLaunchTemplate(r, f.LaunchTemplate); problem != "" {
				return failed(d.Region, "%s", problem)
			}
		}
		for _, c := range d.SSMParameterConfigurations {
			if p := r.Parameters[c.ParameterName]; p != nil && writesParameter(c, account) {
				if err := p.CheckWrite(); err != nil {
					return failed(d.Region, "SSM parameter %s: %v", c.ParameterName, err)
				}
			}
		}
	}
	for _, d := range distributions(sc, img) {
		distributeTo(sc, img, parent, d, at)
	}
	return ""
}

func distributeTo(sc *scope, img *world.ImageBuildVersion, parent *world.Image, d world.Distribution, at time.Time) {
	r := sc.w.Region(d.Region)
	account := sc.account()
	c := d.AMIDistributionConfiguration
	if c == nil {
		c = &world.AMIDistributionConfiguration{}
	}
	tags := map[string]string{}
	if d.Region == sc.r.Name {
		// The recipe's AMI tags go on the AMI the build makes in its own region.
		maps.Copy(tags, img.ImageRecipe.AMITags)
	}
	maps.Copy(tags, c.AMITags)
	tags["CreatedBy"] = "EC2 Image Builder"
	tags["Ec2ImageBuilderArn"] = img.ARN

	byAccount := map[string]*world.Image{}
	for _, owner := range append([]string{account}, c.TargetAccountIDs...) {
		if byAccount[owner] != nil {
			continue
		}
		ami := registerAMI(sc, r, img, parent, owner, amiName(img, d.AMIDistributionConfiguration), c.Description, at)
		ami.Tags = maps.Clone(tags)
		if owner == account && c.LaunchPermission != nil {
			lp := c.LaunchPermission
			ami.LaunchPermissions = slices.Clone(lp.UserIDs)
			ami.Public = slices.Contains(lp.UserGroups, "all")
			ami.LaunchPermissionOrganizations = slices.Clone(lp.OrganizationARNs)
			ami.LaunchPermissionOUs = slices.Clone(lp.OrganizationalUnitARNs)
		}
		byAccount[owner] = ami
		img.OutputAMIs = append(img.OutputAMIs, world.OutputAMI{
			Region: d.Region, ImageID: ami.ImageID, Name: ami.Name, Description: ami.Description, AccountID: owner,
		})
	}
	for _, p := range d.SSMParameterConfigurations {
		if writesParameter(p, account) {
			writeParameter(r, account, p, byAccount[account].ImageID, at)
		}
	}
	for _, f := range d.FastLaunchConfigurations {
		if !f.Enabled {
			continue
		}
		owner := f.AccountID
		if owner == "" {
			owner = account
		}
		ami := byAccount[owner]
		if ami == nil {
			ami = byAccount[account]
		}
		startFastLaunch(sc.w, r, ami, owner, f, at)
	}
}

// registerAMI registers a build's AMI for an account: the parent's
// attributes, the recipe's block devices over the parent's, new snapshots.
func registerAMI(sc *scope, r *world.Region, img *world.ImageBuildVersion, parent *world.Image, owner, name, description string, at time.Time) *world.Image {
	seed := img.ARN + "/" + r.Name + "/" + owner
	ami := &world.Image{
		ImageID:            sc.w.NewImageID(seed),
		Name:               name,
		Description:        description,
		OwnerID:            owner,
		CreationDate:       at,
		State:              "available",
		Platform:           parent.Platform,
		PlatformDetails:    parent.PlatformDetails,
		UsageOperation:     parent.UsageOperation,
		Architecture:       parent.Architecture,
		ImageType:          "machine",
		RootDeviceName:     parent.RootDeviceName,
		RootDeviceType:     parent.RootDeviceType,
		VirtualizationType: parent.VirtualizationType,
		Hypervisor:         parent.Hypervisor,
		EnaSupport:         parent.EnaSupport,
		BootMode:           parent.BootMode,
		ImdsSupport:        parent.ImdsSupport,
		BlockDevices:       blockDevices(parent, img.ImageRecipe.BlockDeviceMappings, seed),
		OSBuild:            parent.OSBuild,
	}
	r.Images[ami.ImageID] = ami
	return ami
}

// blockDevices are the parent's block devices with the recipe's mappings
// applied (sizes, types, encryption; NoDevice removes one; new devices are
// added), each with a new snapshot.
func blockDevices(parent *world.Image, mappings []world.InstanceBlockDeviceMapping, seed string) []world.BlockDevice {
	devices := slices.Clone(parent.BlockDevices)
	for _, m := range mappings {
		i := slices.IndexFunc(devices, func(d world.BlockDevice) bool { return d.DeviceName == m.DeviceName })
		if m.NoDevice != nil {
			if i >= 0 {
				devices = slices.Delete(devices, i, i+1)
			}
			continue
		}
		if m.EBS == nil {
			continue
		}
		if i < 0 {
			devices = append(devices, world.BlockDevice{DeviceName: m.DeviceName, VolumeType: "gp2", VolumeSize: 8, DeleteOnTermination: true})
			i = len(devices) - 1
		}
		d := &devices[i]
		if m.EBS.VolumeSize != nil {
			d.VolumeSize = *m.EBS.VolumeSize
		}
		if m.EBS.VolumeType != "" {
			d.VolumeType = m.EBS.VolumeType
		}
		if m.EBS.Encrypted != nil {
			d.Encrypted = *m.EBS.Encrypted
		}
		if m.EBS.DeleteOnTermination != nil {
			d.DeleteOnTermination = *m.EBS.DeleteOnTermination
		}
	}
	for i := range devices {
		devices[i].SnapshotID = world.ResourceID("snap", seed+"/"+devices[i].DeviceName, nil)
	}
	return devices
}

// writesParameter says whether the sandbox writes a parameter
// configuration: parameters of other accounts are beyond its one account.
func writesParameter(c world.SSMParameterConfiguration, account string) bool {
	return c.AMIAccountID == "" || c.AMIAccountID == account
}

// writeParameter puts the AMI ID into a parameter as Image Builder does:
// created when missing, otherwise a new version, written by Image Builder's
// service-linked role. distribute has checked that the write is allowed
// (Parameter.CheckWrite), so that a distribution fails before any change.
func writeParameter(r *world.Region, account string, c world.SSMParameterConfiguration, imageID string, at time.Time) {
	p := r.Parameters[c.ParameterName]
	if p == nil {
		p = &world.Parameter{Name: c.ParameterName, OwnerAccount: account, ParameterVersion: world.ParameterVersion{Tier: "Standard", DataType: "text"}}
	}
	v := p.ParameterVersion
	if c.DataType != "" {
		v.DataType = c.DataType
	}
	v.Type, v.Value, v.LastModifiedDate = "String", imageID, at
	v.LastModifiedUser = "arn:" + world.Partition(r.Name) + ":iam::" + account +
		":role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"
	if err := p.Write(v); err != nil {
		panic("writeParameter after CheckWrite: " + err.Error()) // distribute checked it
	}
	r.Parameters[c.ParameterName] = p
}

// fastLaunchTemplate finds a Fast Launch configuration's launch template in
// the region; nil spec means none (EC2 then uses the default VPC).
func fastLaunchTemplate(r *world.Region, spec *world.FastLaunchLaunchTemplate) (*world.FastLaunchTemplate, string) {
	if spec == nil {
		return nil, ""
	}
	for _, lt := range r.LaunchTemplates {
		if spec.LaunchTemplateID != "" && lt.LaunchTemplateID == spec.LaunchTemplateID ||
			spec.LaunchTemplateName != "" && lt.LaunchTemplateName == spec.LaunchTemplateName {
			version := spec.LaunchTemplateVersion
			if version == "" {
				version = "$Default"
			}
			return &world.FastLaunchTemplate{LaunchTemplateID: lt.LaunchTemplateID, LaunchTemplateName: lt.LaunchTemplateName, Version: version}, ""
		}
	}
	ref := spec.LaunchTemplateID
	if ref == "" {
		ref = spec.LaunchTemplateName
	}
	return nil, fmt.Sprintf("the Fast Launch launch template '%s' does not exist", ref)
}

// startFastLaunch records EnableFastLaunch for an account's AMI: enabling
// now, enabled when the build becomes AVAILABLE. As EC2 does on first use,
// it creates the account's Fast Launch service-linked role.
func startFastLaunch(w *world.World, r *world.Region, ami *world.Image, account string, f world.FastLaunchConfiguration, at time.Time) {
	w.EnsureServiceLinkedRole(account, world.FastLaunchService, at)
	lt, _ := fastLaunchTemplate(r, f.LaunchTemplate)
	fl := &world.FastLaunch{
		ImageID:               ami.ImageID,
		ResourceType:          "snapshot",
		TargetResourceCount:   world.DefaultFastLaunchSnapshots,
		MaxParallelLaunches:   world.DefaultFastLaunchParallelLaunches,
		LaunchTemplate:        lt,
		OwnerID:               ami.OwnerID,
		State:                 world.FastLaunchEnabling,
		StateTransitionReason: "Client.UserInitiated",
		StateTransitionTime:   at,
	}
	if sc := f.SnapshotConfiguration; sc != nil && sc.TargetResourceCount != nil {
		fl.TargetResourceCount = *sc.TargetResourceCount
	}
	if f.MaxParallelLaunches != nil {
		fl.MaxParallelLaunches = *f.MaxParallelLaunches
	}
	// As EC2 does when Image Builder enables Fast Launch for it: accepted,
	// then failed once enabling ends.
	if lt == nil && !r.HasDefaultVPC() {
		fl.PendingFailure = world.FastLaunchNoDefaultVPC
	}
	if ami.FastLaunch == nil {
		ami.FastLaunch = map[string]*world.FastLaunch{}
	}
	ami.FastLaunch[account] = fl
}

// finishDistribution ends distribution: Fast Launch, started when it began,
// is now enabled.
func finishDistribution(sc *scope, img *world.ImageBuildVersion, at time.Time) {
	for _, out := range img.OutputAMIs {
		r := sc.w.Region(out.Region)
		if r == nil || r.Images[out.ImageID] == nil {
			continue
		}
		for _, fl := range r.Images[out.ImageID].FastLaunch {
			switch {
			case fl.State != world.FastLaunchEnabling:
			case fl.PendingFailure != "":
				fl.State, fl.StateTransitionReason, fl.StateTransitionTime, fl.PendingFailure = world.FastLaunchEnablingFailed, fl.PendingFailure, at, ""
			default:
				fl.State, fl.StateTransitionReason, fl.StateTransitionTime = world.FastLaunchEnabled, "Client.UserInitiated - Lifecycle state transition", at
			}
		}
	}
}
