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
	names, ids := protocol.List(req, "ZoneName"), protocol.List(req, "ZoneId")
	return describe(s.store, req, &describeSpec[zoneItem]{
		// The sandbox models no Local or Wavelength Zones, which are all
		// that AllAvailabilityZones would add.
		before: func(req *protocol.Request) error {
			_, err := boolParam(req, "AllAvailabilityZones")
			return err
		},
		filterNames: zoneFilterNames,
		list: func(sc describeScope, _ []string) ([]zoneItem, error) {
			if err := checkZones(sc.r, names, ids); err != nil {
				return nil, err
			}
			var out []zoneItem
			for _, z := range sc.r.AvailabilityZones {
				if len(names) == 0 && len(ids) == 0 || slices.Contains(names, z.Name) || slices.Contains(ids, z.ZoneID) {
					out = append(out, toZoneItem(sc.r, z))
				}
			}
			return out, nil
		},
		values: func(_ describeScope, z zoneItem, name string) []string { return zoneValues(z, name) },
		render: func(_ describeScope, page []zoneItem, _ string) any {
			return describeAvailabilityZonesResult{Zones: availabilityZoneInfo{Items: append([]zoneItem{}, page...)}}
		},
	})
}

// checkZones fails on a zone name or ID the region does not have.
func checkZones(r *world.Region, names, ids []string) error {
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
	return nil
}

func toZoneItem(r *world.Region, z *world.AvailabilityZone) zoneItem {
	return zoneItem{
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
}

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
	return describe(s.store, req, &describeSpec[offeringItem]{
		before: func(*protocol.Request) error {
			switch locationType {
			case "":
				locationType = "region"
			case "region", "availability-zone", "availability-zone-id":
			default:
				return protocol.Errorf("InvalidParameterValue",
					"Value (%s) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id.", locationType)
			}
			return nil
		},
		filterNames: offeringFilterNames,
		paging:      &paging{min: minOfferingResults, max: maxOfferingResults},
		list: func(sc describeScope, _ []string) ([]offeringItem, error) {
			return offerings(sc.r, locationType), nil
		},
		values: func(_ describeScope, o offeringItem, name string) []string { return offeringValues(o, name) },
		key:    offeringKey,
		render: func(_ describeScope, page []offeringItem, next string) any {
			return describeInstanceTypeOfferingsResult{
				Offerings: instanceTypeOfferingSet{Items: append([]offeringItem{}, page...)},
				NextToken: next,
			}
		},
	})
}

// offerings are the region's instance types at each location of the type,
// each once.
func offerings(r *world.Region, locationType string) []offeringItem {
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
	return all
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
