package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type describeSecurityGroupsResult struct {
	SecurityGroups securityGroupInfo `xml:"securityGroupInfo"`
	NextToken      string            `xml:"nextToken,omitempty"`
}

type securityGroupInfo struct {
	Items []securityGroupItem `xml:"item"`
}

type securityGroupItem struct {
	OwnerID             string         `xml:"ownerId"`
	GroupID             string         `xml:"groupId"`
	GroupName           string         `xml:"groupName"`
	GroupDescription    string         `xml:"groupDescription"`
	VpcID               string         `xml:"vpcId"`
	IPPermissions       []ipPermission `xml:"ipPermissions>item"`
	IPPermissionsEgress []ipPermission `xml:"ipPermissionsEgress>item"`
	TagSet              []tagItem      `xml:"tagSet>item,omitempty"`
	SecurityGroupArn    string         `xml:"securityGroupArn"`
}

type ipPermission struct {
	IPProtocol string      `xml:"ipProtocol"`
	FromPort   *int32      `xml:"fromPort,omitempty"`
	ToPort     *int32      `xml:"toPort,omitempty"`
	Groups     []groupPair `xml:"groups>item"`
	IPRanges   []ipRange   `xml:"ipRanges>item"`
}

type groupPair struct {
	UserID  string `xml:"userId"`
	GroupID string `xml:"groupId"`
}

type ipRange struct {
	CidrIP string `xml:"cidrIp"`
}

func (s *service) describeSecurityGroups(ctx context.Context, req *protocol.Request) (any, error) {
	ids := protocol.List(req, "GroupId")
	names := protocol.List(req, "GroupName")
	for _, id := range ids {
		if !groupIDPattern().MatchString(id) {
			return nil, protocol.Errorf("InvalidGroupId.Malformed", `Invalid id: "%s" (expecting "sg-...")`, id)
		}
	}
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validName(securityGroupFilterNames)); err != nil {
		return nil, err
	}
	pr, err := parsePageRequest(req, minNetworkResults, maxNetworkResults)
	if err != nil {
		return nil, err
	}
	out := describeSecurityGroupsResult{SecurityGroups: securityGroupInfo{Items: []securityGroupItem{}}}
	err = s.store.View(func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if r.SecurityGroups[id] == nil {
				return protocol.Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
			}
		}
		// GroupName names groups of the default VPC only; other VPCs'
		// groups are found with the group-name filter.
		defaultVPC := defaultVPCOf(r)
		byName := map[string]bool{}
		for _, n := range names {
			found := false
			for _, g := range r.SecurityGroups {
				if defaultVPC != nil && g.VPCID == defaultVPC.VPCID && g.GroupName == n {
					byName[g.GroupID], found = true, true
				}
			}
			if !found {
				if defaultVPC == nil {
					return protocol.Errorf("VPCIdNotSpecified", "No default VPC for this user")
				}
				return protocol.Errorf("InvalidGroup.NotFound",
					"The security group '%s' does not exist in default VPC '%s'", n, defaultVPC.VPCID)
			}
		}
		var matched []*world.SecurityGroup
		for _, g := range r.SecurityGroups {
			selected := len(ids) == 0 && len(names) == 0 || slices.Contains(ids, g.GroupID) || byName[g.GroupID]
			if selected && matchAll(filters, func(name string) []string { return securityGroupValues(w.AccountID, r, g, name) }) {
				matched = append(matched, g)
			}
		}
		slices.SortFunc(matched, func(a, b *world.SecurityGroup) int { return strings.Compare(a.GroupID, b.GroupID) })
		items, next := pageOf(matched, func(g *world.SecurityGroup) string { return g.GroupID }, pr)
		for _, g := range items {
			out.SecurityGroups.Items = append(out.SecurityGroups.Items, securityGroupItem{
				OwnerID:             w.AccountID,
				GroupID:             g.GroupID,
				GroupName:           g.GroupName,
				GroupDescription:    g.Description,
				VpcID:               g.VPCID,
				IPPermissions:       permissions(w.AccountID, g.Ingress),
				IPPermissionsEgress: permissions(w.AccountID, g.Egress),
				TagSet:              tagSet(g.Tags),
				SecurityGroupArn:    resourceARN(req, w, "security-group", g.GroupID),
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

func defaultVPCOf(r *world.Region) *world.VPC {
	for _, v := range r.VPCs {
		if v.IsDefault {
			return v
		}
	}
	return nil
}

func permissions(account string, rules []world.SecurityGroupRule) []ipPermission {
	var out []ipPermission
	for _, rule := range rules {
		p := ipPermission{IPProtocol: rule.Protocol}
		if rule.Protocol != "-1" {
			from, to := rule.FromPort, rule.ToPort
			p.FromPort, p.ToPort = &from, &to
		}
		for _, id := range rule.GroupIDs {
			p.Groups = append(p.Groups, groupPair{UserID: account, GroupID: id})
		}
		for _, c := range rule.CIDRs {
			p.IPRanges = append(p.IPRanges, ipRange{CidrIP: c})
		}
		out = append(out, p)
	}
	return out
}
