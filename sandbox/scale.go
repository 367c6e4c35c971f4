package sandbox

import (
	"github.com/winami/winami/sandbox/state"
	"github.com/winami/winami/sandbox/world"
)

// seedScale attaches the --nodes scale cluster, or with clusters > 0 the
// --clusters fleet of clusters × nodes, to the store's world. It is
// derived from the stored world's seed, so a world loaded from a state file
// gets the same cluster; it is attached, not saved, because snapshotting
// ten thousand nodes on every change would slow every write.
func seedScale(store *state.Store, clusters, nodes int) error {
	if nodes <= 0 && clusters <= 0 {
		return nil
	}
	var extra *world.Extra
	err := store.View(func(w *world.World) error {
		var err error
		if clusters > 0 {
			extra, err = world.SeedFleetClusters(w, clusters, nodes)
		} else {
			extra, err = world.SeedScale(w, nodes)
		}
		return err
	})
	if err != nil {
		return err
	}
	store.SetExtra(extra)
	// The fleet's launch template is the region's: a rollout adds versions
	// to it, saved with the world.
	return store.Update(func(w *world.World) error { w.AdoptFleetTemplates(); return nil })
}
