package catalog_test

import (
	"testing"

	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
)

// TestEveryRegionOfTheSandbox runs each finder operation in every region the
// sandbox's SSM lists, through winami's own SDK configuration, and checks the
// answers agree with one another: the latest of a key is the newest release
// listed and the one marked latest, and pinning by date finds each release.
func TestEveryRegionOfTheSandbox(t *testing.T) {
	clients, _ := sandboxClients(t, "")
	f := catalog.NewFinderFromClients(clients)
	ctx := t.Context()
	regions, err := f.Regions(ctx, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(regions) < 6 {
		t.Fatalf("the sandbox lists %d regions %v, want at least 6", len(regions), regions)
	}
	m, err := f.Matrix(ctx, regions)
	if err != nil {
		t.Fatal(err)
	}
	keys := m.Keys()
	if len(keys) != 28 {
		t.Fatalf("matrix has %d keys, want 28", len(keys))
	}
	latest := map[string]map[eksami.Key]string{}
	for _, k := range keys {
		if got := m.RegionsWith(k); len(got) != len(regions) {
			t.Errorf("%v is published in %v, want every region", k, got)
		}
		rs, err := f.Latest(ctx, k, regions)
		if err != nil {
			t.Fatalf("latest %v: %v", k, err)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if latest[r.Region] == nil {
				latest[r.Region] = map[eksami.Key]string{}
			}
			latest[r.Region][k] = r.AMIID
			if seen[r.AMIID] {
				t.Errorf("%v: AMI %s appears in two regions", k, r.AMIID)
			}
			seen[r.AMIID] = true
		}
	}
	all, err := f.List(ctx, catalog.ListQuery{}, regions)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(regions) * len(keys) * 4; len(all) != want {
		t.Fatalf("listed %d releases, want %d (4 per key and region)", len(all), want)
	}
	newest := map[string]catalog.Release{}
	for _, r := range all {
		id := r.Region + "/" + r.Key.String()
		if n, ok := newest[id]; !ok || r.ReleaseDate.After(n.ReleaseDate) {
			newest[id] = r
		}
		if r.Latest != (latest[r.Region][r.Key] == r.AMIID) {
			t.Errorf("%s %s: latest=%v, but SSM's latest is %s", id, r.AMIID, r.Latest, latest[r.Region][r.Key])
		}
		pinned, err := f.Resolve(ctx, r.Key, r.Region, catalog.ResolveQuery{Release: &r.ReleaseDate})
		if err != nil || pinned.AMIID != r.AMIID {
			t.Errorf("resolve %s %v: %s, %v; want %s", id, r.ReleaseDate, pinned.AMIID, err, r.AMIID)
		}
	}
	for id, r := range newest {
		if latest[r.Region][r.Key] != r.AMIID {
			t.Errorf("%s: SSM's latest is %s, the newest listed release is %s", id, latest[r.Region][r.Key], r.AMIID)
		}
	}
}
