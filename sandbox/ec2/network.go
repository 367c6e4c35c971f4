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
	return describe(s.store, req, &describeSpec[*world.VPC]{
		idParam:     "VpcId",
		malformed:   idShape(vpcIDPattern, "InvalidVpcId.Malformed", "vpc-"),
		filterNames: vpcFilterNames,
		tagFilters:  true,
		paging:      &paging{min: minNetworkResults, max: maxNetworkResults},
		exists:      func(sc describeScope, id string) bool { return sc.r.VPCs[id] != nil },
		notFound:    firstMissing("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist"),
		list: func(sc describeScope, ids []string) ([]*world.VPC, error) {
			return selected(sc.r.VPCs, ids, vpcID), nil
		},
		values: func(sc describeScope, v *world.VPC, name string) []string { return vpcValues(sc.w.AccountID, v, name) },
		key:    vpcID,
		render: func(sc describeScope, page []*world.VPC, next string) any {
			return describeVpcsResult{Vpcs: vpcSet{Items: itemsOf(page, func(v *world.VPC) vpcItem {
				return toVPCItem(sc.w.AccountID, v)
			})}, NextToken: next}
		},
	})
}

func toVPCItem(account string, v *world.VPC) vpcItem {
	return vpcItem{
		VpcID:     v.VPCID,
		OwnerID:   account,
		State:     "available",
		CidrBlock: v.CIDRBlock,
		CidrAssociation: []cidrAssociation{{
			AssociationID: v.CIDRAssociationID, CidrBlock: v.CIDRBlock, State: stateBlock{"associated"},
		}},
		DhcpOptionsID:   v.DHCPOptionsID,
		InstanceTenancy: "default",
		IsDefault:       v.IsDefault,
		TagSet:          tagSet(v.Tags),
	}
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
	return describe(s.store, req, &describeSpec[*world.Subnet]{
		idParam:     "SubnetId",
		malformed:   idShape(subnetIDPattern, "InvalidSubnetID.Malformed", "subnet-"),
		filterNames: subnetFilterNames,
		tagFilters:  true,
		paging:      &paging{min: minNetworkResults, max: maxNetworkResults},
		exists:      func(sc describeScope, id string) bool { return sc.r.Subnets[id] != nil },
		notFound:    firstMissing("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist"),
		list: func(sc describeScope, ids []string) ([]*world.Subnet, error) {
			return selected(sc.r.Subnets, ids, subnetID), nil
		},
		values: func(sc describeScope, sn *world.Subnet, name string) []string {
			return subnetValues(sc.w.AccountID, resourceARN(sc.req, sc.w, "subnet", sn.SubnetID), sn, name)
		},
		key: subnetID,
		render: func(sc describeScope, page []*world.Subnet, next string) any {
			return describeSubnetsResult{Subnets: subnetSet{Items: itemsOf(page, func(sn *world.Subnet) subnetItem {
				return toSubnetItem(sc, sn)
			})}, NextToken: next}
		},
	})
}

func toSubnetItem(sc describeScope, sn *world.Subnet) subnetItem {
	return subnetItem{
		SubnetID:                sn.SubnetID,
		SubnetArn:               resourceARN(sc.req, sc.w, "subnet", sn.SubnetID),
		State:                   "available",
		OwnerID:                 sc.w.AccountID,
		VpcID:                   sn.VPCID,
		CidrBlock:               sn.CIDRBlock,
		AvailableIPAddressCount: sn.AvailableIPs,
		AvailabilityZone:        sn.AvailabilityZone,
		AvailabilityZoneID:      sn.AvailabilityZoneID,
		DefaultForAz:            sn.DefaultForAZ,
		MapPublicIPOnLaunch:     sn.MapPublicIPOnLaunch,
		TagSet:                  tagSet(sn.Tags),
	}
}

func vpcID(v *world.VPC) string        { return v.VPCID }
func subnetID(sn *world.Subnet) string { return sn.SubnetID }

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

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func boolValue(b bool) []string { return []string{strconv.FormatBool(b)} }
