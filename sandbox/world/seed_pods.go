package world

import (
	"fmt"
	"strconv"
	"time"
)

// Images of the seeded pods. They are references the sandbox registry
// serves (sandbox/registry's seed; a test in sandbox/kube checks they stay
// in step), but one: PodImageMissing, which no registry holds.
var (
	// PodImageLogAgent runs on every Windows node (a DaemonSet): nanoserver
	// ltsc2022, built for 10.0.20348 only.
	PodImageLogAgent = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
	// PodImageServerCore2022 is the init container of payments-api and the
	// image of a bare debugging pod.
	PodImageServerCore2022 = "mcr.microsoft.com/windows/servercore:ltsc2022"
	// PodImagePaymentsAPI is built for Windows Server 2022 only.
	PodImagePaymentsAPI = ECRImage(DefaultAccountID, "us-east-1", "payments/api:1.4.2")
	// PodImagePaymentsWorker is built for Windows Server 2019 only.
	PodImagePaymentsWorker = ECRImage(DefaultAccountID, "us-east-1", "payments/worker:2.0.0")
	// PodImageLedger, the partner account's base image, has entries for
	// 2022 and 2025.
	PodImageLedger = ECRImage(PartnerAccountID, "eu-west-1", "platform/base:2025.10")
	// PodImageReport, a Job's, is servercore ltsc2019 (10.0.17763).
	PodImageReport = "mcr.microsoft.com/windows/servercore:ltsc2019"
	// PodImageMissing is a tag no registry holds.
	PodImageMissing = ECRImage(DefaultAccountID, "us-east-1", "payments/gateway:0.9.1")
	// PodImageStorefront is a Linux image, on the Linux nodes.
	PodImageStorefront = "public.ecr.aws/docker/library/nginx:1.27"
)

// ECRImage is the reference of a repository:tag in an account's ECR.
func ECRImage(account, region, repoTag string) string {
	return account + ".dkr.ecr." + region + ".amazonaws.com/" + repoTag
}

// podWorkload is a controller and the pods it runs.
type podWorkload struct {
	namespace, kind, name string
	replicas              int // per node for a DaemonSet
	init, images          []string
	os                    string // kubernetes.io/os of the nodes it runs on
}

// demoWorkloads are the demo cluster's workloads: on the Windows nodes,
// every kind of owner and images that will and will not run on Windows
// Server 2025; on the Linux nodes, a Linux web server.
func demoWorkloads() []podWorkload {
	return []podWorkload{
		{namespace: "kube-system", kind: "DaemonSet", name: "windows-log-agent", replicas: 1, images: []string{PodImageLogAgent}, os: "windows"},
		{namespace: "payments", kind: "Deployment", name: "payments-api", replicas: 3, init: []string{PodImageServerCore2022}, images: []string{PodImagePaymentsAPI}, os: "windows"},
		{namespace: "payments", kind: "Deployment", name: "payments-worker", replicas: 2, images: []string{PodImagePaymentsWorker}, os: "windows"},
		{namespace: "payments", kind: "Deployment", name: "payments-gateway", replicas: 1, images: []string{PodImageMissing}, os: "windows"},
		{namespace: "platform", kind: "StatefulSet", name: "ledger", replicas: 2, images: []string{PodImageLedger}, os: "windows"},
		{namespace: "batch", kind: "Job", name: "monthly-report-29401920", replicas: 1, images: []string{PodImageReport}, os: "windows"},
		{namespace: "default", kind: "", name: "debug-shell", replicas: 1, images: []string{PodImageServerCore2022}, os: "windows"},
		{namespace: "web", kind: "Deployment", name: "storefront", replicas: 2, images: []string{PodImageStorefront}, os: "linux"},
	}
}

// seedPods gives the demo cluster its pods, placed round-robin on the
// nodes of their OS, as the scheduler would spread them.
func seedPods(_ *World, r *Region, g *gen) {
	c := r.Clusters[DemoCluster]
	if r.Name != "us-east-1" || c == nil {
		return
	}
	byOS := map[string][]*Node{}
	for _, n := range c.Nodes {
		os := n.Labels["kubernetes.io/os"]
		byOS[os] = append(byOS[os], n)
	}
	rv := strconv.FormatInt(c.CurrentResourceVersion(), 10)
	next := map[string]int{}
	for _, wl := range demoWorkloads() {
		nodes := byOS[wl.os]
		if len(nodes) == 0 {
			continue
		}
		owner, hash := wl.owner(g)
		count := wl.replicas
		if wl.kind == "DaemonSet" {
			count = len(nodes)
		}
		for i := range count {
			var n *Node
			if wl.kind == "DaemonSet" {
				n = nodes[i]
			} else {
				n = nodes[next[wl.os]%len(nodes)]
				next[wl.os]++
			}
			p := &Pod{
				Namespace: wl.namespace, Name: wl.podName(g, hash, i), UID: uuid(g), ResourceVersion: rv,
				CreationTimestamp: n.CreationTimestamp.Add(g.jitter(2*time.Minute, 30*time.Minute)),
				Labels:            map[string]string{"app.kubernetes.io/name": wl.name},
				Owner:             owner, NodeName: n.Name, Phase: "Running",
				NodeSelector: map[string]string{"kubernetes.io/os": wl.os},
			}
			switch wl.kind {
			case "Deployment":
				p.Labels["pod-template-hash"] = hash
			case "Job":
				p.Labels["job-name"] = wl.name
				p.Labels["batch.kubernetes.io/job-name"] = wl.name
			case "StatefulSet":
				p.Labels["statefulset.kubernetes.io/pod-name"] = p.Name
			}
			for j, img := range wl.init {
				p.InitContainers = append(p.InitContainers, Container{Name: fmt.Sprintf("init-%d", j), Image: img})
			}
			for j, img := range wl.images {
				name := wl.name
				if j > 0 {
					name = fmt.Sprintf("%s-%d", wl.name, j)
				}
				p.Containers = append(p.Containers, Container{Name: name, Image: img})
			}
			c.Pods = append(c.Pods, p)
		}
	}
	c.sortPods()
}

// owner is the pod's controller reference: for a Deployment its
// ReplicaSet, named after the Deployment and the pod template's hash, which
// it also returns.
func (wl podWorkload) owner(g *gen) (*OwnerRef, string) {
	switch wl.kind {
	case "":
		return nil, ""
	case "Deployment":
		hash := randomSuffix(g, 10)
		return &OwnerRef{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: wl.name + "-" + hash, UID: uuid(g)}, hash
	case "Job":
		return &OwnerRef{APIVersion: "batch/v1", Kind: "Job", Name: wl.name, UID: uuid(g)}, ""
	}
	return &OwnerRef{APIVersion: "apps/v1", Kind: wl.kind, Name: wl.name, UID: uuid(g)}, ""
}

// podName is the name a controller gives its i-th pod.
func (wl podWorkload) podName(g *gen, hash string, i int) string {
	switch wl.kind {
	case "":
		return wl.name
	case "StatefulSet":
		return fmt.Sprintf("%s-%d", wl.name, i)
	case "Deployment":
		return wl.name + "-" + hash + "-" + randomSuffix(g, 5)
	}
	return wl.name + "-" + randomSuffix(g, 5)
}

// randomSuffix draws n characters of nameSuffixAlphabet.
func randomSuffix(g *gen, n int) string {
	const alphabet = nameSuffixAlphabet
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}
