package ec2

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

type describeRegionsResult struct {
	Regions regionInfo `xml:"regionInfo"`
}

// regionInfo is a struct so that an empty result is still <regionInfo/>.
type regionInfo struct {
	Items []region `xml:"item"`
}

func (s *service) describeRegions(ctx context.Context, req *protocol.Request) (any, error) {
	if _, err := boolParam(req, "AllRegions"); err != nil {
		return nil, err
	}
	names := protocol.List(req, "RegionName")
	filters := protocol.Filters(req)
	if err := checkFilters(filters, validRegionFilter); err != nil {
		return nil, err
	}
	out := describeRegionsResult{Regions: regionInfo{Items: []region{}}}
	err := s.store.View(func(w *world.World) error {
		if _, err := regionOf(w, req); err != nil {
			return err
		}
		var unknown []string
		for _, n := range names {
			if w.Region(n) == nil {
				unknown = append(unknown, n)
			}
		}
		if len(unknown) > 0 {
			return protocol.Errorf("InvalidParameterValue", "Invalid region: [%s]", strings.Join(unknown, ", "))
		}
		// Every region of the world is one an account need not opt in to,
		// so AllRegions changes nothing.
		for _, code := range slices.Sorted(maps.Keys(w.Regions)) {
			r := region{Name: code, Endpoint: "ec2." + code + ".amazonaws.com", OptInStatus: "opt-in-not-required"}
			if len(names) > 0 && !slices.Contains(names, code) {
				continue
			}
			if !matchAll(filters, func(name string) []string { return regionValues(r, name) }) {
				continue
			}
			out.Regions.Items = append(out.Regions.Items, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
