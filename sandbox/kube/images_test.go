package kube_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
	"github.com/winami/winami/sandbox/world"
)

// A node's status.images are its AMI's base images and the images its
// winami:cache record names (in the tag, or in the SSM parameter the tag
// points at), largest first, at most 50 as the kubelet reports them.
func TestNodeImagesFromTheAMICacheRecord(t *testing.T) {
	srv, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	cs := sandboxtest.Kubernetes(t, cfg, world.DemoCluster)
	list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup=windows-core-a"})
	if err != nil || len(list.Items) == 0 {
		t.Fatalf("%d nodes, %v", len(list.Items), err)
	}
	node := list.Items[0]
	amiID := node.Labels["eks.amazonaws.com/nodegroup-image"]
	if names := imageNames(node.Status.Images); !slices.Contains(names, "mcr.microsoft.com/windows/servercore:ltsc2022") {
		t.Errorf("images without a cache record: %v, want Windows Server Core's", names)
	}

	tag := "public.ecr.aws/acme/app:1.4@sha256:" + strings.Repeat("a", 64) + " public.ecr.aws/acme/agent:2"
	setCacheTag(t, srv, amiID, tag, "")
	got, err := cs.CoreV1().Nodes().Get(t.Context(), node.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := imageNames(got.Status.Images)
	for _, want := range []string{"public.ecr.aws/acme/app@sha256:" + strings.Repeat("a", 64), "public.ecr.aws/acme/app:1.4", "public.ecr.aws/acme/agent:2", "mcr.microsoft.com/windows/nanoserver:ltsc2022"} {
		if !slices.Contains(names, want) {
			t.Errorf("images %v lack %s", names, want)
		}
	}

	// Sixty images in an SSM record: the fifty largest are reported.
	var rec struct {
		Images []map[string]string `json:"images"`
	}
	for i := range 60 {
		rec.Images = append(rec.Images, map[string]string{"image": fmt.Sprintf("public.ecr.aws/acme/img%02d:1", i)})
	}
	value, _ := json.Marshal(rec)
	setCacheTag(t, srv, amiID, "ssm:/winami/demo/image-cache/0123456789abcdef", string(value))
	got, err = cs.CoreV1().Nodes().Get(t.Context(), node.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Images) != 50 {
		t.Fatalf("%d images, want the kubelet's 50", len(got.Status.Images))
	}
	if !slices.IsSortedFunc(got.Status.Images, func(a, b corev1.ContainerImage) int { return int(b.SizeBytes - a.SizeBytes) }) {
		t.Errorf("images are not largest first")
	}
}

func imageNames(imgs []corev1.ContainerImage) []string {
	var names []string
	for _, img := range imgs {
		names = append(names, img.Names...)
	}
	return names
}

// setCacheTag sets the AMI's winami:cache tag, and the SSM parameter it
// names when value is not empty.
func setCacheTag(t *testing.T, srv *sandbox.Server, amiID, tag, value string) {
	t.Helper()
	if err := srv.Store().Update(func(w *world.World) error {
		r := w.Region("us-east-1")
		img := r.Images[amiID]
		if img == nil {
			return fmt.Errorf("no AMI %s", amiID)
		}
		if img.Tags == nil {
			img.Tags = map[string]string{}
		}
		img.Tags["winami:cache"] = tag
		if value != "" {
			name := strings.TrimPrefix(tag, "ssm:")
			r.Parameters[name] = &world.Parameter{Name: name, ParameterVersion: world.ParameterVersion{Type: "String", Value: value, DataType: "text", Tier: "Standard", Version: 1}}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
