package world

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Cluster is an EKS cluster: what DescribeCluster reports, its managed node
// groups, and the nodes its Kubernetes API lists.
type Cluster struct {
	Name            string    `json:"name"`
	ARN             string    `json:"arn"`
	ID              string    `json:"id"`
	Version         string    `json:"version"`         // Kubernetes minor, "1.35"
	PlatformVersion string    `json:"platformVersion"` // "eks.12"
	Status          string    `json:"status"`          // ACTIVE
	CreatedAt       time.Time `json:"createdAt"`
	RoleARN         string    `json:"roleArn"`
	// GitVersion is the API server's version, e.g. "v1.35.2-eks-4a7c2e1".
	GitVersion string `json:"gitVersion"`
	// CertificateAuthority is the cluster CA as base64 of its PEM, as
	// DescribeCluster's certificateAuthority.data carries it.
	CertificateAuthority   string            `json:"certificateAuthority"`
	VPCID                  string            `json:"vpcId"`
	SubnetIDs              []string          `json:"subnetIds"`
	ClusterSecurityGroupID string            `json:"clusterSecurityGroupId"`
	ServiceIPv4CIDR        string            `json:"serviceIpv4Cidr"`
	Tags                   map[string]string `json:"tags,omitempty"`
	// Nodegroups are the managed node groups by name.
	Nodegroups map[string]*Nodegroup `json:"nodegroups,omitempty"`
	// Nodes are the cluster's Kubernetes nodes, sorted by name (list pages
	// and continue tokens rely on the order).
	Nodes []*Node `json:"nodes,omitempty"`
	// ResourceVersion is the list resourceVersion of the cluster's nodes.
	ResourceVersion string `json:"resourceVersion"`
	// Updates are the cluster's EKS updates (eks_updates.go), oldest first.
	Updates []*EKSUpdate `json:"updates,omitempty"`
	// Events are the latest changes of the cluster's Kubernetes objects,
	// for watches (see kubeevents.go: change nodes with PutNode/DeleteNode).
	Events []KubeEvent `json:"events,omitempty"`
	// WatchFrom is the oldest resourceVersion a watch can start from, once
	// the cluster has changed (0 before).
	WatchFrom int64 `json:"watchFrom,omitempty"`
	// Karpenter holds the cluster's Karpenter objects (see karpenter.go).
	Karpenter *Karpenter `json:"karpenter,omitempty"`
	// Account owns the cluster when it is not the default account (the
	// fleet's partner clusters): EKS shows a cluster only to its account.
	Account string `json:"account,omitempty"`
	// Pods are the cluster's pods, sorted by namespace and name (pods.go).
	Pods []*Pod `json:"pods,omitempty"`
}

