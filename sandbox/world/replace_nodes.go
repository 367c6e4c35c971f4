package world

// What the replacement engine launches and removes: new instances and
// their nodes, made from the old ones and the target AMI.

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// newNodeFrom is the node of a new instance: the old node's labels and
// shape, the new instance's name and address, and what the AMI brings
// (Windows build, kubelet, cached images).
func newNodeFrom(old *Node, inst *Instance, img *Image, w *World, region string) *Node {
	n := &Node{Labels: map[string]string{}, Pods: "110", Architecture: "amd64"}
	if old != nil {
		o := *old
		n = &o
		n.Labels = cloneMap(old.Labels)
		n.Annotations = nil
		n.Unschedulable, n.Taints = false, nil
	}
	n.Name = inst.PrivateDNSName
	n.UID = uniqueUUID(inst.InstanceID)
	n.ProviderID = "aws:///" + inst.AvailabilityZone + "/" + inst.InstanceID
	n.InternalIP = inst.PrivateIP
	n.Labels["kubernetes.io/hostname"] = n.Name
	n.Labels["node.kubernetes.io/instance-type"] = inst.InstanceType
	n.Labels["beta.kubernetes.io/instance-type"] = inst.InstanceType
	if c, ok := instanceCapacity[inst.InstanceType]; ok {
		n.CPU, n.Memory = c[0], c[1]
	}
	n.Ready, n.ReadySince = false, time.Time{}
	if img.Platform == "windows" {
		n.KernelVersion = img.OSBuild
		n.Labels["node.kubernetes.io/windows-build"] = windowsBuildLabel(img.OSBuild)
	}
	// Every node of one AMI runs the same kubelet: the AMI's, or, for an
	// AMI that does not say, the newest patch of the minor the group ran.
	if k := KubeletOf(img); k != "" {
		n.KubeletVersion = k
	} else if strings.HasPrefix(n.KubeletVersion, "v1.35.") {
		n.KubeletVersion = KubeletV1352
	}
	return n
}

// KubeletOf is the kubelet an AMI ships: known for EKS's 1.35 Windows
// releases and for AMIs built on them (their winami:kubernetes tag); ""
// when the AMI does not say.
func KubeletOf(img *Image) string {
	minor := img.Tags["winami:kubernetes"]
	if minor == "" {
		if _, rest, ok := strings.Cut(img.Name, "EKS_Optimized-"); ok {
			minor, _, _ = strings.Cut(rest, "-")
		}
	}
	if minor == "1.35" {
		return KubeletV1352
	}
	return ""
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// uniqueID is an EC2-style ID derived from key, not taken yet.
func uniqueID(prefix, key string, taken func(string) bool) string {
	for i := 0; ; i++ {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s#%d", key, i)
		if id := fmt.Sprintf("%s-0%016x", prefix, h.Sum64()); !taken(id) {
			return id
		}
	}
}

func uniqueUUID(key string) string {
	h1, h2 := fnv.New64a(), fnv.New64()
	_, _ = h1.Write([]byte(key))
	_, _ = h2.Write([]byte(key))
	hi, lo := h1.Sum64()&^0xf000|0x4000, h2.Sum64()&^(0xc<<60)|0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

func replacementID(region string, spec ReplaceSpec, now time.Time) string {
	return uniqueUUID(region + "/" + spec.Cluster + "/" + string(spec.Kind) + "/" + spec.Group + "/" + now.Format(time.RFC3339Nano))
}

// nodeOf is the cluster's node of an instance, or nil.
func nodeOf(c *Cluster, instanceID string) *Node {
	for _, n := range c.Nodes {
		if strings.HasSuffix(n.ProviderID, "/"+instanceID) {
			return n
		}
	}
	return nil
}

func uncordon(n *Node) {
	n.Unschedulable = false
	n.Taints = slices.DeleteFunc(n.Taints, func(t Taint) bool { return t.Key == UnschedulableTaint })
}

// touch publishes a change made to a node of the cluster in place (the
// node's resourceVersion and a MODIFIED event for watches).
func touch(c *Cluster, n *Node) { c.PutNode(n) }

// addClusterNode adds n in name order and tells the watches.
func addClusterNode(c *Cluster, n *Node) { c.PutNode(n) }

// removeInstance terminates an instance and removes its node.
func removeInstance(w *World, r *Region, c *Cluster, id string) {
	if inst := w.Instance(r.Name, id); inst != nil {
		inst.State = "terminated"
	}
	if n := nodeOf(c, id); n != nil {
		c.DeleteNode(n.Name)
	}
}

// addInstance adds an instance where the cluster's instances live: the
// region's own, or the extra fleet's for a scale cluster.
func (r *Region) addInstance(w *World, inst *Instance) {
	if f := w.fleet(r.Name); f != nil && r.Instances[inst.InstanceID] == nil {
		for _, c := range f.Clusters {
			if c.Name == inst.Tags["eks:cluster-name"] || c.Name == inst.Tags["eks:eks-cluster-name"] {
				f.Instances[inst.InstanceID] = inst
				i, _ := slices.BinarySearchFunc(f.sorted, inst, byInstanceID)
				f.sorted = slices.Insert(f.sorted, i, inst)
				return
			}
		}
	}
	if r.Instances == nil {
		r.Instances = map[string]*Instance{}
	}
	r.Instances[inst.InstanceID] = inst
}

// freeIP is an address near near (same /20) that no node of the cluster
// and no instance of the region uses.
func freeIP(w *World, r *Region, c *Cluster, near, key string) string {
	used := map[string]bool{}
	for _, n := range c.Nodes {
		used[n.InternalIP] = true
	}
	for _, inst := range r.Instances {
		used[inst.PrivateIP] = true
	}
	var a, b, x, y int
	if _, err := fmt.Sscanf(near, "%d.%d.%d.%d", &a, &b, &x, &y); err != nil {
		a, b, x = 172, 31, 0
	}
	base := x &^ 15
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	start := int(h.Sum64() % 4090)
	for i := range 4090 {
		off := 4 + (start+i)%4090
		ip := fmt.Sprintf("%d.%d.%d.%d", a, b, base+off/256, off%256)
		if !used[ip] {
			return ip
		}
	}
	return near
}
