package ec2

import (
	"context"
	"slices"

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
	names := protocol.List(req, "GroupName")
	return describe(s.store, req, &describeSpec[*world.SecurityGroup]{
		idParam:     "GroupId",
		malformed:   idShape(groupIDPattern, "InvalidGroupId.Malformed", "sg-"),
		filterNames: securityGroupFilterNames,
		tagFilters:  true,
		paging:      &paging{min: minNetworkResults, max: maxNetworkResults},
		exists:      func(sc describeScope, id string) bool { return sc.r.SecurityGroups[id] != nil },
		notFound:    firstMissing("InvalidGroup.NotFound", "The security group '%s' does not exist"),
		list: func(sc describeScope, ids []string) ([]*world.SecurityGroup, error) {
			byName, err := groupsByName(sc.r, names)
			if err != nil {
				return nil, err
			}
			var out []*world.SecurityGroup
			for _, g := range sc.r.SecurityGroups {
				if len(ids) == 0 && len(names) == 0 || slices.Contains(ids, g.GroupID) || byName[g.GroupID] {
					out = append(out, g)
				}
			}
			return out, nil
		},
		values: func(sc describeScope, g *world.SecurityGroup, name string) []string {
			return securityGroupValues(sc.w.AccountID, sc.r, g, name)
		},
		key: func(g *world.SecurityGroup) string { return g.GroupID },
		render: func(sc describeScope, page []*world.SecurityGroup, next string) any {
			return describeSecurityGroupsResult{SecurityGroups: securityGroupInfo{Items: itemsOf(page, func(g *world.SecurityGroup) securityGroupItem {
				return toSecurityGroupItem(sc, g)
			})}, NextToken: next}
		},
	})
}

func toSecurityGroupItem(sc describeScope, g *world.SecurityGroup) securityGroupItem {
	return securityGroupItem{
		OwnerID:             sc.w.AccountID,
		GroupID:             g.GroupID,
		GroupName:           g.GroupName,
		GroupDescription:    g.Description,
		VpcID:               g.VPCID,
		IPPermissions:       permissions(sc.w.AccountID, g.Ingress),
		IPPermissionsEgress: permissions(sc.w.AccountID, g.Egress),
		TagSet:              tagSet(g.Tags),
		SecurityGroupArn:    resourceARN(sc.req, sc.w, "security-group", g.GroupID),
	}
}

// groupsByName is the set of group IDs the GroupName values name. GroupName
// names groups of the default VPC only; other VPCs' groups are found with
// the group-name filter.
func groupsByName(r *world.Region, names []string) (map[string]bool, error) {
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
				return nil, protocol.Errorf("VPCIdNotSpecified", "No default VPC for this user")
			}
			return nil, protocol.Errorf("InvalidGroup.NotFound",
				"The security group '%s' does not exist in default VPC '%s'", n, defaultVPC.VPCID)
		}
	}
	return byName, nil
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
