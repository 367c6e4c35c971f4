package ec2_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestDescribeAvailabilityZones(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "us-west-2")
	out, err := c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{}, inRegion("us-west-2"))
	if err != nil {
		t.Fatal(err)
	}
	var names, ids []string
	for i, z := range out.AvailabilityZones {
		names = append(names, aws.ToString(z.ZoneName))
		ids = append(ids, aws.ToString(z.ZoneId))
		if aws.ToString(z.ZoneId) != n.zones[i].ZoneID || !regexp.MustCompile(`^usw2-az[1-6]$`).MatchString(aws.ToString(z.ZoneId)) ||
			z.State != types.AvailabilityZoneStateAvailable || aws.ToString(z.RegionName) != "us-west-2" ||
			aws.ToString(z.ZoneType) != "availability-zone" || z.OptInStatus != types.AvailabilityZoneOptInStatusOptInNotRequired ||
			aws.ToString(z.GroupName) != "us-west-2-zg-1" || aws.ToString(z.GroupLongName) != "US West (Oregon) 1" {
			t.Errorf("zone %+v", z)
		}
	}
	if want := []string{"us-west-2a", "us-west-2b", "us-west-2c"}; !slices.Equal(names, want) {
		t.Errorf("zones %v, want %v", names, want)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 3 {
		t.Errorf("zone IDs %v repeat", ids)
	}
	one, err := c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{ids[1]}}, inRegion("us-west-2"))
	if err != nil || len(one.AvailabilityZones) != 1 || aws.ToString(one.AvailabilityZones[0].ZoneName) != "us-west-2b" {
		t.Errorf("by zone ID: %+v, %v", one, err)
	}
	filtered, err := c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{
		Filters: []types.Filter{filter("zone-name", "*c")},
	}, inRegion("us-west-2"))
	if err != nil || len(filtered.AvailabilityZones) != 1 {
		t.Errorf("zone-name filter: %+v, %v", filtered, err)
	}
	_, err = c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-west-2d"}}, inRegion("us-west-2"))
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Invalid availability zone: [us-west-2d]")
	_, err = c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{filter("name", "x")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'name' is invalid")
	_, err = c.DescribeAvailabilityZones(t.Context(), &ec2.DescribeAvailabilityZonesInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}

func offerings(t *testing.T, c *ec2.Client, in *ec2.DescribeInstanceTypeOfferingsInput) map[string][]string {
	t.Helper()
	byLocation := map[string][]string{}
	pager := ec2.NewDescribeInstanceTypeOfferingsPaginator(c, in)
	for pager.HasMorePages() {
		out, err := pager.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.InstanceTypeOfferings {
			if in.LocationType != "" && o.LocationType != in.LocationType {
				t.Errorf("offering %+v has location type %s", o, o.LocationType)
			}
			byLocation[aws.ToString(o.Location)] = append(byLocation[aws.ToString(o.Location)], string(o.InstanceType))
		}
	}
	return byLocation
}

func TestDescribeInstanceTypeOfferingsByZone(t *testing.T) {
	_, c := start(t)
	got := offerings(t, c, &ec2.DescribeInstanceTypeOfferingsInput{LocationType: types.LocationTypeAvailabilityZone, MaxResults: aws.Int32(5)})
	if len(got) != 3 {
		t.Fatalf("locations %v", got)
	}
	for _, zone := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		types := got[zone]
		for _, want := range []string{"m5.large", "m6i.xlarge", "c6i.2xlarge", "t3.medium", "m7i.4xlarge"} {
			if !slices.Contains(types, want) {
				t.Errorf("%s lacks %s", zone, want)
			}
		}
		if has := slices.Contains(types, "m7i.xlarge"); has != (zone != "us-east-1c") {
			t.Errorf("%s offers m7i.xlarge: %v", zone, has)
		}
		if len(types) != 20-boolInt(zone == "us-east-1c") {
			t.Errorf("%s offers %d types", zone, len(types))
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDescribeInstanceTypeOfferingsFilters(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "us-east-1")
	got := offerings(t, c, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: types.LocationTypeAvailabilityZone,
		Filters:      []types.Filter{filter("instance-type", "m7i.xlarge")},
	})
	if len(got) != 2 || got["us-east-1c"] != nil {
		t.Errorf("m7i.xlarge offered in %v", got)
	}
	got = offerings(t, c, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: types.LocationTypeAvailabilityZoneId,
		Filters:      []types.Filter{filter("location", n.zones[2].ZoneID), filter("instance-type", "m7i.*")},
	})
	if want := []string{"m7i.2xlarge", "m7i.4xlarge", "m7i.large"}; !slices.Equal(got[n.zones[2].ZoneID], want) || len(got) != 1 {
		t.Errorf("m7i in %s: %v, want %v", n.zones[2].ZoneID, got, want)
	}
	// The default location type is the region, where every type is offered.
	region := offerings(t, c, &ec2.DescribeInstanceTypeOfferingsInput{Filters: []types.Filter{filter("instance-type", "m7i.xlarge")}})
	if !slices.Equal(region["us-east-1"], []string{"m7i.xlarge"}) || len(region) != 1 {
		t.Errorf("region offerings %v", region)
	}
	_, err := c.DescribeInstanceTypeOfferings(t.Context(), &ec2.DescribeInstanceTypeOfferingsInput{LocationType: "zone"})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue",
		"Value (zone) for parameter locationType is invalid. Valid values: region, availability-zone, availability-zone-id.")
	_, err = c.DescribeInstanceTypeOfferings(t.Context(), &ec2.DescribeInstanceTypeOfferingsInput{Filters: []types.Filter{filter("family", "m7i")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'family' is invalid")
	_, err = c.DescribeInstanceTypeOfferings(t.Context(), &ec2.DescribeInstanceTypeOfferingsInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}
