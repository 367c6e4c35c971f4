package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// Page limits of DescribeInstanceTypeOfferings.
const (
	minOfferingResults = 5
	maxOfferingResults = 1000
)

var (
	zoneFilterNames = []string{
		"group-long-name", "group-name", "message", "opt-in-status", "parent-zone-id", "parent-zone-name",
		"region-name", "state", "zone-id", "zone-name", "zone-type",
	}
	offeringFilterNames = []string{"instance-type", "location"}
)

type describeAvailabilityZonesResult struct {
	Zones availabilityZoneInfo `xml:"availabilityZoneInfo"`
}

type availabilityZoneInfo struct {
	Items []zoneItem `xml:"item"`
}

type zoneItem struct {
	ZoneName           string `xml:"zoneName"`
	ZoneState          string `xml:"zoneState"`
	RegionName         string `xml:"regionName"`
	ZoneID             string `xml:"zoneId"`
	ZoneType           string `xml:"zoneType"`
	OptInStatus        string `xml:"optInStatus"`
	GroupName          string `xml:"groupName"`
	GroupLongName      string `xml:"groupLongName"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
	MessageSet         string `xml:"messageSet"`
}

func (s *service) describeAvailabilityZones(ctx context.Context, req *protocol.Request) (any, error) {
	// The sandbox models no Local or Wavelength Zones, which are all that
	// AllAvailabilityZones would add.
	if _, err := boolParam(req, "AllAvailabilityZones"); err != nil {
		return nil, err
	}
	names, ids := protocol.List(req, "ZoneName"), protocol.List(req, "ZoneId")
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validZoneFilter); err != nil {
		return nil, err
	}
	out := describeAvailabilityZonesResult{Zones: availabilityZoneInfo{Items: []zoneItem{}}}
	err := s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		var unknownNames, unknownIDs []string
		for _, n := range names {
			if !slices.ContainsFunc(r.AvailabilityZones, func(z *world.AvailabilityZone) bool { return z.Name == n }) {
				unknownNames = append(unknownNames, n)
			}
		}
		for _, id := range ids {
			if !slices.ContainsFunc(r.AvailabilityZones, func(z *world.AvailabilityZone) bool { return z.ZoneID == id }) {
				unknownIDs = append(unknownIDs, id)
			}
		}
		if len(unknownNames) > 0 {
			return protocol.Errorf("InvalidParameterValue", "Invalid availability zone: [%s]", strings.Join(unknownNames, ", "))
		}
		if len(unknownIDs) > 0 {
			return protocol.Errorf("InvalidParameterValue", "Invalid availability zone id: [%s]", strings.Join(unknownIDs, ", "))
		}
		for _, z := range r.AvailabilityZones {
			it := zoneItem{
				ZoneName:           z.Name,
				ZoneState:          "available",
				RegionName:         r.Name,
				ZoneID:             z.ZoneID,
				ZoneType:           "availability-zone",
				OptInStatus:        "opt-in-not-required",
				GroupName:          r.Name + "-zg-1",
				GroupLongName:      zoneGroupLongName(r),
				NetworkBorderGroup: r.Name,
			}
			selected := len(names) == 0 && len(ids) == 0 || slices.Contains(names, z.Name) || slices.Contains(ids, z.ZoneID)
			if selected && matchAll(filters, func(name string) []string { return zoneValues(it, name) }) {
				out.Zones.Items = append(out.Zones.Items, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func validZoneFilter(name string) bool { return slices.Contains(zoneFilterNames, name) }

func zoneValues(z zoneItem, name string) []string {
	switch name {
	case "group-long-name":
		return one(z.GroupLongName)
	case "group-name":
		return one(z.GroupName)
	case "opt-in-status":
		return one(z.OptInStatus)
	case "region-name":
		return one(z.RegionName)
	case "state":
		return one(z.ZoneState)
	case "zone-id":
		return one(z.ZoneID)
	case "zone-name":
		return one(z.ZoneName)
	case "zone-type":
		return one(z.ZoneType)
	}
	return nil
}

// zoneGroupLongName is the long name AWS gives a region's zone group, the
// region's long name and the group's number: "US East (N. Virginia) 1". The
// long name comes from the region's SSM global-infrastructure parameter.
func zoneGroupLongName(r *world.Region) string {
	if p := r.Parameters[world.RegionsPath+"/"+r.Name+"/longName"]; p != nil {
		return p.Value + " 1"
	}
	return r.Name + " 1"
}

type describeInstanceTypeOfferingsResult struct {
	Offerings instanceTypeOfferingSet `xml:"instanceTypeOfferingSet"`
	NextToken string                  `xml:"nextToken,omitempty"`
}

type instanceTypeOfferingSet struct {
	Items []offeringItem `xml:"item"`
}

type offeringItem struct {
	InstanceType string `xml:"instanceType"`
	LocationType string `xml:"locationType"`
	Location     string `xml:"location"`
}

func (s *service) describeInstanceTypeOfferings(ctx context.Context, req *protocol.Request) (any, error) {
	locationType := req.Params.Get("LocationType")
	switch locationType {
	case "":
		locationType = "region"
	case "region", "availability-zone", "availability-zone-id":
	default:
		return nil, protocol.Errorf("InvalidParameterValue",
			"Value (%s) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id.", locationType)
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, func(n string) bool { return slices.Contains(offeringFilterNames, n) }); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minOfferingResults, maxOfferingResults)
	if err != nil {
		return nil, err
	}
	out := describeInstanceTypeOfferingsResult{Offerings: instanceTypeOfferingSet{Items: []offeringItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		var all []offeringItem
		seen := map[string]bool{}
		for _, z := range r.AvailabilityZones {
			for _, t := range z.InstanceTypes {
				o := offeringItem{InstanceType: t, LocationType: locationType}
				switch locationType {
				case "region":
					o.Location = r.Name
				case "availability-zone":
					o.Location = z.Name
				default:
					o.Location = z.ZoneID
				}
				if key := offeringKey(o); !seen[key] {
					seen[key] = true
					all = append(all, o)
				}
			}
		}
		var matched []offeringItem
		for _, o := range all {
			if matchAll(filters, func(name string) []string { return offeringValues(o, name) }) {
				matched = append(matched, o)
			}
		}
		slices.SortFunc(matched, func(a, b offeringItem) int { return strings.Compare(offeringKey(a), offeringKey(b)) })
		items, next := pageOf(matched, offeringKey, pr)
		out.Offerings.Items = append(out.Offerings.Items, items...)
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func offeringKey(o offeringItem) string { return o.Location + "/" + o.InstanceType }

func offeringValues(o offeringItem, name string) []string {
	switch name {
	case "instance-type":
		return one(o.InstanceType)
	case "location":
		return one(o.Location)
	}
	return nil
}
