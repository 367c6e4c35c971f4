package ec2

import (
	"context"
	"regexp"
	"slices"
	"sync"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

var snapshotIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^snap-([0-9a-f]{8}|[0-9a-f]{17})$`) })

type deleteSnapshotResult struct {
	SnapshotID string `xml:"snapshotId"`
	ReturnCode string `xml:"returnCode"`
}

type deregisterImageResponse struct {
	Return  bool                   `xml:"return"`
	Results []deleteSnapshotResult `xml:"deleteSnapshotResultSet>item"`
}

// deregisterImage removes one of the account's AMIs. Its snapshots stay
// unless DeleteAssociatedSnapshots asks otherwise and no other image uses
// them, as EC2 does.
func (s *service) deregisterImage(ctx context.Context, req *protocol.Request) (any, error) {
	id, err := imageIDParam(req)
	if err != nil {
		return nil, err
	}
	deleteSnapshots, err := boolParam(req, "DeleteAssociatedSnapshots")
	if err != nil {
		return nil, err
	}
	out := &deregisterImageResponse{Return: true}
	err = s.update(ctx, func(w *world.World) error {
		r, img, err := ownImage(w, req, id)
		if err != nil {
			return err
		}
		delete(r.Images, id)
		if r.Snapshots == nil {
			r.Snapshots = map[string]*world.Snapshot{}
		}
		for _, bd := range img.BlockDevices {
			if bd.SnapshotID == "" {
				continue
			}
			inUse := snapshotInUse(r, bd.SnapshotID) != ""
			switch {
			case deleteSnapshots && !inUse:
				out.Results = append(out.Results, deleteSnapshotResult{SnapshotID: bd.SnapshotID, ReturnCode: "success"})
			case deleteSnapshots:
				out.Results = append(out.Results, deleteSnapshotResult{SnapshotID: bd.SnapshotID, ReturnCode: "skipped"})
			case !inUse:
				r.Snapshots[bd.SnapshotID] = &world.Snapshot{SnapshotID: bd.SnapshotID, OwnerID: img.OwnerID, VolumeSize: bd.VolumeSize}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type deleteSnapshotResponse struct {
	Return bool `xml:"return"`
}

// deleteSnapshot deletes a snapshot no registered image uses.
func (s *service) deleteSnapshot(ctx context.Context, req *protocol.Request) (any, error) {
	id := req.Params.Get("SnapshotId")
	switch {
	case id == "":
		return nil, protocol.Errorf("MissingParameter", "The request must contain the parameter SnapshotId")
	case !snapshotIDPattern().MatchString(id):
		return nil, protocol.Errorf("InvalidSnapshotID.Malformed", `Invalid id: "%s" (expecting "snap-...")`, id)
	}
	err := s.update(ctx, func(w *world.World) error {
		r, err := regionOf(w, req)
		if err != nil {
			return err
		}
		if ami := snapshotInUse(r, id); ami != "" {
			return protocol.Errorf("InvalidSnapshot.InUse", "The snapshot %s is currently in use by %s", id, ami)
		}
		snap := r.Snapshots[id]
		if snap == nil || snap.OwnerID != w.CallerAccount(req.AccessKey) {
			return protocol.Errorf("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
		}
		delete(r.Snapshots, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &deleteSnapshotResponse{Return: true}, nil
}

// snapshotInUse is the ID of a registered image using the snapshot, or "".
func snapshotInUse(r *world.Region, snapshotID string) string {
	for _, id := range sortedImageIDs(r) {
		for _, bd := range r.Images[id].BlockDevices {
			if bd.SnapshotID == snapshotID {
				return id
			}
		}
	}
	return ""
}

func sortedImageIDs(r *world.Region) []string {
	ids := make([]string, 0, len(r.Images))
	for id := range r.Images {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
