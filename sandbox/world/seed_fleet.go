package world

import "time"

// BadAMIName is the name of the seeded broken AMI (us-east-1, owned by the
// account): it is available and launches, but its nodes never become
// Ready, so that a rollout onto it fails its first wave and rolls back.
const BadAMIName = "winami-broken-2022-core-1.35-20261118"

// seedFleet adds what the rollouts need beside the demo cluster: the bad
// AMI. It draws from a stream of its own, so the rest of the world keeps
// its IDs.
func seedFleet(w *World, r *Region, g *gen) {
	if r.Name != "us-east-1" {
		return
	}
	created := time.Date(2026, time.November, 18, 9, 0, 0, 0, time.UTC).Add(g.jitter(0, time.Hour))
	bad := windowsImage(g, BadAMIName, "winami demo: a broken Windows Server 2022 Core image whose nodes never join", created, 50)
	bad.OwnerID, bad.OwnerAlias, bad.Public, bad.DeprecationTime = w.AccountID, "", false, nil
	bad.OSBuild = WindowsOSBuild("2022", created)
	bad.Tags = map[string]string{"Name": "winami-broken", "winami:kubernetes": "1.35", "purpose": "rollback drills"}
	bad.NodesNeverReady = true
	r.Images[bad.ImageID] = bad
}
