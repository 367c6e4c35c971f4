package ec2_test

import (
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/winami/winami/sandbox/sandboxtest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/world"
)

// seededNetwork is what a test needs to know of a region's seeded network;
// its IDs change with the seed, so tests read them from the world.
type seededNetwork struct {
	vpc     string
	subnets map[string]string // zone name -> subnet ID
	group   string            // the default security group
	zones   []world.AvailabilityZone
}

func networkOf(t *testing.T, srv *sandbox.Server, region string) seededNetwork {
	t.Helper()
	n := seededNetwork{subnets: map[string]string{}}
	err := srv.Store().View(func(w *world.World) error {
		r := w.Region(region)
		for id, v := range r.VPCs {
			if v.IsDefault {
				n.vpc = id
			}
		}
		for id, s := range r.Subnets {
			n.subnets[s.AvailabilityZone] = id
		}
		for id, g := range r.SecurityGroups {
			if g.GroupName == "default" {
				n.group = id
			}
		}
		for _, z := range r.AvailabilityZones {
			n.zones = append(n.zones, *z)
		}
		return nil
	})
	if err != nil || n.vpc == "" || len(n.subnets) != 3 || n.group == "" {
		t.Fatalf("seeded network of %s: %+v, %v", region, n, err)
	}
	return n
}

// wantStatus checks an error's HTTP status.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("got %v, want HTTP %d", err, status)
	}
}

var (
	vpcIDRE    = regexp.MustCompile(`^vpc-[0-9a-f]{17}$`)
	subnetIDRE = regexp.MustCompile(`^subnet-[0-9a-f]{17}$`)
	groupIDRE  = regexp.MustCompile(`^sg-[0-9a-f]{17}$`)
)

func TestDescribeVpcsDefaultVPCInEveryRegion(t *testing.T) {
	srv, _, c := startServer(t)
	seen := map[string]bool{}
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-northeast-1"} {
		out, err := c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}, inRegion(region))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Vpcs) != 1 {
			t.Fatalf("%s: %d VPCs", region, len(out.Vpcs))
		}
		v := out.Vpcs[0]
		id := aws.ToString(v.VpcId)
		if !vpcIDRE.MatchString(id) || id != networkOf(t, srv, region).vpc || seen[id] ||
			aws.ToString(v.CidrBlock) != "172.31.0.0/16" || !aws.ToBool(v.IsDefault) || v.State != types.VpcStateAvailable ||
			aws.ToString(v.OwnerId) != world.DefaultAccountID || v.InstanceTenancy != types.TenancyDefault ||
			len(v.CidrBlockAssociationSet) != 1 || v.CidrBlockAssociationSet[0].CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated {
			t.Errorf("%s: VPC %+v", region, v)
		}
		seen[id] = true
	}
}

func TestDescribeVpcsSelection(t *testing.T) {
	srv, _, c := startServer(t)
	vpc := networkOf(t, srv, "us-east-1").vpc
	count := func(in *ec2.DescribeVpcsInput) int {
		t.Helper()
		out, err := c.DescribeVpcs(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Vpcs)
	}
	cases := []struct {
		what string
		in   *ec2.DescribeVpcsInput
		want int
	}{
		{"by ID", &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}, 1},
		{"is-default=true", &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "true")}}, 1},
		{"is-default=false", &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "false")}}, 0},
		{"vpc-id", &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("vpc-id", vpc)}}, 1},
		{"cidr glob", &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("cidr", "172.31.*")}}, 1},
		{"untagged", &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("tag:Name", "*")}}, 0},
		{"page", &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)}, 1},
	}
	for _, tt := range cases {
		if got := count(tt.in); got != tt.want {
			t.Errorf("%s: %d VPCs, want %d", tt.what, got, tt.want)
		}
	}
}

func TestDescribeVpcsErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{VpcIds: []string{"default"}})
	sandboxtest.WantAPIError(t, err, "InvalidVpcId.Malformed", `Invalid id: "default" (expecting "vpc-...")`)
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("default", "true")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'default' is invalid")
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{MaxResults: aws.Int32(4)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value greater than 5.")
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{NextToken: aws.String("%%")})
	sandboxtest.WantAPIError(t, err, "InvalidNextToken", "The specified NextToken is not valid.")
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
	_, err = c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}, inRegion("sa-east-1"))
	sandboxtest.WantAPIError(t, err, "AuthFailure", "AWS was not able to validate the provided access credentials")
}

func TestDescribeSubnetsDefaultSubnetPerZone(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "us-east-1")
	out, err := c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var zones, cidrs []string
	for _, s := range out.Subnets {
		id, zone := aws.ToString(s.SubnetId), aws.ToString(s.AvailabilityZone)
		zones = append(zones, zone)
		cidrs = append(cidrs, aws.ToString(s.CidrBlock))
		if !subnetIDRE.MatchString(id) || n.subnets[zone] != id || aws.ToString(s.VpcId) != n.vpc ||
			!aws.ToBool(s.DefaultForAz) || !aws.ToBool(s.MapPublicIpOnLaunch) || s.State != types.SubnetStateAvailable ||
			aws.ToInt32(s.AvailableIpAddressCount) != 4091 || !regexp.MustCompile(`^use1-az[1-6]$`).MatchString(aws.ToString(s.AvailabilityZoneId)) ||
			aws.ToString(s.SubnetArn) != "arn:aws:ec2:us-east-1:"+world.DefaultAccountID+":subnet/"+id {
			t.Errorf("subnet %+v", s)
		}
	}
	slices.Sort(zones)
	slices.Sort(cidrs)
	if want := []string{"us-east-1a", "us-east-1b", "us-east-1c"}; !slices.Equal(zones, want) {
		t.Errorf("zones %v, want %v", zones, want)
	}
	if want := []string{"172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"}; !slices.Equal(cidrs, want) {
		t.Errorf("CIDRs %v, want %v", cidrs, want)
	}
}

