package world

import (
	"fmt"
	"hash/fnv"
)

// ResourceID is a resource ID of the current 17-hex-digit form derived from
// seed, so that the same requests give the same IDs in every run; taken
// (nil: none) reports IDs already in use, and the next derivation is tried.
func ResourceID(prefix, seed string, taken func(string) bool) string {
	for i := 0; ; i++ {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s#%d", seed, i)
		if id := fmt.Sprintf("%s-0%016x", prefix, h.Sum64()); taken == nil || !taken(id) {
			return id
		}
	}
}

// NewImageID is an AMI ID derived from seed that no region's image has.
func (w *World) NewImageID(seed string) string {
	return ResourceID("ami", seed, func(id string) bool {
		for _, r := range w.Regions {
			if r.Images[id] != nil {
				return true
			}
		}
		return false
	})
}

// NewSnapshotID is a snapshot ID derived from seed that no region's
// snapshot or image block device has.
func (w *World) NewSnapshotID(seed string) string {
	return ResourceID("snap", seed, func(id string) bool {
		for _, r := range w.Regions {
			if r.Snapshots[id] != nil {
				return true
			}
			for _, img := range r.Images {
				for _, bd := range img.BlockDevices {
					if bd.SnapshotID == id {
						return true
					}
				}
			}
		}
		return false
	})
}

// ImageNamed is the owner's registered AMI of that name in the region, or
// nil: EC2 keeps AMI names unique per account and region, so CopyImage and
// Image Builder's distribution refuse a name one of these has.
func (r *Region) ImageNamed(owner, name string) *Image {
	for _, img := range r.Images {
		if img.OwnerID == owner && img.Name == name && img.State != "deregistered" {
			return img
		}
	}
	return nil
}
