package world

import (
	"slices"
	"testing"
	"time"
)

// amiSelectorTerms resolve as Karpenter resolves them: by name with
// wildcards among Amazon's and the account's images (the newest per set of
// requirements), by SSM parameter, by tags; a pinned Windows alias version
// is an error.
func TestResolveAMISelectorTerms(t *testing.T) {
	w := Seed(1)
	r := w.Region("us-east-1")
	now := time.Date(2026, time.November, 28, 9, 0, 0, 0, time.UTC)
	key := EKSWindowsKey{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	releases := ReleaseDates()
	newest, older := imageNamed(r, key.AMIName(releases[3])), imageNamed(r, key.AMIName(releases[2]))

	ids := func(terms ...AMISelectorTerm) []string {
		t.Helper()
		amis, err := ResolveAMISelectorTerms(w, r, "1.35", terms, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range amis {
			out = append(out, a.ID)
		}
		return out
	}
	// Every 2022 Core 1.35 release shares one OS build label and arch, so
	// the newest stands for them all.
	if got := ids(AMISelectorTerm{Name: key.ParameterName() + "-*", Owner: "amazon"}); !slices.Equal(got, []string{newest.ImageID}) {
		t.Errorf("by name: %v, want [%s]", got, newest.ImageID)
	}
	if got := ids(AMISelectorTerm{Name: key.ParameterName() + "-*", Owner: "999988887777"}); len(got) != 0 {
		t.Errorf("by name of another owner: %v, want none", got)
	}
	r.Parameters["/acme/windows/ami"] = &Parameter{Name: "/acme/windows/ami", ParameterVersion: ParameterVersion{Value: older.ImageID}}
	if got := ids(AMISelectorTerm{SSMParameter: "/acme/windows/ami"}); !slices.Equal(got, []string{older.ImageID}) {
		t.Errorf("by parameter: %v, want [%s]", got, older.ImageID)
	}
	older.Tags = map[string]string{"team": "platform"}
	if got := ids(AMISelectorTerm{Tags: map[string]string{"team": "*"}}); !slices.Equal(got, []string{older.ImageID}) {
		t.Errorf("by tag: %v, want [%s]", got, older.ImageID)
	}
	// Windows families take only "latest" (the CRD's own validation).
	for _, alias := range []string{"windows2022@v20261111"} {
		if _, err := ResolveAMISelectorTerms(w, r, "1.35", []AMISelectorTerm{{Alias: alias}}, now); err == nil {
			t.Errorf("alias %s resolved", alias)
		}
	}
}
