package world

import (
	"time"
)

// publicDeprecation is how long after creation EC2 deprecates a public AMI by
// default.
const publicDeprecation = 2 * 365 * 24 * time.Hour

// eksWindowsMonths is how many months Amazon keeps an EKS optimized Windows
// AMI available after its release: the EKS user guide ("Create nodes with
// optimized Windows AMIs") says each one is kept for 4 months from its
// initial release and made private after that.
const eksWindowsMonths = 4

// EKSWindowsDeprecation is when an EKS optimized Windows AMI created at
// created is deprecated: at the end of the months Amazon keeps it, cut to
// the minute (EC2 keeps deprecation times in whole minutes; it rounds a
// DeprecateAt it is given, see enableImageDeprecation).
func EKSWindowsDeprecation(created time.Time) time.Time {
	return created.AddDate(0, eksWindowsMonths, 0).Truncate(time.Minute)
}

// windowsImage is one of Amazon's public Windows AMIs.
func windowsImage(g *gen, name, description string, created time.Time, volumeGiB int32) *Image {
	deprecation := created.Add(publicDeprecation).Truncate(time.Minute)
	return &Image{
		ImageID:            g.id("ami"),
		Name:               name,
		Description:        description,
		OwnerID:            AmazonWindowsOwnerID,
		OwnerAlias:         "amazon",
		CreationDate:       created,
		DeprecationTime:    &deprecation,
		State:              "available",
		Platform:           "windows",
		PlatformDetails:    "Windows",
		UsageOperation:     "RunInstances:0002",
		Architecture:       "x86_64",
		Public:             true,
		ImageType:          "machine",
		RootDeviceName:     "/dev/sda1",
		RootDeviceType:     "ebs",
		VirtualizationType: "hvm",
		Hypervisor:         "xen",
		EnaSupport:         true,
		BlockDevices: []BlockDevice{{
			DeviceName:          "/dev/sda1",
			SnapshotID:          g.id("snap"),
			VolumeSize:          volumeGiB,
			VolumeType:          "gp2",
			DeleteOnTermination: true,
		}},
	}
}

// linuxImage is one of Amazon's public Linux AMIs.
func linuxImage(g *gen, owner, name, description string, created time.Time, volumeGiB int32) *Image {
	deprecation := created.Add(publicDeprecation).Truncate(time.Minute)
	return &Image{
		ImageID:            g.id("ami"),
		Name:               name,
		Description:        description,
		OwnerID:            owner,
		OwnerAlias:         "amazon",
		CreationDate:       created,
		DeprecationTime:    &deprecation,
		State:              "available",
		PlatformDetails:    "Linux/UNIX",
		UsageOperation:     "RunInstances",
		Architecture:       "x86_64",
		Public:             true,
		ImageType:          "machine",
		RootDeviceName:     "/dev/xvda",
		RootDeviceType:     "ebs",
		VirtualizationType: "hvm",
		Hypervisor:         "xen",
		EnaSupport:         true,
		BootMode:           "uefi-preferred",
		ImdsSupport:        "v2.0",
		BlockDevices: []BlockDevice{{
			DeviceName:          "/dev/xvda",
			SnapshotID:          g.id("snap"),
			VolumeSize:          volumeGiB,
			VolumeType:          "gp3",
			DeleteOnTermination: true,
		}},
	}
}

// seedLinux adds an Amazon Linux 2023 AMI and an EKS optimized AL2023 node
// AMI with their public parameters, so that owner and platform filters have
// non-Windows Amazon images to leave out.
func seedLinux(r *Region, g *gen) {
	al := linuxImage(g, AmazonLinuxOwnerID, "al2023-ami-2023.9.20261110.0-kernel-6.1-x86_64",
		"Amazon Linux 2023 AMI 2023.9.20261110.0 x86_64 HVM kernel-6.1",
		time.Date(2026, time.November, 10, 19, 0, 0, 0, time.UTC).Add(g.jitter(0, 3*time.Hour)), 8)
	r.Images[al.ImageID] = al
	putPublic(r, "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", al.ImageID, "text",
		al.CreationDate.Add(g.jitter(time.Hour, 4*time.Hour)), 60+g.rng.Int64N(40))

	eks := linuxImage(g, EKSLinuxOwnerID, "amazon-eks-node-al2023-x86_64-standard-1.35-v20261112",
		"EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.35.2, containerd: 2.1.*)",
		time.Date(2026, time.November, 12, 22, 0, 0, 0, time.UTC).Add(g.jitter(0, 3*time.Hour)), 20)
	r.Images[eks.ImageID] = eks
	putPublic(r, "/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id",
		eks.ImageID, "aws:ec2:image", eks.CreationDate.Add(g.jitter(time.Hour, 4*time.Hour)), 30+g.rng.Int64N(20))
}

// seedAccountImages adds the caller's own AMI (and an SSM parameter naming
// it) in two regions, and in us-east-1 a partner's AMI shared with the caller
// and another the partner keeps private.
func seedAccountImages(w *World, r *Region, g *gen) {
	if r.Name != "us-east-1" && r.Name != "us-west-2" {
		return
	}
	own := windowsImage(g, "winami-demo-2022-core-1.35-20261115",
		"winami demo: Windows Server 2022 Core for EKS 1.35 with cached container images",
		time.Date(2026, time.November, 15, 10, 0, 0, 0, time.UTC).Add(g.jitter(0, 2*time.Hour)), 50)
	own.OwnerID, own.OwnerAlias, own.Public, own.DeprecationTime = w.AccountID, "", false, nil
	own.Tags = map[string]string{"Name": "winami-demo", "winami:managed": "true"}
	if r.Name == "us-east-1" {
		// Shared with the partner, which has no Fast Launch for it until it
		// enables it itself.
		own.LaunchPermissions = []string{PartnerAccountID}
	}
	r.Images[own.ImageID] = own
	r.Parameters["/winami/demo/image_id"] = &Parameter{
		Name: "/winami/demo/image_id",
		ParameterVersion: ParameterVersion{
			Type:             "String",
			Value:            own.ImageID,
			DataType:         "aws:ec2:image",
			Tier:             "Standard",
			Version:          1,
			LastModifiedDate: own.CreationDate.Add(g.jitter(10*time.Minute, time.Hour)),
			LastModifiedUser: w.CallerARN(w.AccountID, r.Name),
		},
		OwnerAccount: w.AccountID,
		Tags:         map[string]string{"winami:managed": "true"},
	}
	if r.Name != "us-east-1" {
		return
	}
	shared := windowsImage(g, "partner-golden-windows-2022-2026.10.20",
		"Partner golden image, Windows Server 2022 Full",
		time.Date(2026, time.October, 20, 8, 0, 0, 0, time.UTC).Add(g.jitter(0, 4*time.Hour)), 60)
	shared.OwnerID, shared.OwnerAlias, shared.Public, shared.DeprecationTime = PartnerAccountID, "", false, nil
	shared.LaunchPermissions = []string{w.AccountID}
	shared.Tags = map[string]string{"team": "partner-platform"}
	r.Images[shared.ImageID] = shared

	hidden := windowsImage(g, "partner-internal-build-2026.11.02",
		"Partner internal build, not shared",
		time.Date(2026, time.November, 2, 8, 0, 0, 0, time.UTC).Add(g.jitter(0, 4*time.Hour)), 60)
	hidden.OwnerID, hidden.OwnerAlias, hidden.Public, hidden.DeprecationTime = PartnerAccountID, "", false, nil
	r.Images[hidden.ImageID] = hidden
}
