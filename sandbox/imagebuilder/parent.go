package imagebuilder

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/world"
)

// amiVisible reports an AMI the account may launch: public, its own, or
// shared with it.
func amiVisible(img *world.Image, account string) bool {
	return img.Public || img.OwnerID == account || slices.Contains(img.LaunchPermissions, account)
}

// resolveParent finds the AMI a recipe's parentImage names in the region:
// an AMI ID, an Image Builder image ARN (a build version, or a version with
// or without wildcards, which takes the newest AVAILABLE build), or
// "ssm:<parameter name or ARN>" whose value is an AMI ID. problem says why
// it does not resolve.
func resolveParent(sc *scope, parent string) (ami *world.Image, problem string) {
	switch {
	case strings.HasPrefix(parent, "ami-"):
		return findAMI(sc, parent)
	case strings.HasPrefix(parent, "arn:"):
		img := findImage(sc, parent, true)
		if img == nil {
			return nil, fmt.Sprintf("the image '%s' does not exist in %s or has no AVAILABLE build", parent, sc.r.Name)
		}
		for _, out := range img.OutputAMIs {
			if out.Region == sc.r.Name {
				return findAMI(sc, out.ImageID)
			}
		}
		return nil, fmt.Sprintf("the image '%s' has no AMI in %s", img.ARN, sc.r.Name)
	case strings.HasPrefix(parent, "ssm:"):
		name := ssmName(strings.TrimPrefix(parent, "ssm:"))
		p := sc.r.Parameters[name]
		if p == nil && !strings.HasPrefix(name, "/") {
			p = sc.r.Parameters["/"+name]
		}
		if p == nil {
			return nil, fmt.Sprintf("the SSM parameter '%s' does not exist in %s", name, sc.r.Name)
		}
		if !strings.HasPrefix(p.Value, "ami-") {
			return nil, fmt.Sprintf("the SSM parameter '%s' does not hold an AMI ID", name)
		}
		return findAMI(sc, p.Value)
	}
	return nil, "a parent image must be an AMI ID, an Image Builder image ARN, or ssm: followed by a parameter name or ARN"
}

// ssmName is a parameter's name from a name or an ARN: AWS's public
// parameters' ARNs keep the leading slash after "parameter", an account's
// drop it.
func ssmName(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	_, rest, ok := strings.Cut(s, ":parameter")
	if !ok {
		return s
	}
	return rest
}

func findAMI(sc *scope, id string) (*world.Image, string) {
	img := sc.r.Images[id]
	if img == nil || !amiVisible(img, sc.account()) || img.StateAt(sc.now) != "available" {
		return nil, fmt.Sprintf("the AMI '%s' does not exist in %s or is not available to account %s", id, sc.r.Name, sc.account())
	}
	return img, ""
}

// findImage resolves an image ARN: a build version ARN names one build; a
// version ARN, with or without wildcards, the newest build of the newest
// matching version (only AVAILABLE ones when available is set).
func findImage(sc *scope, arn string, available bool) *world.ImageBuildVersion {
	a, ok := parseARN(arn)
	if !ok || a.Kind != "image" || !a.HasVersion || a.Region != sc.r.Name {
		return nil
	}
	var best *world.ImageBuildVersion
	for _, img := range sc.ib.Images {
		if !visible(sc, img.Owner) || accountOf(img.Owner) != a.Account || arnName(img.Name) != a.Name {
			continue
		}
		if !a.Version.matches(mustVersion(img.Version)) || (a.Build > 0 && buildOf(img.ARN) != a.Build) {
			continue
		}
		if available && img.State != "AVAILABLE" {
			continue
		}
		if best == nil || compareImages(img, best) > 0 {
			best = img
		}
	}
	return best
}

// compareImages orders builds by name, version, then build.
func compareImages(a, b *world.ImageBuildVersion) int {
	return cmp.Or(strings.Compare(arnName(a.Name), arnName(b.Name)),
		compareVersions(mustVersion(a.Version), mustVersion(b.Version)),
		cmp.Compare(buildOf(a.ARN), buildOf(b.ARN)))
}

// platformOf is Image Builder's platform of an AMI.
func platformOf(img *world.Image) string {
	if img.Platform == "windows" {
		return "Windows"
	}
	return "Linux"
}
