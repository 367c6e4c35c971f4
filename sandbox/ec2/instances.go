package ec2

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// DescribeInstances' page limits.
const (
	minInstanceResults = 5
	maxInstanceResults = 1000
)

var instanceIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`) })

// instanceStateCodes are EC2's codes of the instance states.
var instanceStateCodes = map[string]int{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

type describeInstancesResult struct {
	Reservations reservationSet `xml:"reservationSet"`
	NextToken    string         `xml:"nextToken,omitempty"`
}

// reservationSet is a struct so that an empty result is <reservationSet/>.
type reservationSet struct {
	Items []reservationItem `xml:"item"`
}

type reservationItem struct {
	ReservationID string         `xml:"reservationId"`
	OwnerID       string         `xml:"ownerId"`
	GroupSet      struct{}       `xml:"groupSet"`
	Instances     []instanceItem `xml:"instancesSet>item"`
}

type instanceItem struct {
	InstanceID       string        `xml:"instanceId"`
	ImageID          string        `xml:"imageId"`
	InstanceState    instanceState `xml:"instanceState"`
	PrivateDNSName   string        `xml:"privateDnsName"`
	DNSName          string        `xml:"dnsName"`
	AMILaunchIndex   int           `xml:"amiLaunchIndex"`
	InstanceType     string        `xml:"instanceType"`
	LaunchTime       string        `xml:"launchTime"`
	Placement        placement     `xml:"placement"`
	Platform         string        `xml:"platform,omitempty"`
	PlatformDetails  string        `xml:"platformDetails"`
	Monitoring       monitoring    `xml:"monitoring"`
	SubnetID         string        `xml:"subnetId,omitempty"`
	VPCID            string        `xml:"vpcId,omitempty"`
	PrivateIPAddress string        `xml:"privateIpAddress"`
	Architecture     string        `xml:"architecture"`
	RootDeviceType   string        `xml:"rootDeviceType"`
	RootDeviceName   string        `xml:"rootDeviceName"`
	VirtualizationTy string        `xml:"virtualizationType"`
	Hypervisor       string        `xml:"hypervisor"`
	TagSet           []tagItem     `xml:"tagSet>item,omitempty"`
}

type instanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type placement struct {
	AvailabilityZone string `xml:"availabilityZone"`
	Tenancy          string `xml:"tenancy"`
}

type monitoring struct {
	State string `xml:"state"`
}

// instanceFilterNames are the DescribeInstances filters the sandbox
// answers; tag:<key> comes on top.
var instanceFilterNames = []string{
	"architecture",
	"availability-zone",
	"image-id",
	"instance-id",
	"instance-state-code",
	"instance-state-name",
	"instance-type",
	"owner-id",
	"platform",
	"platform-details",
	"private-dns-name",
	"private-ip-address",
	"reservation-id",
	"subnet-id",
	"tag-key",
	"tag-value",
	"vpc-id",
}

func validInstanceFilter(name string) bool {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		return key != ""
	}
	return slices.Contains(instanceFilterNames, name)
}

func (s *service) describeInstances(ctx context.Context, req *protocol.Request) (any, error) {
	ids := protocol.List(req, "InstanceId")
	filters := protocol.Filters(req)
	if req.Params.Get("MaxResults") != "" && len(ids) > 0 {
		return nil, protocol.Errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	p, err := parsePageRequest(req, minInstanceResults, maxInstanceResults)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !instanceIDPattern().MatchString(id) {
			return nil, protocol.Errorf("InvalidInstanceID.Malformed", `Invalid id: "%s"`, id)
		}
	}
	if err := checkFilters(filters, validInstanceFilter); err != nil {
		return nil, err
	}
	var out protocol.RawXML
	err = s.store.View(func(w *world.World) error {
		if _, err := regionOf(w, req); err != nil {
			return err
		}
		candidates, err := instancesByID(w, req.Region, ids)
		if err != nil {
			return err
		}
		var matched []*world.Instance
		for _, inst := range candidates {
			if matchAll(filters, func(name string) []string { return instanceValues(inst, name, w.AccountID) }) {
				matched = append(matched, inst)
			}
		}
		page, next := pageOf(matched, func(i *world.Instance) string { return i.InstanceID }, p)
		out = instancesXML(w.AccountID, page, next)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// instancesByID returns the asked-for instances in ID order, or every
// instance of the region when none is asked for. An ID the region does not
// have fails the call, as EC2 fails it.
func instancesByID(w *world.World, region string, ids []string) ([]*world.Instance, error) {
	if len(ids) == 0 {
		return w.SortedInstances(region), nil
	}
	var out []*world.Instance
	var missing []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if inst := w.Instance(region, id); inst != nil {
			out = append(out, inst)
		} else {
			missing = append(missing, id)
		}
	}
	switch {
	case len(missing) == 1:
		return nil, protocol.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	case len(missing) > 1:
		return nil, protocol.Errorf("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
	slices.SortFunc(out, func(a, b *world.Instance) int { return strings.Compare(a.InstanceID, b.InstanceID) })
	return out, nil
}

// instanceValues are an instance's values of a filter.
func instanceValues(inst *world.Instance, name, account string) []string {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, has := inst.Tags[key]; has {
			return []string{v}
		}
		return nil
	}
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch name {
	case "architecture":
		return one(inst.Architecture)
	case "availability-zone":
		return one(inst.AvailabilityZone)
	case "image-id":
		return one(inst.ImageID)
	case "instance-id":
		return one(inst.InstanceID)
	case "instance-state-code":
		return []string{strconv.Itoa(instanceStateCodes[inst.State])}
	case "instance-state-name":
		return one(inst.State)
	case "instance-type":
		return one(inst.InstanceType)
	case "owner-id":
		return one(account)
	case "platform":
		return one(inst.Platform)
	case "platform-details":
		return one(platformDetails(inst))
	case "private-dns-name":
		return one(inst.PrivateDNSName)
	case "private-ip-address":
		return one(inst.PrivateIP)
	case "reservation-id":
		return one(inst.ReservationID)
	case "subnet-id":
		return one(inst.SubnetID)
	case "vpc-id":
		return one(inst.VPCID)
	case "tag-key":
		return slices.Collect(maps.Keys(inst.Tags))
	case "tag-value":
		return slices.Collect(maps.Values(inst.Tags))
	}
	return nil
}

func platformDetails(inst *world.Instance) string {
	if inst.Platform == "windows" {
		return "Windows"
	}
	return "Linux/UNIX"
}

func toInstanceItem(inst *world.Instance) instanceItem {
	it := instanceItem{
		InstanceID:       inst.InstanceID,
		ImageID:          inst.ImageID,
		InstanceState:    instanceState{Code: instanceStateCodes[inst.State], Name: inst.State},
		PrivateDNSName:   inst.PrivateDNSName,
		InstanceType:     inst.InstanceType,
		LaunchTime:       timestamp(inst.LaunchTime),
		Placement:        placement{AvailabilityZone: inst.AvailabilityZone, Tenancy: "default"},
		Platform:         inst.Platform,
		PlatformDetails:  platformDetails(inst),
		Monitoring:       monitoring{State: "disabled"},
		SubnetID:         inst.SubnetID,
		VPCID:            inst.VPCID,
		PrivateIPAddress: inst.PrivateIP,
		Architecture:     inst.Architecture,
		RootDeviceType:   "ebs",
		RootDeviceName:   "/dev/xvda",
		VirtualizationTy: "hvm",
		Hypervisor:       "xen",
	}
	if inst.Platform == "windows" {
		it.RootDeviceName = "/dev/sda1"
	}
	it.TagSet = sortedTags(inst.Tags)
	return it
}
