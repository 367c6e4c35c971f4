// Package drift reports where a cluster's Windows nodes differ: in AMI,
// Windows build and kubelet version. It reads the nodes from the Kubernetes
// API (paged), their instances and AMIs from EC2 (batched), decides the
// desired state (an AMI, a spec's newest AMI, the newest EKS release, or
// else what most nodes run) and gives each drifted node typed reasons.
package drift

import (
	"time"

	"github.com/winami/winami/pkg/eksami"
)

// Reason kinds.
const (
	ReasonAMIDiffers         = "ami-differs"
	ReasonAMINotLatest       = "ami-not-latest"
	ReasonKubeletDiffers     = "kubelet-differs"
	ReasonKubeletBehindCP    = "kubelet-behind-control-plane"
	ReasonOSBuildDiffers     = "os-build-differs"
	ReasonUnknownInstance    = "unknown-instance"
	ReasonNotReady           = "not-ready"
	ownerNodegroup           = "nodegroup"
	ownerNodepool            = "nodepool"
	ownerSelfManaged         = "self-managed"
	labelOS                  = "kubernetes.io/os"
	labelWindowsBuild        = "node.kubernetes.io/windows-build"
	labelNodegroup           = "eks.amazonaws.com/nodegroup"
	labelNodepool            = "karpenter.sh/nodepool"
	windowsSelector          = labelOS + "=windows"
	maxKubeletMinorSkew      = 3 // kubelet may be up to three minors older than the API server
	defaultNodeListPageLimit = 500
)

// ReasonGroups are the reason kinds by what they are about: "ami" (the
// node is not on the desired AMI), "kubelet" and "os-build". --fail-on
// names a group; the fleet report counts a node without an "ami" kind as
// on the desired AMI.
var ReasonGroups = map[string][]string{
	"ami":      {ReasonAMIDiffers, ReasonAMINotLatest, ReasonUnknownInstance},
	"kubelet":  {ReasonKubeletDiffers, ReasonKubeletBehindCP},
	"os-build": {ReasonOSBuildDiffers},
}

// Reason is why a node drifted.
type Reason struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Owner is what launched a node.
type Owner struct {
	Kind string `json:"kind"` // nodegroup, nodepool or self-managed
	Name string `json:"name,omitempty"`
}

func (o Owner) String() string {
	if o.Name == "" {
		return o.Kind
	}
	return o.Kind + "/" + o.Name
}

// Node is one Windows node with its instance and AMI.
type Node struct {
	Name             string    `json:"name"`
	InstanceID       string    `json:"instanceId,omitempty"`
	Zone             string    `json:"zone,omitempty"`
	KubeletVersion   string    `json:"kubeletVersion"`
	ContainerRuntime string    `json:"containerRuntime,omitempty"`
	OSImage          string    `json:"osImage,omitempty"`
	KernelVersion    string    `json:"kernelVersion,omitempty"`
	WindowsBuild     string    `json:"windowsBuild,omitempty"`
	Owner            Owner     `json:"owner"`
	Ready            bool      `json:"ready"`
	Created          time.Time `json:"created"`

	AMI     string `json:"amiId,omitempty"`
	AMIName string `json:"amiName,omitempty"`
	// AMICreated is the AMI's creation date: how old the image a node
	// runs is (the fleet report's AMI ages).
	AMICreated     time.Time `json:"amiCreated,omitzero"`
	ReleaseVersion string    `json:"releaseVersion,omitempty"`
	LaunchTime     time.Time `json:"launchTime,omitzero"`
	LaunchTemplate string    `json:"launchTemplate,omitempty"`
	// For AMIs winami built: the spec, the Kubernetes version and Windows
	// build it recorded, and the container images it caches.
	WinamiSpec       string   `json:"winamiSpec,omitempty"`
	WinamiKubernetes string   `json:"winamiKubernetes,omitempty"`
	WinamiOSBuild    string   `json:"winamiOSBuild,omitempty"`
	CachedImages     []string `json:"cachedImages,omitempty"`

	Reasons []Reason `json:"reasons,omitempty"`

	// latestKey names the node's entry of Desired.Latest.
	latestKey string
}

// Drifted reports a node with at least one reason.
func (n Node) Drifted() bool { return len(n.Reasons) > 0 }

// Group is the nodes that run one (AMI, kubelet, Windows build).
type Group struct {
	AMI          string   `json:"amiId"`
	AMIName      string   `json:"amiName,omitempty"`
	Kubelet      string   `json:"kubeletVersion"`
	WindowsBuild string   `json:"windowsBuild"`
	Nodes        []string `json:"nodes"`
}

// Nodegroup is an EKS managed node group (with --cluster).
type Nodegroup struct {
	Name           string `json:"name"`
	AMIType        string `json:"amiType"`
	ReleaseVersion string `json:"releaseVersion,omitempty"`
	Version        string `json:"version,omitempty"`
	LaunchTemplate string `json:"launchTemplate,omitempty"`
	Windows        bool   `json:"windows"`
	// Behind says why the group is behind (empty when it is not): nodes
	// of it drifted, or its release is older than the desired one.
	Behind string `json:"behind,omitempty"`
}

// Desired is the state nodes should be in.
type Desired struct {
	// Mode is how it was decided: "ami", "spec", "channel", "latest" or
	// "majority".
	Mode string `json:"mode"`
	// Channel is the release channel (channel mode).
	Channel string `json:"channel,omitempty"`
	// AMI is the desired AMI (ami and spec modes, and majority).
	AMI string `json:"amiId,omitempty"`
	// Latest maps "<windows> <edition> <kubernetes>" to the newest EKS
	// release's AMI (latest mode).
	Latest map[string]LatestRelease `json:"latest,omitempty"`
	// Kubelet and WindowsBuild are what most nodes (on the desired AMI,
	// when it is known) run.
	Kubelet      string `json:"kubeletVersion,omitempty"`
	WindowsBuild string `json:"windowsBuild,omitempty"`
}

// LatestRelease is the newest EKS optimized release of one key.
type LatestRelease struct {
	AMI            string      `json:"amiId"`
	ReleaseVersion string      `json:"releaseVersion"`
	ReleaseDate    eksami.Date `json:"releaseDate"`
}

// Summary counts the report.
type Summary struct {
	WindowsNodes int `json:"windowsNodes"`
	Drifted      int `json:"drifted"`
	Groups       int `json:"groups"`
}

// Report is one drift run.
type Report struct {
	Cluster      string      `json:"cluster,omitempty"`
	Region       string      `json:"region"`
	ControlPlane string      `json:"controlPlaneVersion,omitempty"`
	Desired      Desired     `json:"desired"`
	Groups       []Group     `json:"groups"`
	Nodes        []Node      `json:"nodes"`
	Nodegroups   []Nodegroup `json:"nodegroups,omitempty"`
	Summary      Summary     `json:"summary"`
	// Calls counts the API calls the run made, by kind (node-list pages,
	// DescribeInstances, DescribeImages).
	Calls map[string]int `json:"calls"`
}

// Consistent reports no drift.
func (r *Report) Consistent() bool { return r.Summary.Drifted == 0 }
