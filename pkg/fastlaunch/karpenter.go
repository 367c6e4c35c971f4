package fastlaunch

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/winami/winami/internal/yamlinput"
)

// ec2NodeClass is the part of Karpenter's EC2NodeClass (karpenter.k8s.aws)
// that decides the root volume of its launches.
type ec2NodeClass struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		AMIFamily        string `yaml:"amiFamily"`
		AMISelectorTerms []struct {
			Alias string `yaml:"alias"`
			ID    string `yaml:"id"`
		} `yaml:"amiSelectorTerms"`
		BlockDeviceMappings []struct {
			DeviceName string `yaml:"deviceName"`
			RootVolume bool   `yaml:"rootVolume"`
		} `yaml:"blockDeviceMappings"`
	} `yaml:"spec"`
}

// windows reports a node class that launches Windows nodes.
func (n ec2NodeClass) windows() bool {
	if strings.HasPrefix(strings.ToLower(n.Spec.AMIFamily), "windows") {
		return true
	}
	for _, t := range n.Spec.AMISelectorTerms {
		if strings.HasPrefix(strings.ToLower(t.Alias), "windows") {
			return true
		}
	}
	return false
}

// MaxManifestBytes is the largest Karpenter manifest file audit reads.
const MaxManifestBytes = 8 << 20

// manifestLimits bound a manifest file before the YAML parser sees it (see
// internal/yamlinput): a cluster's node classes are a few documents.
var manifestLimits = yamlinput.Limits{Lines: 200000, Depth: 64, Documents: 1000}

// AuditNodeClasses reads Karpenter EC2NodeClass documents (one file may
// hold several, with other kinds between) and flags those whose launches
// override the root volume of a Windows AMI. Karpenter applies its own
// block-device mappings when a node class gives none, and for Windows
// those map the root volume (/dev/sda1), so Fast Launch's pre-provisioned
// snapshots go unused unless the node class lists mappings without it.
func AuditNodeClasses(path string, data []byte) ([]AuditFinding, error) {
	data, err := yamlinput.Prepare(data, manifestLimits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []AuditFinding
	seen := 0
	for _, body := range yamlinput.Documents(file) {
		var nc ec2NodeClass
		if err := yaml.NodeToValue(body, &nc); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, body.GetToken().Position.Line, err)
		}
		if nc.Kind != "EC2NodeClass" || !strings.HasPrefix(nc.APIVersion, "karpenter.k8s.aws/") {
			continue
		}
		seen++
		if !nc.windows() {
			continue
		}
		subject := fmt.Sprintf("%s:%d EC2NodeClass %s", path, body.GetToken().Position.Line, nc.Metadata.Name)
		fix := "list blockDeviceMappings without the root volume (Karpenter applies its defaults only to an empty list) and size the root volume in the AMI instead (build.rootVolumeGiB in winami.yaml)"
		if len(nc.Spec.BlockDeviceMappings) == 0 {
			out = append(out, AuditFinding{Subject: subject, Kind: KindKarpenterRoot, Severity: Fail,
				Message: "gives no blockDeviceMappings, so Karpenter maps the Windows root volume /dev/sda1 itself (its default, 50 GiB gp3): launches skip the pre-provisioned snapshots",
				Fix:     fix})
			continue
		}
		for _, m := range nc.Spec.BlockDeviceMappings {
			if m.RootVolume || m.DeviceName == windowsRootDeviceName {
				out = append(out, AuditFinding{Subject: subject, Kind: KindKarpenterRoot, Severity: Fail,
					Message: fmt.Sprintf("maps the root volume (%s): launches skip the pre-provisioned snapshots", rootName(m.DeviceName, m.RootVolume)),
					Fix:     fix})
				break
			}
		}
	}
	if seen == 0 {
		return nil, fmt.Errorf("%s holds no Karpenter EC2NodeClass (apiVersion karpenter.k8s.aws/…, kind EC2NodeClass)", path)
	}
	return out, nil
}

func rootName(device string, root bool) string {
	switch {
	case device != "" && root:
		return device + ", rootVolume: true"
	case device != "":
		return device
	}
	return "rootVolume: true"
}
