package ec2

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/winami/winami/sandbox/protocol"
)

type describeRegionsResult struct {
	Regions regionInfo `xml:"regionInfo"`
}

// regionInfo is a struct so that an empty result is still <regionInfo/>.
type regionInfo struct {
	Items []region `xml:"item"`
}

func (s *service) describeRegions(ctx context.Context, req *protocol.Request) (any, error) {
	names := protocol.List(req, "RegionName")
	return describe(s.store, req, &describeSpec[region]{
		before: func(req *protocol.Request) error {
			_, err := boolParam(req, "AllRegions")
			return err
		},
		filterNames: regionFilterNames,
		list: func(sc describeScope, _ []string) ([]region, error) {
			var unknown []string
			for _, n := range names {
				if sc.w.Region(n) == nil {
					unknown = append(unknown, n)
				}
			}
			if len(unknown) > 0 {
				return nil, protocol.Errorf("InvalidParameterValue", "Invalid region: [%s]", strings.Join(unknown, ", "))
			}
			// Every region of the world is one an account need not opt in
			// to, so AllRegions changes nothing.
			var out []region
			for _, code := range slices.Sorted(maps.Keys(sc.w.Regions)) {
				if len(names) == 0 || slices.Contains(names, code) {
					out = append(out, region{Name: code, Endpoint: "ec2." + code + ".amazonaws.com", OptInStatus: "opt-in-not-required"})
				}
			}
			return out, nil
		},
		values: func(_ describeScope, r region, name string) []string { return regionValues(r, name) },
		render: func(_ describeScope, page []region, _ string) any {
			return describeRegionsResult{Regions: regionInfo{Items: append([]region{}, page...)}}
		},
	})
}
