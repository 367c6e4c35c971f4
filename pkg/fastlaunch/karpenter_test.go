package fastlaunch

import (
	"strings"
	"testing"
)

func TestAuditNodeClasses(t *testing.T) {
	data := `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: defaults}
spec:
  amiSelectorTerms: [{alias: windows2022@latest}]
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: windows}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: data-only}
spec:
  amiFamily: Windows2022
  blockDeviceMappings:
    - deviceName: /dev/xvdb
      ebs: {volumeSize: 100Gi}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: root}
spec:
  amiSelectorTerms: [{id: ami-0123456789abcdef0}]
  amiFamily: Windows2025
  blockDeviceMappings:
    - rootVolume: true
      ebs: {volumeSize: 80Gi}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: linux}
spec:
  amiSelectorTerms: [{alias: al2023@latest}]
`
	fs, err := AuditNodeClasses("nc.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Subject)
	}
	if want := "nc.yaml:1 EC2NodeClass defaults|nc.yaml:20 EC2NodeClass root"; strings.Join(got, "|") != want {
		t.Errorf("flagged %q, want %q", got, want)
	}
	if !strings.Contains(fs[0].Message, "Karpenter maps the Windows root volume /dev/sda1 itself") || !strings.Contains(fs[1].Message, "rootVolume: true") {
		t.Errorf("messages: %+v", fs)
	}
	if _, err := AuditNodeClasses("pool.yaml", []byte("apiVersion: karpenter.sh/v1\nkind: NodePool\n")); err == nil || !strings.Contains(err.Error(), "holds no Karpenter EC2NodeClass") {
		t.Errorf("a file without node classes: %v", err)
	}
	if _, err := AuditNodeClasses("bad.yaml", []byte("spec: [")); err == nil || !strings.HasPrefix(err.Error(), "bad.yaml") {
		t.Errorf("malformed YAML: %v", err)
	}
}

func TestParseLaunchTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"winami-windows-nodes":   "winami-windows-nodes",
		"lt-0123456789abcdef0:3": "lt-0123456789abcdef0:3",
		"nodes:$Latest":          "nodes:$Latest",
		"a/b(c).d_e:$Default":    "a/b(c).d_e:$Default",
	} {
		lt, err := ParseLaunchTemplate(in)
		if err != nil || lt.String() != want {
			t.Errorf("%q: %+v, %v", in, lt, err)
		}
	}
	for _, bad := range []string{"", "ab", "lt-123", "nodes:0", "nodes:latest", "nodes;rm -rf", "nodes:1:2", "'nodes'", strings.Repeat("x", 129)} {
		if _, err := ParseLaunchTemplate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestAuditNodeClassesBounded: a manifest of very many documents (the YAML
// parser's cost grows with their square) is refused, not parsed for minutes.
func TestAuditNodeClassesBounded(t *testing.T) {
	data := strings.Repeat("---\nkind: ConfigMap\n", 1001)
	if _, err := AuditNodeClasses("many.yaml", []byte(data)); err == nil || !strings.Contains(err.Error(), "more documents than the 1000") {
		t.Errorf("AuditNodeClasses(1001 documents) = %v", err)
	}
	// A BOM and a directive are fine.
	nodeClass := "apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: linux}\nspec: {amiSelectorTerms: [{alias: al2023@latest}]}\n"
	if _, err := AuditNodeClasses("bom.yaml", []byte("\xef\xbb\xbf%YAML 1.2\n---\n"+nodeClass)); err != nil {
		t.Errorf("AuditNodeClasses(BOM, directive) = %v", err)
	}
}
