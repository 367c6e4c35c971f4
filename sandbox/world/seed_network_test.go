package world

import (
	"maps"
	"regexp"
	"slices"
	"testing"
)

func TestSeedNetworkShape(t *testing.T) {
	w := Seed(3)
	ids := map[string]string{}
	unique := func(id, where string) {
		t.Helper()
		if other, dup := ids[id]; dup {
			t.Errorf("ID %s in %s and %s", id, other, where)
		}
		ids[id] = where
	}
	for name, r := range w.Regions {
		if len(r.AvailabilityZones) != 3 || len(r.VPCs) != 1 || len(r.Subnets) != 3 || len(r.SecurityGroups) != 1 {
			t.Fatalf("%s: %d zones, %d VPCs, %d subnets, %d groups", name,
				len(r.AvailabilityZones), len(r.VPCs), len(r.Subnets), len(r.SecurityGroups))
		}
		zoneIDRE := regexp.MustCompile(`^` + zoneIDPrefixes[name] + `-az[1-6]$`)
		zoneIDs := map[string]string{}
		for i, z := range r.AvailabilityZones {
			if z.Name != name+string(rune('a'+i)) || !zoneIDRE.MatchString(z.ZoneID) {
				t.Errorf("%s: zone %+v", name, z)
			}
			zoneIDs[z.Name] = z.ZoneID
			if has := slices.Contains(z.InstanceTypes, UnofferedInstanceType); has == (i == 2) {
				t.Errorf("%s: %s offers %s: %v", name, z.Name, UnofferedInstanceType, has)
			}
		}
		if len(slices.Compact(slices.Sorted(maps.Values(zoneIDs)))) != 3 {
			t.Errorf("%s: zone IDs %v repeat", name, zoneIDs)
		}
		for id, v := range r.VPCs {
			unique(id, name)
			if v.IsDefault == (name == NoDefaultVPCRegion) || v.CIDRBlock != "172.31.0.0/16" {
				t.Errorf("%s: VPC %+v", name, v)
			}
			for sid, s := range r.Subnets {
				unique(sid, name)
				if s.VPCID != id || s.AvailabilityZoneID != zoneIDs[s.AvailabilityZone] || s.DefaultForAZ != v.IsDefault {
					t.Errorf("%s: subnet %+v", name, s)
				}
			}
			for gid, g := range r.SecurityGroups {
				unique(gid, name)
				if g.VPCID != id || g.GroupName != DefaultSecurityGroupName {
					t.Errorf("%s: group %+v", name, g)
				}
			}
		}
		wantTemplates := 0
		if name == "us-east-1" || name == "us-west-2" {
			wantTemplates = 1
		}
		gotTemplates := 0
		for _, lt := range r.LaunchTemplates {
			unique(lt.LaunchTemplateID, name)
			if lt.LaunchTemplateName != WindowsNodesLaunchTemplate {
				continue // the demo cluster's, checked in seed_eks_test.go
			}
			gotTemplates++
			if len(lt.Versions) != 2 || r.Images[lt.Versions[0].ImageID] == nil ||
				len(lt.Versions[0].BlockDevices) != 0 || len(lt.Versions[1].BlockDevices) != 1 ||
				lt.Versions[1].BlockDevices[0].DeviceName != "/dev/sda1" {
				t.Errorf("%s: template %+v", name, lt)
			}
		}
		if gotTemplates != wantTemplates {
			t.Errorf("%s: %d %s launch templates", name, gotTemplates, WindowsNodesLaunchTemplate)
		}
	}
}

func TestSeedIAMShape(t *testing.T) {
	w := Seed(3)
	roleIDRE := regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	profileIDRE := regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`)
	for _, name := range []string{BuildRoleName, LegacyBuildRoleName, "AWSServiceRoleForImageBuilder"} {
		r := w.IAM.Roles[name]
		if r == nil || !roleIDRE.MatchString(r.RoleID) {
			t.Fatalf("role %s: %+v", name, r)
		}
	}
	if w.IAM.Roles["AWSServiceRoleForEC2FastLaunch"] != nil {
		t.Error("the Fast Launch service-linked role exists before first use")
	}
	for _, name := range []string{BuildRoleName, LegacyBuildRoleName} {
		p := w.IAM.InstanceProfiles[name]
		if p == nil || !profileIDRE.MatchString(p.ID) || !slices.Equal(p.RoleNames, []string{name}) {
			t.Errorf("profile %s: %+v", name, p)
		}
	}
	if slices.Contains(w.IAM.Roles[LegacyBuildRoleName].ManagedPolicyARNs, PolicyAmazonSSMManagedInstanceCore) ||
		!slices.Contains(w.IAM.Roles[BuildRoleName].ManagedPolicyARNs, PolicyAmazonSSMManagedInstanceCore) {
		t.Error("SSM policy on the wrong role")
	}
	if other := Seed(4).IAM.Roles[BuildRoleName].RoleID; other == w.IAM.Roles[BuildRoleName].RoleID {
		t.Errorf("seeds 3 and 4 share the role ID %s", other)
	}
}
