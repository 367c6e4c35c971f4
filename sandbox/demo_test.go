package sandbox_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// TestDemoClusterDrift checks the seeded demo cluster through the clients
// winami drift uses: ten Windows nodes (two of them self-managed, in the
// Auto Scaling group windows-self-managed), all Ready, on the newest EKS
// Windows Server 2022 Core 1.35 AMI with kubelet v1.35.2, except two: the
// Karpenter node on the 2026.10.14 AMI and one node of windows-core-b with
// kubelet v1.35.0. Every node's provider ID names an instance that
// DescribeInstances knows, running the AMI the node says it runs.
func TestDemoClusterDrift(t *testing.T) {
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, "demo")
	latest, err := ssm.NewFromConfig(cfg).GetParameter(t.Context(), &ssm.GetParameterInput{
		Name: aws.String("/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.35/image_id"),
	})
	if err != nil {
		t.Fatal(err)
	}
	newest := aws.ToString(latest.Parameter.Value)

	nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "kubernetes.io/os=windows"})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 10 {
		t.Fatalf("%d Windows nodes, want 10", len(nodes.Items))
	}
	ec2c := ec2.NewFromConfig(cfg)
	var onOlderAMI, olderKubelet []string
	for _, n := range nodes.Items {
		checkWindowsNode(t, n)
		zone, id, ok := strings.Cut(strings.TrimPrefix(n.Spec.ProviderID, "aws:///"), "/")
		if !ok || zone != n.Labels["topology.kubernetes.io/zone"] {
			t.Errorf("%s: provider ID %q", n.Name, n.Spec.ProviderID)
			continue
		}
		out, err := ec2c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Errorf("%s: %v", n.Name, err)
			continue
		}
		inst := out.Reservations[0].Instances[0]
		image := aws.ToString(inst.ImageId)
		if ng := n.Labels["eks.amazonaws.com/nodegroup-image"]; ng != "" && ng != image {
			t.Errorf("%s: nodegroup-image %s, instance runs %s", n.Name, ng, image)
		}
		if aws.ToString(inst.PrivateDnsName) != n.Name || string(inst.Platform) != "windows" ||
			aws.ToString(inst.Placement.AvailabilityZone) != zone || inst.State.Name != ec2types.InstanceStateNameRunning {
			t.Errorf("%s: instance %+v", n.Name, inst)
		}
		// A node of neither a node group nor a node pool is a self-managed
		// one: its instance belongs to the Auto Scaling group.
		selfManaged := n.Labels["eks.amazonaws.com/nodegroup"] == "" && n.Labels["karpenter.sh/nodepool"] == ""
		if selfManaged != (tagOf(inst.Tags, "aws:autoscaling:groupName") == "windows-self-managed") {
			t.Errorf("%s: self-managed %v, instance tags %+v", n.Name, selfManaged, inst.Tags)
		}
		if !inst.LaunchTime.Before(n.CreationTimestamp.Time) {
			t.Errorf("%s: node created %s, before its instance launched %s", n.Name, n.CreationTimestamp, inst.LaunchTime)
		}
		if image != newest {
			onOlderAMI = append(onOlderAMI, n.Name)
			imgs, err := ec2c.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{image}})
			if err != nil || len(imgs.Images) != 1 || !strings.HasSuffix(aws.ToString(imgs.Images[0].Name), "-1.35-2026.10.14") {
				t.Errorf("%s runs %s: %+v, %v", n.Name, image, imgs, err)
			}
			if n.Labels["karpenter.sh/nodepool"] != "windows" {
				t.Errorf("%s: the node on the older AMI is not the Karpenter one", n.Name)
			}
			if n.Status.NodeInfo.KernelVersion != "10.0.20348.4278" {
				t.Errorf("%s: kernel %s, want the October build", n.Name, n.Status.NodeInfo.KernelVersion)
			}
		} else if n.Status.NodeInfo.KernelVersion != "10.0.20348.4391" {
			t.Errorf("%s: kernel %s, want the November build", n.Name, n.Status.NodeInfo.KernelVersion)
		}
		if !strings.HasPrefix(n.Status.NodeInfo.KubeletVersion, "v1.35.2-") {
			olderKubelet = append(olderKubelet, n.Name)
			if !strings.HasPrefix(n.Status.NodeInfo.KubeletVersion, "v1.35.0-") || n.Labels["eks.amazonaws.com/nodegroup"] != "windows-core-b" || image != newest {
				t.Errorf("%s: kubelet %s in %q on %s", n.Name, n.Status.NodeInfo.KubeletVersion, n.Labels["eks.amazonaws.com/nodegroup"], image)
			}
		}
	}
	if len(onOlderAMI) != 1 || len(olderKubelet) != 1 || onOlderAMI[0] == olderKubelet[0] {
		t.Errorf("drift: on an older AMI %v, on an older kubelet %v; want one each, different nodes", onOlderAMI, olderKubelet)
	}

	linux, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "kubernetes.io/os=linux"})
	if err != nil || len(linux.Items) != 2 || linux.Items[0].Labels["eks.amazonaws.com/nodegroup"] != "system" {
		t.Errorf("linux nodes: %+v, %v", linux, err)
	}
}

func tagOf(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// checkWindowsNode checks what every Windows node of the demo cluster
// carries.
func checkWindowsNode(t *testing.T, n corev1.Node) {
	t.Helper()
	for _, key := range []string{"kubernetes.io/arch", "node.kubernetes.io/windows-build", "node.kubernetes.io/instance-type", "topology.kubernetes.io/zone"} {
		if n.Labels[key] == "" {
			t.Errorf("%s: no label %s", n.Name, key)
		}
	}
	if n.Labels["node.kubernetes.io/windows-build"] != "10.0.20348" || n.Labels["kubernetes.io/arch"] != "amd64" {
		t.Errorf("%s: labels %v", n.Name, n.Labels)
	}
	if n.Labels["eks.amazonaws.com/nodegroup"] != "" && n.Labels["karpenter.sh/nodepool"] != "" {
		t.Errorf("%s: both a node group and a node pool: %v", n.Name, n.Labels)
	}
	info := n.Status.NodeInfo
	if info.OperatingSystem != "windows" || info.Architecture != "amd64" || info.OSImage != "Windows Server 2022 Datacenter" ||
		!strings.HasPrefix(info.ContainerRuntimeVersion, "containerd://1.7.") || !strings.HasPrefix(info.KernelVersion, "10.0.20348.") {
		t.Errorf("%s: node info %+v", n.Name, info)
	}
	ready := false
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			ready = c.Status == corev1.ConditionTrue
		}
	}
	if !ready || n.CreationTimestamp.IsZero() {
		t.Errorf("%s: not Ready or no creation time", n.Name)
	}
}
