package world

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// windowsBuilds are the build numbers of the Windows Server versions.
var windowsBuilds = map[string]int{"2016": 14393, "2019": 17763, "2022": 20348, "2025": 26100}

// osBuildAnchors are the update revisions of each build in the August 2026
// release, the seeded world's first; every monthly release adds osBuildStep.
var osBuildAnchors = map[string]int{"2016": 9212, "2019": 7792, "2022": 4052, "2025": 5074}

const osBuildStep = 113

// WindowsOSBuild is the OS build, e.g. "10.0.20348.4391", of a Windows Server
// version ("2019", "2022", "2025", "2016") as of the monthly release in
// effect at t: the one of the day after the month's Patch Tuesday, or the
// month before's when t is earlier. It is empty for an unknown version.
func WindowsOSBuild(windows string, t time.Time) string {
	build, ok := windowsBuilds[windows]
	if !ok {
		return ""
	}
	t = t.UTC()
	year, month := t.Year(), t.Month()
	if t.Before(patchTuesday(year, month).AddDate(0, 0, 1)) {
		first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
		year, month = first.Year(), first.Month()
	}
	months := (year-2026)*12 + int(month) - int(time.August)
	return fmt.Sprintf("10.0.%d.%d", build, max(1, osBuildAnchors[windows]+months*osBuildStep))
}

// windowsYearRE finds the Windows Server version in an AMI name.
var windowsYearRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:^|[^0-9])(2016|2019|2022|2025)(?:[^0-9]|$)`) })

// ManagedWindowsImageName is the name of an AWS-managed Windows Server base
// image of Image Builder, e.g. "windows-server-2022-english-core-base-x86".
func ManagedWindowsImageName(windows, edition string) string {
	return "windows-server-" + windows + "-english-" + strings.ToLower(edition) + "-base-x86"
}

// ManagedImageVersion is the version of a managed base image of a release:
// the release date without zero padding, e.g. "2026.8.12".
func ManagedImageVersion(release time.Time) string {
	return fmt.Sprintf("%d.%d.%d", release.Year(), int(release.Month()), release.Day())
}

// EKSComponentVersions are the versions of the AWS-managed
// eks-optimized-ami-windows component, oldest first: per Kubernetes minor the
// kubelet patch releases, three of them except for the newest minor.
func EKSComponentVersions() []string {
	var out []string
	for minor := 31; minor <= 36; minor++ {
		patches := 3
		if minor == 36 {
			patches = 2
		}
		for p := range patches {
			out = append(out, fmt.Sprintf("1.%d.%d", minor, p))
		}
	}
	return out
}

// seedImageBuilder gives a region the AWS-managed Image Builder components
// and Windows Server base images, and records the OS build of the region's
// Windows AMIs.
func seedImageBuilder(w *World, r *Region, g *gen) {
	ib := &ImageBuilder{
		Components: map[string]*Component{},
		Images:     map[string]*ImageBuildVersion{},
	}
	r.ImageBuilder = ib
	for _, img := range r.Images {
		if img.Platform != "windows" || img.OSBuild != "" {
			continue
		}
		if m := windowsYearRE().FindStringSubmatch(img.Name); m != nil {
			img.OSBuild = WindowsOSBuild(m[1], img.CreationDate)
		}
	}
	seedManagedComponents(r, ib)
	seedManagedImages(r, ib, g)
}

// managedARN is the ARN of an AWS-managed Image Builder resource.
func managedARN(region, kind, name, version string, build int) string {
	return fmt.Sprintf("arn:aws:imagebuilder:%s:aws:%s/%s/%s/%d", region, kind, name, version, build)
}

func seedManagedComponents(r *Region, ib *ImageBuilder) {
	releases := ReleaseDates()
	add := func(name, version, description, change, data string, created time.Time) {
		c := &Component{
			ARN:                 managedARN(r.Name, "component", name, version, 1),
			Name:                name,
			Version:             version,
			Description:         description,
			ChangeDescription:   change,
			Platform:            "Windows",
			Type:                "BUILD",
			Owner:               ImageBuilderAmazonOwner,
			Data:                data,
			SupportedOSVersions: []string{"Microsoft Windows Server 2019", "Microsoft Windows Server 2022", "Microsoft Windows Server 2025"},
			DateCreated:         created,
		}
		ib.Components[c.ARN] = c
	}
	versions := EKSComponentVersions()
	for i, v := range versions {
		minor := v[:strings.LastIndex(v, ".")]
		// Patches of one minor come out month by month up to the newest release.
		newer := 0
		for _, later := range versions[i+1:] {
			if strings.HasPrefix(later, minor+".") {
				newer++
			}
		}
		created := releases[len(releases)-1-newer].Add(5 * time.Hour)
		add("eks-optimized-ami-windows", v,
			"Installs the components of the Amazon EKS optimized Windows AMI for Kubernetes "+minor+
				": kubelet and kube-proxy v"+v+", containerd, the CNI plugins and the EKS bootstrap script.",
			"Kubernetes v"+v+".", eksComponentDoc(v), created)
	}
	add("update-windows", "1.0.2", "Updates Microsoft Windows with the latest security updates.",
		"Retries Windows Update after a reboot it requested.", updateWindowsDoc,
		time.Date(2025, time.March, 4, 18, 12, 7, 0, time.UTC))
	add("update-windows", "1.0.3", "Updates Microsoft Windows with the latest security updates.",
		"Skips updates that need user interaction.", updateWindowsDoc,
		time.Date(2025, time.September, 16, 17, 40, 51, 0, time.UTC))
	add("reboot-windows", "1.0.0", "Reboots the instance.", "Initial version.", rebootWindowsDoc,
		time.Date(2019, time.December, 2, 8, 0, 0, 0, time.UTC))
	add("reboot-windows", "1.0.1", "Reboots the instance.", "Waits 60 seconds before the reboot.", rebootWindowsDoc,
		time.Date(2022, time.June, 14, 21, 3, 44, 0, time.UTC))
}

// seedManagedImages adds the Windows Server base images of every monthly
// release with their AMIs: the newest release's are the base AMIs already in
// the region, older ones are added.
func seedManagedImages(r *Region, ib *ImageBuilder, g *gen) {
	byName := map[string]*Image{}
	for _, img := range r.Images {
		byName[img.Name] = img
	}
	for _, win := range []string{"2019", "2022", "2025"} {
		for _, ed := range []string{"Core", "Full"} {
			for _, rel := range ReleaseDates() {
				amiName := "Windows_Server-" + win + "-English-" + ed + "-Base-" + ReleaseStamp(rel)
				ami := byName[amiName]
				if ami == nil {
					ami = windowsImage(g, amiName,
						fmt.Sprintf("Microsoft Windows Server %s %s Locale English AMI provided by Amazon", win, ed),
						rel.Add(g.jitter(time.Hour, 5*time.Hour)), 30)
					r.Images[ami.ImageID] = ami
				}
				ami.OSBuild = WindowsOSBuild(win, ami.CreationDate)
				name := ManagedWindowsImageName(win, ed)
				version := ManagedImageVersion(rel)
				img := &ImageBuildVersion{
					ARN:                          managedARN(r.Name, "image", name, version, 1),
					Name:                         name,
					Version:                      version,
					Owner:                        ImageBuilderAmazonOwner,
					Platform:                     "Windows",
					OSVersion:                    "Microsoft Windows Server " + win,
					Type:                         "AMI",
					BuildType:                    "USER_INITIATED",
					ImageSource:                  "AMAZON_MANAGED",
					State:                        "AVAILABLE",
					DateCreated:                  ami.CreationDate,
					StateChangedAt:               ami.CreationDate,
					OSBuild:                      ami.OSBuild,
					EnhancedImageMetadataEnabled: true,
					OutputAMIs: []OutputAMI{{
						Region: r.Name, ImageID: ami.ImageID, Name: ami.Name,
						Description: ami.Description, AccountID: AmazonWindowsOwnerID,
					}},
				}
				ib.Images[img.ARN] = img
			}
		}
	}
}

// eksComponentDoc is the AWSTOE document of an eks-optimized-ami-windows
// version: it installs that kubelet patch and checks it in the validate phase.
func eksComponentDoc(version string) string {
	return strings.ReplaceAll(`name: eks-optimized-ami-windows