func TestDescribeSubnetsSelection(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "eu-west-1")
	ids := func(in *ec2.DescribeSubnetsInput) []string {
		t.Helper()
		out, err := c.DescribeSubnets(t.Context(), in, inRegion("eu-west-1"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range out.Subnets {
			got = append(got, aws.ToString(s.SubnetId))
		}
		slices.Sort(got)
		return got
	}
	all := []string{n.subnets["eu-west-1a"], n.subnets["eu-west-1b"], n.subnets["eu-west-1c"]}
	slices.Sort(all)
	cases := []struct {
		what string
		in   *ec2.DescribeSubnetsInput
		want []string
	}{
		{"by ID", &ec2.DescribeSubnetsInput{SubnetIds: []string{n.subnets["eu-west-1b"]}}, []string{n.subnets["eu-west-1b"]}},
		{"availability-zone", &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("availability-zone", "eu-west-1c")}}, []string{n.subnets["eu-west-1c"]}},
		{"default-for-az", &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("default-for-az", "true")}}, all},
		{"vpc-id", &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", n.vpc)}}, all},
		{"other vpc", &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", "vpc-0123456789abcdef0")}}, nil},
		{"subnet-id and zone", &ec2.DescribeSubnetsInput{Filters: []types.Filter{
			filter("subnet-id", n.subnets["eu-west-1a"]), filter("availability-zone", "eu-west-1b"),
		}}, nil},
		{"tag", &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("tag:kubernetes.io/role/elb", "1")}}, nil},
	}
	for _, tt := range cases {
		if got := ids(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.what, got, tt.want)
		}
	}
}

func TestDescribeSubnetsErrors(t *testing.T) {
	_, c := start(t)
	_, err := c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist")
	_, err = c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{SubnetIds: []string{"us-east-1a"}})
	sandboxtest.WantAPIError(t, err, "InvalidSubnetID.Malformed", `Invalid id: "us-east-1a" (expecting "subnet-...")`)
	_, err = c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("zone", "x")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'zone' is invalid")
	_, err = c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(1001)})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "Value ( 1001 ) for parameter maxResults is invalid. Expecting a value less than 1000.")
	_, err = c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}

func TestDescribeSecurityGroupsDefaultGroup(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "us-east-1")
	for _, in := range []*ec2.DescribeSecurityGroupsInput{
		{GroupNames: []string{"default"}},
		{GroupIds: []string{n.group}},
		{Filters: []types.Filter{filter("group-name", "default"), filter("vpc-id", n.vpc)}},
		{},
	} {
		out, err := c.DescribeSecurityGroups(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.SecurityGroups) != 1 {
			t.Fatalf("%+v: %d groups", in, len(out.SecurityGroups))
		}
		g := out.SecurityGroups[0]
		if aws.ToString(g.GroupId) != n.group || !groupIDRE.MatchString(n.group) || aws.ToString(g.GroupName) != "default" ||
			aws.ToString(g.VpcId) != n.vpc || aws.ToString(g.Description) != "default VPC security group" ||
			aws.ToString(g.OwnerId) != world.DefaultAccountID ||
			aws.ToString(g.SecurityGroupArn) != "arn:aws:ec2:us-east-1:"+world.DefaultAccountID+":security-group/"+n.group {
			t.Errorf("group %+v", g)
		}
		if len(g.IpPermissions) != 1 || aws.ToString(g.IpPermissions[0].IpProtocol) != "-1" ||
			len(g.IpPermissions[0].UserIdGroupPairs) != 1 || aws.ToString(g.IpPermissions[0].UserIdGroupPairs[0].GroupId) != n.group {
			t.Errorf("ingress %+v", g.IpPermissions)
		}
		if len(g.IpPermissionsEgress) != 1 || len(g.IpPermissionsEgress[0].IpRanges) != 1 ||
			aws.ToString(g.IpPermissionsEgress[0].IpRanges[0].CidrIp) != "0.0.0.0/0" {
			t.Errorf("egress %+v", g.IpPermissionsEgress)
		}
	}
	out, err := c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		filter("ip-permission.group-id", n.group), filter("egress.ip-permission.cidr", "0.0.0.0/0"),
	}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Errorf("rule filters: %+v, %v", out, err)
	}
}

func TestDescribeSecurityGroupsErrors(t *testing.T) {
	srv, _, c := startServer(t)
	n := networkOf(t, srv, "us-east-1")
	_, err := c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"winami-build"}})
	sandboxtest.WantAPIError(t, err, "InvalidGroup.NotFound", "The security group 'winami-build' does not exist in default VPC '"+n.vpc+"'")
	_, err = c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0123456789abcdef0"}})
	sandboxtest.WantAPIError(t, err, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")
	// Another region's group does not exist here.
	_, err = c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{n.group}}, inRegion("us-west-2"))
	sandboxtest.WantAPIError(t, err, "InvalidGroup.NotFound", "The security group '"+n.group+"' does not exist")
	_, err = c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"default"}})
	sandboxtest.WantAPIError(t, err, "InvalidGroupId.Malformed", `Invalid id: "default" (expecting "sg-...")`)
	_, err = c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("name", "default")}})
	sandboxtest.WantAPIError(t, err, "InvalidParameterValue", "The filter 'name' is invalid")
	_, err = c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{DryRun: aws.Bool(true)})
	sandboxtest.WantAPIError(t, err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	wantStatus(t, err, 412)
}
