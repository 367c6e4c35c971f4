package images

import (
	"context"
	"strings"

	"github.com/winami/winami/pkg/imageref"
	"github.com/winami/winami/pkg/workloads"
)

// Unknown is a cluster image's verdict when it could not be read: it is not
// known to run, so it is not passed.
const Unknown Verdict = "unknown"

// ClusterImage is the verdict on one image that pods of the cluster run.
type ClusterImage struct {
	// Image is the reference as pods write it.
	Image     string     `json:"image"`
	Verdict   Verdict    `json:"verdict"`
	Reason    string     `json:"reason,omitempty"`
	ErrorKind ErrorKind  `json:"errorKind,omitempty"`
	Digest    string     `json:"digest,omitempty"`
	Platforms []Platform `json:"platforms,omitempty"`
	Chosen    *Chosen    `json:"chosen,omitempty"`
	// Workloads use the image; Pods is how many pods run it.
	Workloads []workloads.Workload `json:"workloads"`
	Pods      int                  `json:"pods"`
}

// ClusterReport is the verdict on every image the pods of a cluster's
// Windows nodes run, against a target Windows build.
type ClusterReport struct {
	Cluster string    `json:"cluster,omitempty"`
	Target  HostBuild `json:"target"`
	// Nodes are the Windows nodes with their current builds.
	Nodes []workloads.Node `json:"nodes"`
	Pods  int              `json:"pods"`
	// Images are sorted by image, each once.
	Images []ClusterImage `json:"images"`
}

// Count is how many images have the verdict.
func (r ClusterReport) Count(v Verdict) int {
	n := 0
	for _, i := range r.Images {
		if i.Verdict == v {
			n++
		}
	}
	return n
}

// CheckCluster checks the images of an inventory against the target
// build. Like Check, its error is only for a cancelled context.
func (c *Checker) CheckCluster(ctx context.Context, target HostBuild, inv workloads.Inventory) (ClusterReport, error) {
	rep := ClusterReport{Target: target, Nodes: inv.Nodes, Pods: inv.Pods, Images: make([]ClusterImage, len(inv.Images))}
	// Pods may spell one image two ways (nginx, docker.io/library/nginx:latest):
	// each full reference is read once, its verdict given to every spelling.
	var refs []imageref.Ref
	index := map[string]int{} // full reference → its index in refs
	at := make([]int, len(inv.Images))
	for i, u := range inv.Images {
		rep.Images[i] = ClusterImage{Image: u.Image, Workloads: u.Workloads, Pods: u.Pods}
		at[i] = -1
		ref, err := imageref.Parse(PodImageReference(u.Image))
		if err != nil {
			rep.Images[i].Verdict, rep.Images[i].ErrorKind = Unknown, Failed
			rep.Images[i].Reason = "not an image reference: " + err.Error()
			continue
		}
		j, ok := index[ref.String()]
		if !ok {
			j = len(refs)
			index[ref.String()] = j
			refs = append(refs, ref)
		}
		at[i] = j
	}
	checked, err := c.Check(ctx, target, refs)
	for i, j := range at {
		if j < 0 {
			continue
		}
		res, ci := checked.Images[j], &rep.Images[i]
		ci.Verdict, ci.Reason, ci.ErrorKind = res.Verdict, res.Reason, res.ErrorKind
		ci.Digest, ci.Platforms, ci.Chosen = res.Digest, res.Platforms, res.Chosen
		if res.Verdict == Error {
			ci.Verdict = Unknown
		}
	}
	return rep, err
}

// PodImageReference is the full reference of an image as a pod names it,
// completed as the container runtime completes it: a name without a
// registry (no '.' or ':' in its first part, and not localhost) is Docker
// Hub's, one without a path under it is in library/, and one with neither
// tag nor digest is :latest.
func PodImageReference(image string) string {
	name, digest, pinned := strings.Cut(image, "@")
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !hasSlash {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	if !pinned && !strings.Contains(name[strings.LastIndexByte(name, '/')+1:], ":") {
		name += ":latest"
	}
	if pinned {
		return name + "@" + digest
	}
	return name
}
