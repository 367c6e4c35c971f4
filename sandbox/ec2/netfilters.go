package ec2

import (
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/world"
)

// Filter names of the network Describe calls, from the EC2 API reference
// (tag:<key> is accepted besides). Filters on attributes the sandbox does
// not model (IPv6, Outposts) are valid and match nothing.
var (
	vpcFilterNames = []string{
		"cidr", "cidr-block-association.association-id", "cidr-block-association.cidr-block",
		"cidr-block-association.state", "dhcp-options-id", "ipv6-cidr-block-association.association-id",
		"ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.ipv6-pool",
		"ipv6-cidr-block-association.state", "is-default", "owner-id", "state", "tag-key", "vpc-id",
	}
	subnetFilterNames = []string{
		"availability-zone", "availability-zone-id", "available-ip-address-count", "cidr", "cidr-block",
		"cidrBlock", "customer-owned-ipv4-pool", "default-for-az", "enable-dns64", "enable-lni-at-device-index",
		"ipv6-cidr-block-association.association-id", "ipv6-cidr-block-association.ipv6-cidr-block",
		"ipv6-cidr-block-association.state", "ipv6-native", "map-customer-owned-ip-on-launch",
		"map-public-ip-on-launch", "outpost-arn", "owner-id",
		"private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
		"private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
		"private-dns-name-options-on-launch.hostname-type", "state", "subnet-arn", "subnet-id", "tag-key", "vpc-id",
	}
	securityGroupFilterNames = []string{
		"description", "egress.ip-permission.cidr", "egress.ip-permission.from-port",
		"egress.ip-permission.group-id", "egress.ip-permission.group-name", "egress.ip-permission.ipv6-cidr",
		"egress.ip-permission.prefix-list-id", "egress.ip-permission.protocol", "egress.ip-permission.to-port",
		"egress.ip-permission.user-id", "group-id", "group-name", "ip-permission.cidr", "ip-permission.from-port",
		"ip-permission.group-id", "ip-permission.group-name", "ip-permission.ipv6-cidr",
		"ip-permission.prefix-list-id", "ip-permission.protocol", "ip-permission.to-port",
		"ip-permission.user-id", "owner-id", "tag-key", "vpc-id",
	}
)

func vpcValues(account string, v *world.VPC, name string) []string {
	if vals, ok := tagValues(v.Tags, name); ok {
		return vals
	}
	switch name {
	case "cidr", "cidr-block-association.cidr-block":
		return one(v.CIDRBlock)
	case "cidr-block-association.association-id":
		return one(v.CIDRAssociationID)
	case "cidr-block-association.state":
		return one("associated")
	case "dhcp-options-id":
		return one(v.DHCPOptionsID)
	case "is-default":
		return boolValue(v.IsDefault)
	case "owner-id":
		return one(account)
	case "state":
		return one("available")
	case "vpc-id":
		return one(v.VPCID)
	}
	return nil
}

func subnetValues(account, arn string, s *world.Subnet, name string) []string {
	if vals, ok := tagValues(s.Tags, name); ok {
		return vals
	}
	switch name {
	case "availability-zone":
		return one(s.AvailabilityZone)
	case "availability-zone-id":
		return one(s.AvailabilityZoneID)
	case "available-ip-address-count":
		return one(strconv.Itoa(int(s.AvailableIPs)))
	case "cidr", "cidr-block", "cidrBlock":
		return one(s.CIDRBlock)
	case "default-for-az":
		return boolValue(s.DefaultForAZ)
	case "map-public-ip-on-launch":
		return boolValue(s.MapPublicIPOnLaunch)
	case "owner-id":
		return one(account)
	case "state":
		return one("available")
	case "subnet-arn":
		return one(arn)
	case "subnet-id":
		return one(s.SubnetID)
	case "vpc-id":
		return one(s.VPCID)
	}
	return nil
}

func securityGroupValues(account string, r *world.Region, g *world.SecurityGroup, name string) []string {
	if vals, ok := tagValues(g.Tags, name); ok {
		return vals
	}
	switch name {
	case "description":
		return one(g.Description)
	case "group-id":
		return one(g.GroupID)
	case "group-name":
		return one(g.GroupName)
	case "owner-id":
		return one(account)
	case "vpc-id":
		return one(g.VPCID)
	}
	rules, field := g.Ingress, name
	if rest, ok := strings.CutPrefix(name, "egress."); ok {
		rules, field = g.Egress, rest
	}
	var out []string
	for _, rule := range rules {
		switch field {
		case "ip-permission.cidr":
			out = append(out, rule.CIDRs...)
		case "ip-permission.group-id":
			out = append(out, rule.GroupIDs...)
		case "ip-permission.group-name":
			for _, id := range rule.GroupIDs {
				if other := r.SecurityGroups[id]; other != nil {
					out = append(out, other.GroupName)
				}
			}
		case "ip-permission.protocol":
			out = append(out, rule.Protocol)
		case "ip-permission.from-port":
			if rule.Protocol != "-1" {
				out = append(out, strconv.Itoa(int(rule.FromPort)))
			}
		case "ip-permission.to-port":
			if rule.Protocol != "-1" {
				out = append(out, strconv.Itoa(int(rule.ToPort)))
			}
		case "ip-permission.user-id":
			if len(rule.GroupIDs) > 0 {
				out = append(out, account)
			}
		}
	}
	return out
}