description: Installs the Amazon EKS optimized Windows components for Kubernetes vVERSION.
schemaVersion: 1.0

phases:
  - name: build
    steps:
      - name: DownloadEKSArtifacts
        action: ExecutePowerShell
        timeoutSeconds: 1800
        maxAttempts: 3
        inputs:
          commands:
            - |
              $ErrorActionPreference = 'Stop'
              $base = "https://amazon-eks.s3.amazonaws.com/VERSION/bin/windows/amd64"
              New-Item -ItemType Directory -Force -Path "$env:TEMP\eks" | Out-Null
              foreach ($bin in 'kubelet.exe', 'kube-proxy.exe', 'aws-iam-authenticator.exe') {
                Invoke-WebRequest -UseBasicParsing -Uri "$base/$bin" -OutFile "$env:TEMP\eks\$bin"
              }
      - name: InstallEKS
        action: ExecutePowerShell
        onFailure: Abort
        inputs:
          commands:
            - |
              $ErrorActionPreference = 'Stop'
              $k8s = "$env:ProgramFiles\Kubernetes"
              New-Item -ItemType Directory -Force -Path $k8s | Out-Null
              Copy-Item "$env:TEMP\eks\*.exe" $k8s -Force
              & "$env:ProgramFiles\Amazon\EKS\Install-EKSWorkerNode.ps1" -ContainerRuntime containerd
      - name: RebootAfterInstall
        action: Reboot
        onFailure: Abort
        maxAttempts: 2
        inputs:
          delaySeconds: 60

  - name: validate
    steps:
      - name: ValidateKubelet
        action: ExecutePowerShell
        inputs:
          commands:
            - |
              $version = & "$env:ProgramFiles\Kubernetes\kubelet.exe" --version
              if ($version -notmatch 'vVERSION$') { throw "kubelet is $version, expected vVERSION" }
`, "VERSION", version)
}

const updateWindowsDoc = `name: update-windows
description: Updates Microsoft Windows with the latest security updates.
schemaVersion: 1.0

phases:
  - name: build
    steps:
      - name: UpdateWindows
        action: UpdateOS
        onFailure: Abort
        maxAttempts: 3
        timeoutSeconds: 7200

  - name: validate
    steps:
      - name: ValidateNoPendingReboot
        action: ExecutePowerShell
        inputs:
          commands:
            - |
              if (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') {
                throw 'Windows Update still requires a reboot'
              }
`

const rebootWindowsDoc = `name: reboot-windows
description: Reboots the instance.
schemaVersion: 1.0

phases:
  - name: build
    steps:
      - name: RebootStep
        action: Reboot
        onFailure: Abort
        maxAttempts: 2
        inputs:
          delaySeconds: 60
`
