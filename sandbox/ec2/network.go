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

// Page limits of DescribeVpcs, DescribeSubnets and DescribeSecurityGroups.
const (
	minNetworkResults = 5
	maxNetworkResults = 1000
)

var (
	vpcIDPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`) })
	subnetIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`) })
	groupIDPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`) })
)

type describeVpcsResult struct {
	Vpcs      vpcSet `xml:"vpcSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

// vpcSet is a struct so that an empty result is still <vpcSet/>.
type vpcSet struct {
	Items []vpcItem `xml:"item"`
}

type vpcItem struct {
	VpcID           string            `xml:"vpcId"`
	OwnerID         string            `xml:"ownerId"`
	State           string            `xml:"state"`
	CidrBlock       string            `xml:"cidrBlock"`
	CidrAssociation []cidrAssociation `xml:"cidrBlockAssociationSet>item"`
	DhcpOptionsID   string            `xml:"dhcpOptionsId,omitempty"`
	InstanceTenancy string            `xml:"instanceTenancy"`
	IsDefault       bool              `xml:"isDefault"`
	TagSet          []tagItem         `xml:"tagSet>item,omitempty"`
}

type cidrAssociation struct {
	AssociationID string     `xml:"associationId"`
	CidrBlock     string     `xml:"cidrBlock"`
	State         stateBlock `xml:"cidrBlockState"`
}

type stateBlock struct {
	State string `xml:"state"`
}

func (s *service) describeVpcs(ctx context.Context, req *protocol.Request) (any, error) {
	ids := protocol.List(req, "VpcId")
	for _, id := range ids {
		if !vpcIDPattern().MatchString(id) {
			return nil, protocol.Errorf("InvalidVpcId.Malformed", `Invalid id: "%s" (expecting "vpc-...")`, id)
		}
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validName(vpcFilterNames)); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minNetworkResults, maxNetworkResults)
	if err != nil {
		return nil, err
	}
	out := describeVpcsResult{Vpcs: vpcSet{Items: []vpcItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if r.VPCs[id] == nil {
				return protocol.Errorf("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
			}
		}
		var matched []*world.VPC
		for _, v := range r.VPCs {
			if (len(ids) == 0 || slices.Contains(ids, v.VPCID)) &&
				matchAll(filters, func(name string) []string { return vpcValues(w.AccountID, v, name) }) {
				matched = append(matched, v)
			}
		}
		slices.SortFunc(matched, func(a, b *world.VPC) int { return strings.Compare(a.VPCID, b.VPCID) })
		items, next := pageOf(matched, func(v *world.VPC) string { return v.VPCID }, pr)
		for _, v := range items {
			out.Vpcs.Items = append(out.Vpcs.Items, vpcItem{
				VpcID:     v.VPCID,
				OwnerID:   w.AccountID,
				State:     "available",
				CidrBlock: v.CIDRBlock,
				CidrAssociation: []cidrAssociation{{
					AssociationID: v.CIDRAssociationID, CidrBlock: v.CIDRBlock, State: stateBlock{"associated"},
				}},
				DhcpOptionsID:   v.DHCPOptionsID,
				InstanceTenancy: "default",
				IsDefault:       v.IsDefault,
				TagSet:          tagSet(v.Tags),
			})
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type describeSubnetsResult struct {
	Subnets   subnetSet `xml:"subnetSet"`
	NextToken string    `xml:"nextToken,omitempty"`
}

type subnetSet struct {
	Items []subnetItem `xml:"item"`
}

type subnetItem struct {
	SubnetID                string    `xml:"subnetId"`
	SubnetArn               string    `xml:"subnetArn"`
	State                   string    `xml:"state"`
	OwnerID                 string    `xml:"ownerId"`
	VpcID                   string    `xml:"vpcId"`
	CidrBlock               string    `xml:"cidrBlock"`
	AvailableIPAddressCount int32     `xml:"availableIpAddressCount"`
	AvailabilityZone        string    `xml:"availabilityZone"`
	AvailabilityZoneID      string    `xml:"availabilityZoneId"`
	DefaultForAz            bool      `xml:"defaultForAz"`
	MapPublicIPOnLaunch     bool      `xml:"mapPublicIpOnLaunch"`
	TagSet                  []tagItem `xml:"tagSet>item,omitempty"`
}

func (s *service) describeSubnets(ctx context.Context, req *protocol.Request) (any, error) {
	ids := protocol.List(req, "SubnetId")
	for _, id := range ids {
		if !subnetIDPattern().MatchString(id) {
			return nil, protocol.Errorf("InvalidSubnetID.Malformed", `Invalid id: "%s" (expecting "subnet-...")`, id)
		}
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validName(subnetFilterNames)); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minNetworkResults, maxNetworkResults)
	if err != nil {
		return nil, err
	}
	out := describeSubnetsResult{Subnets: subnetSet{Items: []subnetItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if r.Subnets[id] == nil {
				return protocol.Errorf("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
			}
		}
		var matched []*world.Subnet
		for _, sn := range r.Subnets {
			arn := resourceARN(req, w, "subnet", sn.SubnetID)
			if (len(ids) == 0 || slices.Contains(ids, sn.SubnetID)) &&
				matchAll(filters, func(name string) []string { return subnetValues(w.AccountID, arn, sn, name) }) {
				matched = append(matched, sn)
			}
		}
		slices.SortFunc(matched, func(a, b *world.Subnet) int { return strings.Compare(a.SubnetID, b.SubnetID) })
		items, next := pageOf(matched, func(sn *world.Subnet) string { return sn.SubnetID }, pr)
		for _, sn := range items {
			out.Subnets.Items = append(out.Subnets.Items, subnetItem{
				SubnetID:                sn.SubnetID,
				SubnetArn:               resourceARN(req, w, "subnet", sn.SubnetID),
				State:                   "available",
				OwnerID:                 w.AccountID,
				VpcID:                   sn.VPCID,
				CidrBlock:               sn.CIDRBlock,
				AvailableIPAddressCount: sn.AvailableIPs,
				AvailabilityZone:        sn.AvailabilityZone,
				AvailabilityZoneID:      sn.AvailabilityZoneID,
				DefaultForAz:            sn.DefaultForAZ,
				MapPublicIPOnLaunch:     sn.MapPublicIPOnLaunch,
				TagSet:                  tagSet(sn.Tags),
			})
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resourceARN is an EC2 resource's ARN in the request's region.
func resourceARN(req *protocol.Request, w *world.World, kind, id string) string {
	return "arn:" + world.Partition(req.Region) + ":ec2:" + req.Region + ":" + w.AccountID + ":" + kind + "/" + id
}

// tagSet lists tags sorted by key, as EC2 returns them.
func tagSet(tags map[string]string) []tagItem {
	var out []tagItem
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, tagItem{Key: k, Value: tags[k]})
	}
	return out
}

// tagValues answers the tag:<key> and tag-key filters; ok is false for any
// other filter name.
func tagValues(tags map[string]string, name string) (values []string, ok bool) {
	if key, isTag := strings.CutPrefix(name, "tag:"); isTag {
		if v, has := tags[key]; has {
			return []string{v}, true
		}
		return nil, true
	}
	if name == "tag-key" {
		return slices.Sorted(maps.Keys(tags)), true
	}
	return nil, false
}

// validName accepts the given filter names and tag:<key>.
func validName(names []string) func(string) bool {
	return func(name string) bool {
		if key, ok := strings.CutPrefix(name, "tag:"); ok {
			return key != ""
		}
		return slices.Contains(names, name)
	}
}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func boolValue(b bool) []string { return []string{strconv.FormatBool(b)} }
