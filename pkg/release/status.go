package release

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Position is where a channel stands in one region.
type Position struct {
	Region  string `json:"region"`
	AMI     string `json:"ami"`
	Version int64  `json:"version"`
	// Since is when the channel took this AMI; User who wrote it (SSM's
	// LastModifiedUser).
	Since time.Time `json:"since"`
	User  string    `json:"user,omitempty"`
	Build string    `json:"build,omitempty"`
	Name  string    `json:"name,omitempty"`
}

// ChannelStatus is one channel in every region, and the gates of the next
// channel for the AMIs it holds.
type ChannelStatus struct {
	Channel   string     `json:"channel"`
	Parameter string     `json:"parameter"`
	Positions []Position `json:"regions"`
	// Empty are the regions where the channel holds nothing yet.
	Empty []string `json:"empty,omitempty"`
	// Next are the gates of the following channel for this channel's
	// build; none for the last channel or an empty one.
	Next []GateResult `json:"nextGates,omitempty"`
}

// Positions reads where every channel stands in every region (its history,
// nothing else): what the exporter publishes each interval.
func (r *Runner) Positions(ctx context.Context) ([]ChannelStatus, error) {
	out, _, err := r.positions(ctx)
	return out, err
}

// positions is Positions with the histories it read, by channel index.
func (r *Runner) positions(ctx context.Context) ([]ChannelStatus, []map[string][]Version, error) {
	out := make([]ChannelStatus, len(r.Config.Channels))
	all := make([]map[string][]Version, len(r.Config.Channels))
	for i := range r.Config.Channels {
		ch := &r.Config.Channels[i]
		st := ChannelStatus{Channel: ch.Name, Parameter: ch.Parameter, Positions: []Position{}}
		hists, err := r.Histories(ctx, ch)
		if err != nil {
			return nil, nil, err
		}
		for _, region := range r.regions() {
			cur, ok := current(hists[region])
			if !ok {
				st.Empty = append(st.Empty, region)
				continue
			}
			since, _ := enteredAt(hists[region], cur.AMI)
			st.Positions = append(st.Positions, Position{Region: region, AMI: cur.AMI, Version: cur.Version, Since: since, User: cur.User})
		}
		out[i], all[i] = st, hists
	}
	return out, all, nil
}

// Status reads every channel in every region, with the build each AMI came
// from and the gates for promoting each channel's build into the next.
func (r *Runner) Status(ctx context.Context) ([]ChannelStatus, error) {
	out, hists, err := r.positions(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.describePositions(ctx, out); err != nil {
		return nil, err
	}
	for i := range out {
		st := &out[i]
		if i+1 < len(r.Config.Channels) && len(st.Positions) > 0 && st.Positions[0].Build != "" {
			amis, err := r.BuildImages(ctx, st.Positions[0].Build)
			if err != nil {
				return nil, err
			}
			// This channel's histories are the ones the next one's soak
			// gate reads: already here.
			if st.Next, err = r.check(ctx, i+1, amis, hists[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// describePositions fills each position's build and AMI name: one read per
// region for every channel's AMIs there, the regions at once.
func (r *Runner) describePositions(ctx context.Context, out []ChannelStatus) error {
	ids := map[string][]string{}
	for _, st := range out {
		for _, pos := range st.Positions {
			if !slices.Contains(ids[pos.Region], pos.AMI) {
				ids[pos.Region] = append(ids[pos.Region], pos.AMI)
			}
		}
	}
	images := make(map[string]map[string]Image, len(ids))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	if r.Limit > 0 {
		g.SetLimit(r.Limit)
	}
	for region, list := range ids {
		g.Go(func() error {
			imgs, err := r.describeIn(gctx, region, list)
			mu.Lock()
			images[region] = imgs
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i := range out {
		for j := range out[i].Positions {
			pos := &out[i].Positions[j]
			if img, ok := images[pos.Region][pos.AMI]; ok {
				pos.Build, pos.Name = img.Build(), img.Name
			}
		}
	}
	return nil
}
