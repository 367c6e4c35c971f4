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

func (s *service) describeInstances(ctx context.Context, req *protocol.Request) (any, error) {
	// Instances being replaced are first brought up to the clock.
	if err := world.CatchUpReplacements(s.store, s.now()); err != nil {
		return nil, err
	}
	return describe(s.store, req, &describeSpec[*world.Instance]{
		idParam:     "InstanceId",
		malformed:   idShape(instanceIDPattern, "InvalidInstanceID.Malformed", ""),
		filterNames: instanceFilterNames,
		tagFilters:  true,
		paging:      &paging{min: minInstanceResults, max: maxInstanceResults, exclusiveWith: "instancesSet"},
		// Another account's instance does not exist for the caller, as
		// in EC2.
		exists: func(sc describeScope, id string) bool {
			return sc.w.InstanceAs(sc.w.CallerAccount(sc.req.AccessKey), sc.req.Region, id) != nil
		},
		notFound: func(missing []string) error {
			missing = uniq(missing)
			if len(missing) == 1 {
				return protocol.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
			}
			return protocol.Errorf("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
		},
		list: func(sc describeScope, ids []string) ([]*world.Instance, error) {
			return instancesByID(sc.w, sc.w.CallerAccount(sc.req.AccessKey), sc.req.Region, ids), nil
		},
		values: func(sc describeScope, inst *world.Instance, name string) []string {
			return instanceValues(inst, name, sc.w.InstanceOwner(inst))
		},
		key: func(inst *world.Instance) string { return inst.InstanceID },
		render: func(sc describeScope, page []*world.Instance, next string) any {
			buf := s.replies.Get()
			// Every instance listed is the caller's.
			*buf = appendInstancesXML(*buf, sc.w.CallerAccount(sc.req.AccessKey), page, next)
			return protocol.PooledXML{Buf: buf, Pool: &s.replies}
		},
	})
}

// instancesByID returns the asked-for instances, or every instance of the
// region that account owns when none is asked for.
func instancesByID(w *world.World, account, region string, ids []string) []*world.Instance {
	if len(ids) == 0 {
		return w.SortedInstancesAs(account, region)
	}
	var out []*world.Instance
	for _, id := range uniq(ids) {
		out = append(out, w.InstanceAs(account, region, id))
	}
	return out
}

// uniq is ids without repeats, in first-seen order.
func uniq(ids []string) []string {
	var out []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// instanceValues are an instance's values of a filter.
func instanceValues(inst *world.Instance, name, account string) []string {
	if key, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, has := inst.Tags[key]; has {
			return []string{v}
		}
		return nil
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
	it := instanceFields(inst)
	it.TagSet = sortedTags(inst.Tags)
	return it
}

// instanceFields is toInstanceItem without the tags, which instancesXML
// sorts into a slice of its own.
func instanceFields(inst *world.Instance) instanceItem {
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
	return it
}
