// Package workloads reads what runs on a cluster's Windows nodes: the pods
// bound to them (or waiting for one), the workload that owns each pod, and
// the container images they run, each image once with the workloads that
// use it. It backs `winami images check --cluster`.
//
// Calls: the Windows nodes in pages of 500 (labelSelector
// kubernetes.io/os=windows), then every pod of the cluster in pages of 500
// (fieldSelector status.phase!=Succeeded,status.phase!=Failed), kept when
// its node is one of those Windows nodes. A fieldSelector spec.nodeName per
// node would cost a request per node (500 for 500 nodes); one paged list
// costs a request per 500 pods whatever the number of nodes, and pods carry
// no label naming their node's OS.
//
// Owners: a pod's controller reference names its workload, except that a
// Deployment's pods are owned by a ReplicaSet. The Deployment is read from
// the ReplicaSet's name, which the Deployment controller makes of its own
// name and the pod template's hash, the pod's pod-template-hash label; no
// ReplicaSet is read, so the caller needs only list on nodes and pods.
package workloads

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/winami/winami/internal/kubelist"
	"github.com/winami/winami/pkg/awsapi"
)

// PageSize is how many nodes or pods one list request asks for.
const PageSize = 500

// Well-known labels.
const (
	labelOS           = "kubernetes.io/os"
	labelWindowsBuild = "node.kubernetes.io/windows-build"
	labelTemplateHash = "pod-template-hash"
)

// NodeLister lists nodes (drift.LeanNodes is one).
type NodeLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*corev1.NodeList, error)
}

// Workload is what owns pods: a Deployment, DaemonSet, StatefulSet, Job (or
// ReplicaSet or any other controller's kind), or a bare Pod.
type Workload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (w Workload) String() string { return w.Kind + " " + w.Namespace + "/" + w.Name }

func (w Workload) compare(o Workload) int {
	return cmp.Or(strings.Compare(w.Namespace, o.Namespace), strings.Compare(w.Name, o.Name), strings.Compare(w.Kind, o.Kind))
}

// ImageUse is one image as pods write it, and who runs it.
type ImageUse struct {
	Image     string     `json:"image"`
	Workloads []Workload `json:"workloads"`
	// Pods is how many pods run it.
	Pods int `json:"pods"`
}

// Node is a Windows node and its build (node.kubernetes.io/windows-build).
type Node struct {
	Name         string `json:"name"`
	WindowsBuild string `json:"windowsBuild,omitempty"`
}

// Inventory is what runs on the cluster's Windows nodes.
type Inventory struct {
	Nodes []Node `json:"nodes"`
	// Pods is how many pods are on (or bound for) the Windows nodes.
	Pods int `json:"pods"`
	// Images are sorted by image.
	Images []ImageUse `json:"images"`
}

// Reader reads an inventory.
type Reader struct {
	Nodes NodeLister
	// Pods is a REST client of the core v1 API (drift.KubeClient).
	Pods rest.Interface
}

