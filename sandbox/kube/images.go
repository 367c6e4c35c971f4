package kube

import (
	"cmp"
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/world"
)

// maxNodeImages is how many images a kubelet reports in status.images by
// default (--node-status-max-images), the largest first.
const maxNodeImages = 50

// cacheTag is the AMI tag where winami records the images an AMI caches:
// the references, space-separated, or "ssm:<parameter>" naming an SSM
// parameter of the AMI's region that holds {"images":[{"image","digest"}]}.
// The sandbox reads the record as a node's container runtime would have
// pulled it, with its own reading of the format (sandbox/ imports nothing
// from pkg/).
const cacheTag = "winami:cache"

// containerImageJSON is a v1 ContainerImage.
type containerImageJSON struct {
	Names     []string `json:"names"`
	SizeBytes int64    `json:"sizeBytes"`
}

// nodeImages finds what a node's kubelet reports in status.images: the
// images its AMI holds, which are the AMI's base images (Windows Server's
// own and the pause image) and the images of its cache record. It keeps
// the answer per AMI, for lists of many nodes on few AMIs.
type nodeImages struct {
	wd     *world.World
	region string
	byAMI  map[string][]containerImageJSON
}

func newNodeImages(wd *world.World, region string) *nodeImages {
	return &nodeImages{wd: wd, region: region, byAMI: map[string][]containerImageJSON{}}
}

// of is the node's status.images, or nil when its instance or AMI is not
// in the world.
func (ni *nodeImages) of(n *world.Node) []containerImageJSON {
	if ni == nil {
		return nil
	}
	id := n.ProviderID[strings.LastIndexByte(n.ProviderID, '/')+1:]
	inst := ni.wd.Instance(ni.region, id)
	if inst == nil {
		return nil
	}
	if imgs, ok := ni.byAMI[inst.ImageID]; ok {
		return imgs
	}
	var imgs []containerImageJSON
	if r := ni.wd.Region(ni.region); r != nil && r.Images[inst.ImageID] != nil {
		imgs = amiImages(r, r.Images[inst.ImageID])
	}
	ni.byAMI[inst.ImageID] = imgs
	return imgs
}

// amiImages are the images on a fresh node of the AMI, largest first, at
// most maxNodeImages.
func amiImages(r *world.Region, img *world.Image) []containerImageJSON {
	var out []containerImageJSON
	add := func(ref string, size int64) {
		out = append(out, containerImageJSON{Names: imageNames(ref), SizeBytes: size})
	}
	if img.Platform == "windows" {
		ltsc := windowsLTSC(img.OSBuild)
		add("mcr.microsoft.com/windows/servercore:"+ltsc, sizeOf("servercore", 2_100_000_000, 400_000_000))
		add("mcr.microsoft.com/windows/nanoserver:"+ltsc, sizeOf("nanoserver", 110_000_000, 30_000_000))
		add("amazonaws.com/eks/pause-windows:latest", sizeOf("pause-windows", 105_000_000, 20_000_000))
	} else {
		add("602401143452.dkr.ecr."+r.Name+".amazonaws.com/eks/pause:3.10", 299_513)
	}
	for _, ref := range cacheRecord(r, img.Tags[cacheTag]) {
		add(ref, sizeOf(ref, 150_000_000, 1_500_000_000))
	}
	// Largest first, as the kubelet sorts them; names break ties so the
	// order is stable.
	slices.SortStableFunc(out, func(a, b containerImageJSON) int {
		return cmp.Or(cmp.Compare(b.SizeBytes, a.SizeBytes), strings.Compare(a.Names[0], b.Names[0]))
	})
	if len(out) > maxNodeImages {
		out = out[:maxNodeImages]
	}
	return out
}

// cacheRecord are the references of a winami:cache tag's value.
func cacheRecord(r *world.Region, value string) []string {
	name, ok := strings.CutPrefix(value, "ssm:")
	if !ok {
		return strings.Fields(value)
	}
	p := r.Parameters[name]
	if p == nil {
		return nil
	}
	var rec struct {
		Images []struct {
			Image  string `json:"image"`
			Digest string `json:"digest"`
		} `json:"images"`
	}
	if json.Unmarshal([]byte(p.Value), &rec) != nil {
		return nil
	}
	refs := make([]string, 0, len(rec.Images))
	for _, i := range rec.Images {
		ref := i.Image
		if i.Digest != "" && !strings.HasSuffix(ref, "@"+i.Digest) {
			ref += "@" + i.Digest
		}
		refs = append(refs, ref)
	}
	return refs
}

// imageNames are the names the container runtime reports for a pulled
// reference: the repository's digest form first, then its tag form.
func imageNames(ref string) []string {
	name, digest, pinned := strings.Cut(ref, "@")
	repo, tagged := name, false
	if slash := strings.LastIndexByte(name, '/'); strings.Contains(name[slash+1:], ":") {
		repo, tagged = name[:slash+1+strings.IndexByte(name[slash+1:], ':')], true
	}
	var names []string
	if pinned {
		names = append(names, repo+"@"+digest)
	}
	if tagged || !pinned {
		names = append(names, name)
	}
	return names
}

// windowsLTSC is the Windows Server container tag of an OS build.
func windowsLTSC(osBuild string) string {
	switch {
	case strings.HasPrefix(osBuild, "10.0.17763"):
		return "ltsc2019"
	case strings.HasPrefix(osBuild, "10.0.26100"):
		return "ltsc2025"
	}
	return "ltsc2022"
}

// sizeOf is a stable made-up size for an image: base plus up to spread.
func sizeOf(key string, base, spread int64) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return base + int64(h.Sum64()%uint64(spread))
}
