package ec2

import (
	"slices"
	"strconv"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

// appendInstancesXML appends DescribeInstances' reply, written by hand: encoding/xml's
// reflection takes tens of milliseconds for a page of a thousand instances,
// and a drift report over ten thousand nodes asks for ten such pages. The
// elements and their order are those of the instanceItem struct, which
// documents the shape; TestDescribeInstancesXMLMatchesStruct keeps the two
// equal. The tags are sorted in one scratch slice reused from instance to
// instance.
func appendInstancesXML(b []byte, account string, page []*world.Instance, nextToken string) []byte {
	b = append(b, "<reservationSet>"...)
	var tags []tagItem
	for _, inst := range page {
		b = append(b, "<item>"...)
		b = appendElem(b, "reservationId", inst.ReservationID)
		b = appendElem(b, "ownerId", account)
		b = append(b, "<groupSet></groupSet><instancesSet>"...)
		it := instanceFields(inst)
		tags = appendSortedTags(tags[:0], inst.Tags)
		it.TagSet = tags
		b = appendInstance(b, &it)
		b = append(b, "</instancesSet></item>"...)
	}
	b = append(b, "</reservationSet>"...)
	if nextToken != "" {
		b = appendElem(b, "nextToken", nextToken)
	}
	return b
}

func appendInstance(b []byte, it *instanceItem) []byte {
	b = append(b, "<item>"...)
	b = appendElem(b, "instanceId", it.InstanceID)
	b = appendElem(b, "imageId", it.ImageID)
	b = append(b, "<instanceState><code>"...)
	b = strconv.AppendInt(b, int64(it.InstanceState.Code), 10)
	b = append(b, "</code>"...)
	b = appendElem(b, "name", it.InstanceState.Name)
	b = append(b, "</instanceState>"...)
	b = appendElem(b, "privateDnsName", it.PrivateDNSName)
	b = appendElem(b, "dnsName", it.DNSName)
	b = append(b, "<amiLaunchIndex>"...)
	b = strconv.AppendInt(b, int64(it.AMILaunchIndex), 10)
	b = append(b, "</amiLaunchIndex>"...)
	b = appendElem(b, "instanceType", it.InstanceType)
	b = appendElem(b, "launchTime", it.LaunchTime)
	b = append(b, "<placement>"...)
	b = appendElem(b, "availabilityZone", it.Placement.AvailabilityZone)
	b = appendElem(b, "tenancy", it.Placement.Tenancy)
	b = append(b, "</placement>"...)
	b = appendOptElem(b, "platform", it.Platform)
	b = appendElem(b, "platformDetails", it.PlatformDetails)
	b = append(b, "<monitoring>"...)
	b = appendElem(b, "state", it.Monitoring.State)
	b = append(b, "</monitoring>"...)
	b = appendOptElem(b, "subnetId", it.SubnetID)
	b = appendOptElem(b, "vpcId", it.VPCID)
	b = appendElem(b, "privateIpAddress", it.PrivateIPAddress)
	b = appendElem(b, "architecture", it.Architecture)
	b = appendElem(b, "rootDeviceType", it.RootDeviceType)
	b = appendElem(b, "rootDeviceName", it.RootDeviceName)
	b = appendElem(b, "virtualizationType", it.VirtualizationTy)
	b = appendElem(b, "hypervisor", it.Hypervisor)
	if len(it.TagSet) > 0 {
		b = append(b, "<tagSet>"...)
		for _, t := range it.TagSet {
			b = append(b, "<item>"...)
			b = appendElem(b, "key", t.Key)
			b = appendElem(b, "value", t.Value)
			b = append(b, "</item>"...)
		}
		b = append(b, "</tagSet>"...)
	}
	return append(b, "</item>"...)
}

// appendElem appends <name>value</name>, the value escaped as encoding/xml
// escapes character data.
func appendElem(b []byte, name, value string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = protocol.AppendXMLText(b, value)
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

func appendOptElem(b []byte, name, value string) []byte {
	if value != "" {
		b = appendElem(b, name, value)
	}
	return b
}

// sortedTags are an instance's tags in key order, as EC2 lists them.
func sortedTags(tags map[string]string) []tagItem {
	return appendSortedTags(make([]tagItem, 0, len(tags)), tags)
}

// appendSortedTags appends the tags to dst in key order.
func appendSortedTags(dst []tagItem, tags map[string]string) []tagItem {
	start := len(dst)
	for k, v := range tags {
		dst = append(dst, tagItem{Key: k, Value: v})
	}
	slices.SortFunc(dst[start:], func(a, b tagItem) int { return strings.Compare(a.Key, b.Key) })
	return dst
}
