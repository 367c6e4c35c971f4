package rollout

import (
	"fmt"
	"strings"
)

// Check is how a group's nodes stand against its Expect.
type Check struct {
	// Total is the group's Windows nodes now (old and new).
	Total int `json:"total"`
	// Verified are on g.Expect.AMI, Ready, not cordoned, with the
	// expected kubelet, Windows build and cached images.
	Verified int `json:"verified"`
	// Old are on another AMI (or one EC2 does not show yet): still to be
	// replaced.
	Old int `json:"old"`
	// Problems has one line per node on the AMI that fails a check:
	// "ip-…: not Ready", "ip-…: kubelet v1.35.0, want v1.35.2",
	// "ip-…: cached image X missing" (several joined by "; ").
	Problems []string `json:"problems,omitempty"`
}

// Verify checks the nodes of group g (by owner) against g.Expect.
func Verify(nodes []NodeState, g *Group) Check {
	var c Check
	want := g.Expect
	for i := range nodes {
		n := &nodes[i]
		if n.OwnerKind != g.Kind || n.OwnerName != g.Name {
			continue
		}
		c.Total++
		if n.AMI == "" || n.AMI != want.AMI {
			c.Old++
			continue
		}
		var bad []string
		if !n.Ready {
			bad = append(bad, "not Ready")
		}
		if n.Unschedulable {
			bad = append(bad, "cordoned")
		}
		if want.Kubelet != "" && !kubeletMatches(want.Kubelet, n.Kubelet) {
			bad = append(bad, fmt.Sprintf("kubelet %s, want %s", orNone(n.Kubelet), want.Kubelet))
		}
		if want.WindowsBuild != "" && !buildMatches(want.WindowsBuild, n.WindowsBuild) {
			bad = append(bad, fmt.Sprintf("Windows build %s, want %s", orNone(n.WindowsBuild), want.WindowsBuild))
		}
		if len(want.CachedImages) > 0 {
			held := make(map[string]bool, len(n.Images))
			for _, name := range n.Images {
				held[normalizeRef(name)] = true
			}
			for _, ref := range want.CachedImages {
				if !held[expectedName(ref)] {
					bad = append(bad, "cached image "+ref+" missing")
				}
			}
		}
		if len(bad) > 0 {
			c.Problems = append(c.Problems, n.Name+": "+strings.Join(bad, "; "))
			continue
		}
		c.Verified++
	}
	return c
}

// kubeletMatches compares versions without the build suffix, at the
// precision of want: "v1.35" (all the AMI's tags record) matches any
// 1.35 patch, "v1.35.2" only 1.35.2 ("v1.35.2-eks-ba74326" included).
func kubeletMatches(want, got string) bool {
	w, g := kubeletCore(want), kubeletCore(got)
	if strings.Count(w, ".") < 2 {
		return g == w || strings.HasPrefix(g, w+".")
	}
	return g == w
}

// kubeletCore is "1.35.2" of "v1.35.2-eks-ba74326".
func kubeletCore(v string) string {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	return v
}

// buildMatches compares Windows builds on what the node label holds,
// major.minor.build ("10.0.20348"): an AMI's tag may add the revision.
func buildMatches(want, got string) bool {
	return buildOf(want) == buildOf(got)
}

// buildOf is "10.0.20348" of "10.0.20348.2700".
func buildOf(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return strings.Join(parts, ".")
}

// expectedName is the name a kubelet reports for a cached reference: a
// reference pinned to a digest is reported in its digest form
// (repo@sha256:…, without the tag), one by tag in its tag form.
func expectedName(ref string) string {
	name, digest, pinned := strings.Cut(ref, "@")
	if pinned {
		return normalizeRef(repoOf(name) + "@" + digest)
	}
	return normalizeRef(name)
}

// repoOf is the repository of "repo[:tag]" (a registry's port is not a
// tag: the tag follows the last slash).
func repoOf(name string) string {
	slash := strings.LastIndexByte(name, '/')
	if colon := strings.IndexByte(name[slash+1:], ':'); colon >= 0 {
		return name[:slash+1+colon]
	}
	return name
}

// normalizeRef spells a reference as the container runtime does: Docker
// Hub's short names in full ("nginx:1" is docker.io/library/nginx:1) and
// an untagged, undigested one as :latest.
func normalizeRef(ref string) string {
	name, digest, pinned := strings.Cut(ref, "@")
	first, _, hasSlash := strings.Cut(name, "/")
	switch {
	case !hasSlash:
		name = "docker.io/library/" + name
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		name = "docker.io/" + name
	}
	if pinned {
		return name + "@" + digest
	}
	if repoOf(name) == name {
		name += ":latest"
	}
	return name
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
