package drift

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/winami/winami/pkg/amimeta"
	"github.com/winami/winami/pkg/eksami"
)

// releaseOf is an EKS optimized AMI's release version ("1.35-2026.11.11"),
// or "" for other AMIs.
func releaseOf(name string) string {
	key, date, err := eksami.ParseAMIName(name)
	if err != nil {
		return ""
	}
	return key.ReleaseVersion(date)
}

// keyOf is the (Windows, edition, Kubernetes) an AMI was made for: from an
// EKS optimized AMI's name, or the tags winami puts on its AMIs; kubernetes
// is used when the AMI does not say.
func keyOf(im image, kubernetes string) (eksami.Key, bool) {
	if key, _, err := eksami.ParseAMIName(im.name); err == nil {
		if kubernetes != "" {
			key.Kubernetes = kubernetes
		}
		return key, true
	}
	if w, e := im.tags[amimeta.TagWindows], im.tags[amimeta.TagEdition]; w != "" && e != "" {
		k := im.tags[amimeta.TagKubernetes]
		if kubernetes != "" {
			k = kubernetes
		}
		key, err := eksami.ParseKey(w, e, k)
		return key, err == nil
	}
	return eksami.Key{}, false
}

// kubeletCore is "1.35.2" of "v1.35.2-eks-ba74326": builds of one patch
// release are the same kubelet.
func kubeletCore(v string) string {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	return v
}

// minorOf is 35 of "v1.35.2…" or "1.35".
func minorOf(v string) (int, bool) {
	parts := strings.Split(kubeletCore(v), ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, false
	}
	m, err := strconv.Atoi(parts[1])
	return m, err == nil
}

// mostCommon is the value most nodes have (ties: the greatest, so that a
// fleet half-way through an upgrade points forward).
func mostCommon(nodes []*Node, value func(*Node) string) string {
	counts := map[string]int{}
	for _, n := range nodes {
		if v := value(n); v != "" {
			counts[v]++
		}
	}
	best, bestN := "", 0
	for v, n := range counts {
		if n > bestN || (n == bestN && v > best) {
			best, bestN = v, n
		}
	}
	return best
}

// analyze decides what each node lacks of the desired state, and groups.
func analyze(r *Report) {
	nodes := make([]*Node, len(r.Nodes))
	for i := range r.Nodes {
		nodes[i] = &r.Nodes[i]
	}
	if r.Desired.Mode == "majority" {
		r.Desired.AMI = mostCommon(nodes, func(n *Node) string { return n.AMI })
	}
	// Kubelet and build: what most nodes on the desired AMI run, or most
	// nodes at all when none runs it (or there is none).
	basis := slices.DeleteFunc(slices.Clone(nodes), func(n *Node) bool { return r.Desired.AMI == "" || n.AMI != r.Desired.AMI })
	if len(basis) == 0 {
		basis = nodes
	}
	r.Desired.Kubelet = mostCommon(basis, func(n *Node) string { return kubeletCore(n.KubeletVersion) })
	r.Desired.WindowsBuild = mostCommon(basis, func(n *Node) string { return n.KernelVersion })
	cpMinor, cpKnown := minorOf(r.ControlPlane)

	for _, n := range nodes {
		add := func(kind, format string, args ...any) {
			n.Reasons = append(n.Reasons, Reason{Kind: kind, Detail: fmt.Sprintf(format, args...)})
		}
		switch {
		case n.AMI == "" && n.InstanceID == "":
			add(ReasonUnknownInstance, "the node has no AWS providerID")
		case n.AMI == "":
			add(ReasonUnknownInstance, "instance %s is not in EC2 (terminated, or another account or region)", n.InstanceID)
		case r.Desired.Mode == "latest":
			if want, ok := r.Desired.Latest[n.latestKey]; ok && n.AMI != want.AMI {
				add(ReasonAMINotLatest, "%s %s; the newest release is %s (%s)", n.AMI, orUnknown(n.ReleaseVersion), want.ReleaseVersion, want.AMI)
			}
		case r.Desired.AMI != "" && n.AMI != r.Desired.AMI:
			add(ReasonAMIDiffers, "%s %s; desired %s", n.AMI, orUnknown(n.ReleaseVersion), r.Desired.AMI)
		}
		if kubeletCore(n.KubeletVersion) != r.Desired.Kubelet {
			add(ReasonKubeletDiffers, "%s; desired %s", n.KubeletVersion, r.Desired.Kubelet)
		}
		if m, ok := minorOf(n.KubeletVersion); ok && cpKnown && (cpMinor-m > maxKubeletMinorSkew || m > cpMinor) {
			add(ReasonKubeletBehindCP, "kubelet %s against control plane %s: beyond the supported skew (kubelet up to %d minor versions older, never newer)", n.KubeletVersion, r.ControlPlane, maxKubeletMinorSkew)
		}
		if n.KernelVersion != r.Desired.WindowsBuild {
			add(ReasonOSBuildDiffers, "%s; desired %s", orUnknown(n.KernelVersion), r.Desired.WindowsBuild)
		}
		if !n.Ready {
			add(ReasonNotReady, "the node is not Ready")
		}
	}
	r.Groups = groups(r.Nodes)
	r.Summary = Summary{WindowsNodes: len(r.Nodes), Groups: len(r.Groups)}
	for _, n := range r.Nodes {
		if n.Drifted() {
			r.Summary.Drifted++
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// groups gathers the nodes by (AMI, kubelet, Windows build), biggest first.
func groups(nodes []Node) []Group {
	type key struct{ ami, kubelet, build string }
	byKey := map[key]*Group{}
	var order []key
	for _, n := range nodes {
		k := key{n.AMI, kubeletCore(n.KubeletVersion), n.KernelVersion}
		g := byKey[k]
		if g == nil {
			g = &Group{AMI: n.AMI, AMIName: n.AMIName, Kubelet: k.kubelet, WindowsBuild: n.KernelVersion}
			byKey[k] = g
			order = append(order, k)
		}
		g.Nodes = append(g.Nodes, n.Name)
	}
	out := make([]Group, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(len(b.Nodes), len(a.Nodes)), cmp.Compare(a.AMI, b.AMI), cmp.Compare(a.Kubelet, b.Kubelet))
	})
	return out
}
