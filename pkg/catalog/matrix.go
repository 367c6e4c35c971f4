package catalog

import (
	"context"
	"slices"

	"github.com/winami/winami/pkg/eksami"
)

// Matrix is what SSM publishes, per region: the keys that have a latest AMI.
type Matrix struct {
	Regions []RegionKeys `json:"regions"`
}

// RegionKeys are the keys published in one region, sorted by Key.Compare.
type RegionKeys struct {
	Region string       `json:"region"`
	Keys   []eksami.Key `json:"keys"`
}

// MatrixRow is one Windows version and edition with the Kubernetes versions
// published for it in at least one region, ascending.
type MatrixRow struct {
	Windows    string   `json:"windows"`
	Edition    string   `json:"edition"`
	Kubernetes []string `json:"kubernetes"`
}

// matrixCandidates lists the keys to probe: every Windows version and edition
// with every Kubernetes version of the range, 108 for the default range.
func (f *Finder) matrixCandidates() []eksami.Key {
	var keys []eksami.Key
	for _, w := range eksami.WindowsVersions() {
		for _, e := range eksami.Editions() {
			for _, k := range kubernetesCandidates(f.kubeMin, f.kubeMax) {
				keys = append(keys, eksami.Key{Windows: w, Edition: e, Kubernetes: k})
			}
		}
	}
	return keys
}

// Matrix probes which keys SSM publishes in each region with GetParameters
// over the candidates' /image_id parameters, 10 names a call: at most
// ceil(candidates/10) calls per region (11 for the default 1.23..1.40), issued
// concurrently. On error, the result holds the regions that succeeded.
func (f *Finder) Matrix(ctx context.Context, regions []string) (Matrix, error) {
	candidates := f.matrixCandidates()
	names := make([]string, len(candidates))
	for i, k := range candidates {
		names[i] = k.LatestParameter()
	}
	perRegion := make([]*RegionKeys, len(regions))
	err := eachRegion(ctx, regions, func(ctx context.Context, i int, region string) error {
		found, err := getParameters(ctx, f.ssm(region), f.concurrency, names)
		if err != nil {
			return err
		}
		rk := &RegionKeys{Region: region, Keys: []eksami.Key{}}
		for j, k := range candidates {
			if _, ok := found[names[j]]; ok {
				rk.Keys = append(rk.Keys, k)
			}
		}
		slices.SortFunc(rk.Keys, eksami.Key.Compare)
		perRegion[i] = rk
		return nil
	})
	var m Matrix
	for _, rk := range perRegion {
		if rk != nil {
			m.Regions = append(m.Regions, *rk)
		}
	}
	return m, err
}

// Has reports whether key is published in region.
func (m Matrix) Has(region string, key eksami.Key) bool {
	for _, rk := range m.Regions {
		if rk.Region == region {
			return slices.Contains(rk.Keys, key)
		}
	}
	return false
}

// Keys returns the keys published in at least one region, sorted.
func (m Matrix) Keys() []eksami.Key {
	var out []eksami.Key
	for _, rk := range m.Regions {
		for _, k := range rk.Keys {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.SortFunc(out, eksami.Key.Compare)
	return out
}

// RegionsWith returns the regions publishing key, in matrix order.
func (m Matrix) RegionsWith(key eksami.Key) []string {
	var out []string
	for _, rk := range m.Regions {
		if slices.Contains(rk.Keys, key) {
			out = append(out, rk.Region)
		}
	}
	return out
}

// RegionsWithout returns the regions of the matrix that do not publish key,
// to show where a combination is missing.
func (m Matrix) RegionsWithout(key eksami.Key) []string {
	var out []string
	for _, rk := range m.Regions {
		if !slices.Contains(rk.Keys, key) {
			out = append(out, rk.Region)
		}
	}
	return out
}

// Rows groups the published keys by Windows version and edition, for a table
// with one line per Windows/edition and its Kubernetes versions.
func (m Matrix) Rows() []MatrixRow {
	var rows []MatrixRow
	for _, k := range m.Keys() {
		if n := len(rows); n > 0 && rows[n-1].Windows == k.Windows && rows[n-1].Edition == k.Edition {
			rows[n-1].Kubernetes = append(rows[n-1].Kubernetes, k.Kubernetes)
			continue
		}
		rows = append(rows, MatrixRow{Windows: k.Windows, Edition: k.Edition, Kubernetes: []string{k.Kubernetes}})
	}
	return rows
}
