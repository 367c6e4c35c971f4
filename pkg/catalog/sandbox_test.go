package catalog_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/catalog"
	"github.com/winami/winami/pkg/eksami"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
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

// Releases past their DeprecationTime are still listed and resolved, with
// the time: EC2 leaves deprecated AMIs out unless asked, and a release
// pinned by date (or running on nodes) is still what it is until Amazon
// makes it private. At 2027-01-15 the sandbox's August and September
// releases are deprecated (four months after release).
func TestDeprecatedReleasesAreListed(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	later := time.Date(2027, time.January, 15, 12, 0, 0, 0, time.UTC)
	srv, _ := sandboxtest.Start(t, sandbox.Options{Seed: 1, Now: func() time.Time { return later }})
	cfg, err := awsapi.LoadConfig(t.Context(), awsapi.Options{
		Region: "us-east-1", EndpointURL: srv.URL(),
		StaticCredentials: &aws.Credentials{AccessKeyID: sandbox.DummyAccessKeyID, SecretAccessKey: sandbox.DummySecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := catalog.NewFinderFromClients(awsapi.NewClients(cfg))
	rs, err := f.List(t.Context(), catalog.ListQuery{Windows: "2022", Edition: "core", Kubernetes: "1.35"}, []string{"us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	deprecated := 0
	for _, r := range rs {
		if d, err := time.Parse(time.RFC3339, r.DeprecationTime); err == nil && d.Before(later) {
			deprecated++
		}
	}
	if len(rs) != 4 || deprecated != 2 {
		t.Fatalf("listed %d releases, %d of them deprecated; want 4, 2", len(rs), deprecated)
	}
	aug := eksami.Date{Year: 2026, Month: time.August, Day: 12}
	if r, err := f.Resolve(t.Context(), key2022Core135, "us-east-1", catalog.ResolveQuery{Release: &aug}); err != nil || r.DeprecationTime == "" {
		t.Fatalf("resolving the deprecated August release: %+v, %v", r, err)
	}
}
