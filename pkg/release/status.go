package release

import (
	"context"
	"time"
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
	out := make([]ChannelStatus, len(r.Config.Channels))
	for i := range r.Config.Channels {
		ch := &r.Config.Channels[i]
		st := ChannelStatus{Channel: ch.Name, Parameter: ch.Parameter, Positions: []Position{}}
		hists, err := r.Histories(ctx, ch)
		if err != nil {
			return nil, err
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
		out[i] = st
	}
	return out, nil
}

// Status reads every channel in every region, with the build each AMI came
// from and the gates for promoting each channel's build into the next.
func (r *Runner) Status(ctx context.Context) ([]ChannelStatus, error) {
	out, err := r.Positions(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		st := &out[i]
		for j := range st.Positions {
			pos := &st.Positions[j]
			img, err := r.describe1(ctx, pos.Region, pos.AMI)
			if err != nil {
				return nil, err
			}
			if img != nil {
				pos.Build, pos.Name = img.Build(), img.Name
			}
		}
		if i+1 < len(r.Config.Channels) && len(st.Positions) > 0 && st.Positions[0].Build != "" {
			amis, err := r.BuildImages(ctx, st.Positions[0].Build)
			if err != nil {
				return nil, err
			}
			if st.Next, err = r.Check(ctx, i+1, amis); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