// Nodegroup is an EKS managed node group.
type Nodegroup struct {
	Name           string            `json:"name"`
	ARN            string            `json:"arn"`
	Version        string            `json:"version"`        // "1.35"
	ReleaseVersion string            `json:"releaseVersion"` // "1.35-2026.11.11" for Windows
	AMIType        string            `json:"amiType"`        // WINDOWS_CORE_2022_x86_64
	CapacityType   string            `json:"capacityType"`   // ON_DEMAND
	Status         string            `json:"status"`         // ACTIVE
	InstanceTypes  []string          `json:"instanceTypes,omitempty"`
	Subnets        []string          `json:"subnets"`
	NodeRole       string            `json:"nodeRole"`
	Labels         map[string]string `json:"labels,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	MinSize        int32             `json:"minSize"`
	MaxSize        int32             `json:"maxSize"`
	DesiredSize    int32             `json:"desiredSize"`
	// DiskSize is set only when the node group has no launch template.
	DiskSize *int32 `json:"diskSize,omitempty"`
	// LaunchTemplate is the user's launch template, when the group uses one.
	LaunchTemplate *LaunchTemplateRef `json:"launchTemplate,omitempty"`
	// UpdateConfig is the group's updateConfig; nil means EKS's default,
	// maxUnavailable 1.
	UpdateConfig *NodegroupUpdateConfig `json:"updateConfig,omitempty"`
	// AutoScalingGroup is the name of the group's Auto Scaling group.
	AutoScalingGroup string    `json:"autoScalingGroup"`
	CreatedAt        time.Time `json:"createdAt"`
	ModifiedAt       time.Time `json:"modifiedAt"`
}

// LaunchTemplateRef names a launch template version.
type LaunchTemplateRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Node is a Kubernetes node as the API server reports it, reduced to what
// the sandbox serves.
type Node struct {
	Name              string            `json:"name"`
	UID               string            `json:"uid"`
	ResourceVersion   string            `json:"resourceVersion"`
	CreationTimestamp time.Time         `json:"creationTimestamp"`
	Labels            map[string]string `json:"labels"`
	Annotations       map[string]string `json:"annotations,omitempty"`
	// ProviderID is "aws:///<zone>/<instance-id>".
	ProviderID string `json:"providerId"`
	InternalIP string `json:"internalIp"`
	// Node info.
	KubeletVersion          string `json:"kubeletVersion"`
	ContainerRuntimeVersion string `json:"containerRuntimeVersion"`
	OSImage                 string `json:"osImage"`
	KernelVersion           string `json:"kernelVersion"`
	OperatingSystem         string `json:"operatingSystem"`
	Architecture            string `json:"architecture"`
	// Capacity.
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	Pods   string `json:"pods"`
	// Ready is the Ready condition; ReadySince its last transition.
	Ready      bool      `json:"ready"`
	ReadySince time.Time `json:"readySince"`
	// Unschedulable and Taints are the node's spec: a node being replaced
	// is cordoned (spec.unschedulable and the matching taint).
	Unschedulable bool    `json:"unschedulable,omitempty"`
	Taints        []Taint `json:"taints,omitempty"`
}

// Taint is a node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// Instance is an EC2 instance.
type Instance struct {
	InstanceID       string            `json:"instanceId"`
	ImageID          string            `json:"imageId"`
	InstanceType     string            `json:"instanceType"`
	State            string            `json:"state"` // pending, running, stopped, terminated, ...
	LaunchTime       time.Time         `json:"launchTime"`
	AvailabilityZone string            `json:"availabilityZone"`
	PrivateDNSName   string            `json:"privateDnsName"`
	PrivateIP        string            `json:"privateIp"`
	SubnetID         string            `json:"subnetId,omitempty"`
	VPCID            string            `json:"vpcId,omitempty"`
	Platform         string            `json:"platform,omitempty"` // "windows" or ""
	Architecture     string            `json:"architecture"`
	ReservationID    string            `json:"reservationId"`
	Tags             map[string]string `json:"tags,omitempty"`
	// Account owns the instance when it is not the default account (the
	// nodes of the fleet's partner clusters): EC2 shows an instance only
	// to its account.
	Account string `json:"account,omitempty"`
}

// Extra is what the sandbox seeds beyond the persisted world: the clusters
// and instances of `winami sandbox --nodes`. It is derived from options,
// never changed by a request, and too large to snapshot on every change, so
// it is not saved with the world (state.Store carries it across rollbacks).
type Extra struct {
	// Regions are the extra resources by region name.
	Regions map[string]*Fleet
}

// Fleet is one region's extra clusters and instances.
type Fleet struct {
	Clusters  map[string]*Cluster
	Instances map[string]*Instance
	// LaunchTemplates are the launch templates of the fleet's node groups,
	// for the region to adopt (World.AdoptFleetTemplates).
	LaunchTemplates []*LaunchTemplate
	// sorted are Instances in ID order, kept so that listing them does not
	// sort ten thousand IDs on every call.
	sorted []*Instance
}

// NewFleet returns a fleet over clusters and instances.
func NewFleet(clusters map[string]*Cluster, instances map[string]*Instance) *Fleet {
	f := &Fleet{Clusters: clusters, Instances: instances}
	f.sorted = slices.SortedFunc(maps.Values(instances), byInstanceID)
	return f
}

func byInstanceID(a, b *Instance) int { return strings.Compare(a.InstanceID, b.InstanceID) }

// fleet is the region's extra fleet, or nil.
func (w *World) fleet(region string) *Fleet {
	if w.Extra == nil {
		return nil
	}
	return w.Extra.Regions[region]
}

// Clusters are keyed by ClusterKey: EKS cluster names are unique per
// account and region, so two accounts may each have a "prod" in the same
// region. The default account's clusters are keyed by their name alone, so
// that the worlds saved before partner clusters existed read as they did.

// ClusterKey is the key of the account's cluster of that name: the name for
// the default account, "<account>/<name>" for another ("/" is never in a
// cluster name).
func (w *World) ClusterKey(account, name string) string {
	if account == "" || account == w.AccountID {
		return name
	}
	return account + "/" + name
}

// KeyOf is c's key in its region (ClusterKey).
func (w *World) KeyOf(c *Cluster) string { return w.ClusterKey(c.Account, c.Name) }

// Cluster is the region's cluster of that key (ClusterKey: the name, for
// the default account's), persisted or extra, or nil.
func (w *World) Cluster(region, key string) *Cluster {
	if r := w.Region(region); r != nil && r.Clusters[key] != nil {
		return r.Clusters[key]
	}
	if f := w.fleet(region); f != nil {
		return f.Clusters[key]
	}
	return nil
}

// PutCluster adds c to the region's persisted clusters under its key.
func (w *World) PutCluster(region string, c *Cluster) {
	r := w.Region(region)
	if r.Clusters == nil {
		r.Clusters = map[string]*Cluster{}
	}
	r.Clusters[w.KeyOf(c)] = c
}

// ClusterKeys are the keys of the region's clusters, every account's, sorted.
func (w *World) ClusterKeys(region string) []string {
	var keys []string
	if r := w.Region(region); r != nil {
		keys = slices.AppendSeq(keys, maps.Keys(r.Clusters))
	}
	if f := w.fleet(region); f != nil {
		keys = slices.AppendSeq(keys, maps.Keys(f.Clusters))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// ClusterAs is the account's cluster of that name in the region: nil when
// the account has none of that name (another account's is not found, as
// EKS answers a caller).
func (w *World) ClusterAs(account, region, name string) *Cluster {
	if c := w.Cluster(region, w.ClusterKey(account, name)); c != nil && w.ClusterOwner(c) == account {
		return c
	}
	return nil
}

// ClusterNamesAs are the names of the region's clusters account owns, sorted.
func (w *World) ClusterNamesAs(account, region string) []string {
	var names []string
	for _, key := range w.ClusterKeys(region) {
		if c := w.Cluster(region, key); w.ClusterOwner(c) == account {
			names = append(names, c.Name)
		}
	}
	return names
}

// ClusterOwner is the account that owns c.
func (w *World) ClusterOwner(c *Cluster) string { return w.ownerOf(c.Account) }

// ownerOf is the owner of an object whose Account field is account: the
// default account when it is "".
func (w *World) ownerOf(account string) string {
	if account != "" {
		return account
	}
	return w.AccountID
}

// Instance is the region's instance of that ID, or nil.
func (w *World) Instance(region, id string) *Instance {
	if r := w.Region(region); r != nil && r.Instances[id] != nil {
		return r.Instances[id]
	}
	if f := w.fleet(region); f != nil {
		return f.Instances[id]
	}
	return nil
}

// InstanceOwner is the account that owns inst.
func (w *World) InstanceOwner(inst *Instance) string { return w.ownerOf(inst.Account) }

// InstanceAs is the region's instance of that ID as account sees it: nil
// when there is none or another account owns it.
func (w *World) InstanceAs(account, region, id string) *Instance {
	if inst := w.Instance(region, id); inst != nil && w.InstanceOwner(inst) == account {
		return inst
	}
	return nil
}

// SortedInstancesAs are the region's instances account owns, in ID order.
// The world's sorted slice itself when account owns them all, so that the
// default account's listing of a large fleet copies nothing more.
func (w *World) SortedInstancesAs(account, region string) []*Instance {
	all := w.SortedInstances(region)
	i := slices.IndexFunc(all, func(inst *Instance) bool { return w.InstanceOwner(inst) != account })
	if i < 0 {
		return all
	}
	out := slices.Clone(all[:i])
	for _, inst := range all[i:] {
		if w.InstanceOwner(inst) == account {
			out = append(out, inst)
		}
	}
	return out
}

// SortedInstances are the region's instances, persisted and extra, in ID
// order.
func (w *World) SortedInstances(region string) []*Instance {
	var own []*Instance
	if r := w.Region(region); r != nil {
		own = slices.SortedFunc(maps.Values(r.Instances), byInstanceID)
	}
	f := w.fleet(region)
	if f == nil || len(f.sorted) == 0 {
		return own
	}
	if len(own) == 0 {
		return f.sorted
	}
	// Merge the two sorted runs.
	out := make([]*Instance, 0, len(own)+len(f.sorted))
	i, j := 0, 0
	for i < len(own) && j < len(f.sorted) {
		if byInstanceID(own[i], f.sorted[j]) <= 0 {
			out = append(out, own[i])
			i++
		} else {
			out = append(out, f.sorted[j])
			j++
		}
	}
	out = append(out, own[i:]...)
	return append(out, f.sorted[j:]...)
}