// Read lists the Windows nodes and the pods on them.
func (r Reader) Read(ctx context.Context) (Inventory, error) {
	var inv Inventory
	windows := map[string]bool{}
	opts := metav1.ListOptions{LabelSelector: labelOS + "=windows", Limit: PageSize}
	for {
		page, err := r.Nodes.List(ctx, opts)
		if err != nil {
			return inv, explain(fmt.Errorf("listing the Windows nodes: %w", err))
		}
		for _, n := range page.Items {
			windows[n.Name] = true
			inv.Nodes = append(inv.Nodes, Node{Name: n.Name, WindowsBuild: n.Labels[labelWindowsBuild]})
		}
		if page.Continue == "" {
			break
		}
		opts.Continue = page.Continue
	}
	uses := map[string]*ImageUse{}
	opts = metav1.ListOptions{FieldSelector: "status.phase!=Succeeded,status.phase!=Failed", Limit: PageSize}
	for {
		page, err := listPods(ctx, r.Pods, opts)
		if err != nil {
			return inv, explain(fmt.Errorf("listing the pods: %w", err))
		}
		for _, p := range page.Items {
			if !p.onWindows(windows) {
				continue
			}
			inv.Pods++
			wl := p.workload()
			seen := map[string]bool{}
			for _, c := range slices.Concat(p.Spec.InitContainers, p.Spec.Containers) {
				if c.Image == "" || seen[c.Image] {
					continue
				}
				seen[c.Image] = true
				u := uses[c.Image]
				if u == nil {
					u = &ImageUse{Image: c.Image}
					uses[c.Image] = u
				}
				u.Pods++
				if !slices.Contains(u.Workloads, wl) {
					u.Workloads = append(u.Workloads, wl)
				}
			}
		}
		if page.Metadata.Continue == "" {
			break
		}
		opts.Continue = page.Metadata.Continue
	}
	for _, u := range uses {
		slices.SortFunc(u.Workloads, Workload.compare)
		inv.Images = append(inv.Images, *u)
	}
	slices.SortFunc(inv.Images, func(a, b ImageUse) int { return strings.Compare(a.Image, b.Image) })
	return inv, nil
}

// explain says what to do about the API server's refusals.
func explain(err error) error {
	switch {
	case apierrors.IsUnauthorized(err):
		return &awsapi.ExplainedError{Message: "the API server refused the credentials (401 Unauthorized): refresh them (aws eks update-kubeconfig --name CLUSTER, or --cluster) and check that your IAM identity has an EKS access entry", Err: err}
	case apierrors.IsForbidden(err):
		return &awsapi.ExplainedError{Message: "the credentials may not list nodes and pods (403 Forbidden): grant list on nodes and pods, cluster-wide, to your identity", Err: err}
	}
	return err
}

// leanPod is what a pod list's item is read for.
type leanPod struct {
	Metadata struct {
		Name            string            `json:"name"`
		Namespace       string            `json:"namespace"`
		Labels          map[string]string `json:"labels"`
		OwnerReferences []struct {
			Kind       string `json:"kind"`
			Name       string `json:"name"`
			Controller *bool  `json:"controller"`
		} `json:"ownerReferences"`
	} `json:"metadata"`
	Spec struct {
		NodeName       string            `json:"nodeName"`
		NodeSelector   map[string]string `json:"nodeSelector"`
		InitContainers []leanContainer   `json:"initContainers"`
		Containers     []leanContainer   `json:"containers"`
	} `json:"spec"`
}

type leanContainer struct {
	Image string `json:"image"`
}

type podPage struct {
	Metadata struct {
		Continue string `json:"continue"`
	} `json:"metadata"`
	Items []leanPod `json:"items"`
}

// onWindows: bound to a Windows node, or not yet bound and selecting
// Windows nodes (a pending pod will land on one).
func (p *leanPod) onWindows(windows map[string]bool) bool {
	if p.Spec.NodeName != "" {
		return windows[p.Spec.NodeName]
	}
	return p.Spec.NodeSelector[labelOS] == "windows"
}

// workload is the pod's owner as users name it.
func (p *leanPod) workload() Workload {
	m := p.Metadata
	for _, o := range m.OwnerReferences {
		if o.Controller == nil || !*o.Controller {
			continue
		}
		if o.Kind == "ReplicaSet" {
			if h := m.Labels[labelTemplateHash]; h != "" {
				if d, ok := strings.CutSuffix(o.Name, "-"+h); ok && d != "" {
					return Workload{Kind: "Deployment", Namespace: m.Namespace, Name: d}
				}
			}
		}
		return Workload{Kind: o.Kind, Namespace: m.Namespace, Name: o.Name}
	}
	return Workload{Kind: "Pod", Namespace: m.Namespace, Name: m.Name}
}

// listPods is GET /api/v1/pods with opts, decoded lean.
func listPods(ctx context.Context, client rest.Interface, opts metav1.ListOptions) (*podPage, error) {
	var page podPage
	if err := kubelist.List(ctx, client, "pods", opts, &page); err != nil {
		return nil, err
	}
	return &page, nil
}
