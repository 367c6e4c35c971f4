package fleet_test

import (
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/fleet"
	"github.com/winami/winami/sandbox"
	"github.com/winami/winami/sandbox/sandboxtest"
)

// The fleet JSON of docs/drift.md has the keys a real result has: at the
// top, in the summary, and in a drifted row and an unreadable one.
func TestDocumentedJSON(t *testing.T) {
	page, err := os.ReadFile("../../docs/drift.md")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(page, -1) {
		if strings.Contains(string(m[1]), `"unreadable"`) {
			if err := json.Unmarshal(m[1], &doc); err != nil {
				t.Fatalf("the fleet example does not parse: %v", err)
			}
		}
	}
	if doc == nil {
		t.Fatal("docs/drift.md has no fleet JSON example")
	}
	// The partner's fleet-03 (eu-west-1) drifts; its fleet-06 (us-west-2)
	// cannot be read.
	_, cfg := sandboxtest.Start(t, sandbox.Options{Seed: 1, FleetClusters: 6, ScaleNodes: 4, Faults: "deny=eks:DescribeCluster@us-west-2"})
	res, err := runner(profiles(cfg, awsapi.NewCallCounter())).Run(t.Context(), fleet.Request{
		Profiles: []string{"partner"}, Regions: []string{"us-west-2", "eu-west-1"}, Details: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string { return slices.Sorted(maps.Keys(v.(map[string]any))) }
	if d, g := keys(doc), keys(got); !slices.Equal(d, g) {
		t.Errorf("documented keys %v, result %v", d, g)
	}
	if d, g := keys(doc["summary"]), keys(got["summary"]); !slices.Equal(d, g) {
		t.Errorf("summary: documented keys %v, result %v", d, g)
	}
	rowOf := func(rows any, status string) map[string]any {
		for _, r := range rows.([]any) {
			if row := r.(map[string]any); row["status"] == status && row["profile"] != nil {
				return row
			}
		}
		t.Fatalf("no %s row with a profile", status)
		return nil
	}
	for _, status := range []string{"drift", "error"} {
		if d, g := keys(rowOf(doc["clusters"], status)), keys(rowOf(got["clusters"], status)); !slices.Equal(d, g) {
			t.Errorf("a %s row: documented keys %v, result %v", status, d, g)
		}
	}
}
