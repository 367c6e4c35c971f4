package ec2

import (
	"bytes"
	"encoding/xml"
	"maps"
	"slices"
	"strconv"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// instancesXML writes DescribeInstances' reply by hand: encoding/xml's
// reflection takes tens of milliseconds for a page of a thousand instances,
// and a drift report over ten thousand nodes asks for ten such pages. The
// elements and their order are those of the instanceItem struct, which
// documents the shape; TestDescribeInstancesXMLMatchesStruct keeps the two
// equal.
func instancesXML(account string, page []*world.Instance, nextToken string) protocol.RawXML {
	var b bytes.Buffer
	b.Grow(256 + len(page)*2048)
	b.WriteString("<reservationSet>")
	for _, inst := range page {
		b.WriteString("<item>")
		elem(&b, "reservationId", inst.ReservationID)
		elem(&b, "ownerId", account)
		b.WriteString("<groupSet></groupSet><instancesSet>")
		writeInstance(&b, toInstanceItem(inst))
		b.WriteString("</instancesSet></item>")
	}
	b.WriteString("</reservationSet>")
	if nextToken != "" {
		elem(&b, "nextToken", nextToken)
	}
	return protocol.RawXML(b.Bytes())
}

func writeInstance(b *bytes.Buffer, it instanceItem) {
	b.WriteString("<item>")
	elem(b, "instanceId", it.InstanceID)
	elem(b, "imageId", it.ImageID)
	b.WriteString("<instanceState><code>" + strconv.Itoa(it.InstanceState.Code) + "</code>")
	elem(b, "name", it.InstanceState.Name)
	b.WriteString("</instanceState>")
	elem(b, "privateDnsName", it.PrivateDNSName)
	elem(b, "dnsName", it.DNSName)
	b.WriteString("<amiLaunchIndex>" + strconv.Itoa(it.AMILaunchIndex) + "</amiLaunchIndex>")
	elem(b, "instanceType", it.InstanceType)
	elem(b, "launchTime", it.LaunchTime)
	b.WriteString("<placement>")
	elem(b, "availabilityZone", it.Placement.AvailabilityZone)
	elem(b, "tenancy", it.Placement.Tenancy)
	b.WriteString("</placement>")
	optElem(b, "platform", it.Platform)
	elem(b, "platformDetails", it.PlatformDetails)
	b.WriteString("<monitoring>")
	elem(b, "state", it.Monitoring.State)
	b.WriteString("</monitoring>")
	optElem(b, "subnetId", it.SubnetID)
	optElem(b, "vpcId", it.VPCID)
	elem(b, "privateIpAddress", it.PrivateIPAddress)
	elem(b, "architecture", it.Architecture)
	elem(b, "rootDeviceType", it.RootDeviceType)
	elem(b, "rootDeviceName", it.RootDeviceName)
	elem(b, "virtualizationType", it.VirtualizationTy)
	elem(b, "hypervisor", it.Hypervisor)
	if len(it.TagSet) > 0 {
		b.WriteString("<tagSet>")
		for _, t := range it.TagSet {
			b.WriteString("<item>")
			elem(b, "key", t.Key)
			elem(b, "value", t.Value)
			b.WriteString("</item>")
		}
		b.WriteString("</tagSet>")
	}
	b.WriteString("</item>")
}

func elem(b *bytes.Buffer, name, value string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}

func optElem(b *bytes.Buffer, name, value string) {
	if value != "" {
		elem(b, name, value)
	}
}

// sortedTags are an instance's tags in key order, as EC2 lists them.
func sortedTags(tags map[string]string) []tagItem {
	out := make([]tagItem, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, tagItem{Key: k, Value: tags[k]})
	}
	return out
}
