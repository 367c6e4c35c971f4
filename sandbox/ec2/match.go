package ec2

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// globMatch reports whether s matches an EC2 filter value: '*' matches any
// run of characters, '?' exactly one, and a backslash makes the next
// character literal (\*, \?, \\). Matching is case-sensitive, as EC2's is.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Positions to resume from when a later mismatch needs the last '*' to
	// swallow one more character.
	starP, starT := -1, 0
	i, j := 0, 0
	for j < len(t) {
		if i < len(p) {
			switch c := p[i]; {
			case c == '*':
				starP, starT = i, j
				i++
				continue
			case c == '?':
				i++
				j++
				continue
			case c == '\\' && i+1 < len(p):
				if p[i+1] == t[j] {
					i += 2
					j++
					continue
				}
			case c == t[j]:
				i++
				j++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starT++
		i, j = starP+1, starT
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// imageFilterNames are the DescribeImages filters without a key suffix.
var imageFilterNames = []string{
	"architecture",
	"block-device-mapping.delete-on-termination",
	"block-device-mapping.device-name",
	"block-device-mapping.encrypted",
	"block-device-mapping.snapshot-id",
	"block-device-mapping.volume-size",
	"block-device-mapping.volume-type",
	"creation-date",
	"description",
	"ena-support",
	"hypervisor",
	"image-allowed",
	"image-id",
	"image-type",
	"is-public",
	"kernel-id",
	"manifest-location",
	"name",
	"owner-alias",
	"owner-id",
	"platform",
	"product-code",
	"product-code.type",
	"ramdisk-id",
	"root-device-name",
	"root-device-type",
	"source-image-id",
	"source-image-region",
	"source-instance-id",
	"sriov-net-support",
	"state",
	"state-reason-code",
	"state-reason-message",
	"tag-key",
	"virtualization-type",
}

// checkFilters fails on the first filter EC2 would not know.
func checkFilters(filters []protocol.Filter, valid func(string) bool) error {
	for _, f := range filters {
		if !valid(f.Name) {
			return protocol.Errorf("InvalidParameterValue", "The filter '%s' is invalid", f.Name)
		}
	}
	return nil
}

// matchAll reports whether every filter holds: the values of one filter are
// alternatives, the filters must all match.
func matchAll(filters []protocol.Filter, values func(name string) []string) bool {
	for _, f := range filters {
		have := values(f.Name)
		if !slices.ContainsFunc(f.Values, func(pattern string) bool {
			return slices.ContainsFunc(have, func(v string) bool { return globMatch(pattern, v) })
		}) {
			return false
		}
	}
	return true
}

// imageValues are an image's values for a filter name. Tags are the owner's
// to see: EC2 shows no tags on other accounts' images.
func imageValues(img *world.Image, name string, owned bool) []string {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, has := img.Tags[key]; has && owned {
			return []string{v}
		}
		return nil
	}
	perDevice := func(f func(world.BlockDevice) string) []string {
		var out []string
		for _, bd := range img.BlockDevices {
			out = append(out, f(bd))
		}
		return out
	}
	switch name {
	case "architecture":
		return one(img.Architecture)
	case "block-device-mapping.delete-on-termination":
		return perDevice(func(bd world.BlockDevice) string { return strconv.FormatBool(bd.DeleteOnTermination) })
	case "block-device-mapping.device-name":
		return perDevice(func(bd world.BlockDevice) string { return bd.DeviceName })
	case "block-device-mapping.encrypted":
		return perDevice(func(bd world.BlockDevice) string { return strconv.FormatBool(bd.Encrypted) })
	case "block-device-mapping.snapshot-id":
		return perDevice(func(bd world.BlockDevice) string { return bd.SnapshotID })
	case "block-device-mapping.volume-size":
		return perDevice(func(bd world.BlockDevice) string { return strconv.Itoa(int(bd.VolumeSize)) })
	case "block-device-mapping.volume-type":
		return perDevice(func(bd world.BlockDevice) string { return bd.VolumeType })
	case "creation-date":
		return one(timestamp(img.CreationDate))
	case "description":
		return one(img.Description)
	case "ena-support":
		return one(strconv.FormatBool(img.EnaSupport))
	case "hypervisor":
		return one(img.Hypervisor)
	case "image-allowed":
		return one("true")
	case "image-id":
		return one(img.ImageID)
	case "image-type":
		return one(img.ImageType)
	case "is-public":
		return one(strconv.FormatBool(img.Public))
	case "manifest-location":
		return one(imageLocation(img))
	case "name":
		return one(img.Name)
	case "owner-alias":
		return one(img.OwnerAlias)
	case "owner-id":
		return one(img.OwnerID)
	case "platform":
		return one(img.Platform)
	case "root-device-name":
		return one(img.RootDeviceName)
	case "root-device-type":
		return one(img.RootDeviceType)
	case "state":
		return one(img.State)
	case "tag-key":
		if !owned {
			return nil
		}
		return slices.Sorted(maps.Keys(img.Tags))
	case "virtualization-type":
		return one(img.VirtualizationType)
	}
	// Valid filters on attributes the sandbox's images never have.
	return nil
}

// imageLocation is "<owner alias or ID>/<name>", as EC2 reports it.
func imageLocation(img *world.Image) string {
	owner := img.OwnerAlias
	if owner == "" {
		owner = img.OwnerID
	}
	return owner + "/" + img.Name
}

// timestamp is EC2's ISO 8601 form with milliseconds: 2026-11-11T05:12:44.000Z.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// regionFilterNames are the DescribeRegions filters.
var regionFilterNames = []string{"endpoint", "opt-in-status", "region-name"}

func regionValues(r region, name string) []string {
	switch name {
	case "endpoint":
		return []string{r.Endpoint}
	case "opt-in-status":
		return []string{r.OptInStatus}
	case "region-name":
		return []string{r.Name}
	}
	return nil
}

// region is a region as DescribeRegions reports it.
type region struct {
	Name        string `xml:"regionName"`
	Endpoint    string `xml:"regionEndpoint"`
	OptInStatus string `xml:"optInStatus"`
}
