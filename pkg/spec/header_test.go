package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A spec whose component file is gone fails Load but still names its
// resources: destroy and status can find them.
func TestLoadHeaderIgnoresComponentFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "winami.yaml")
	data := `apiVersion: winami/v1alpha1
kind: ImageSpec
name: prod
region: eu-west-1
base:
  windows: 2022
  edition: core
kubernetes:
  version: "1.35"
build:
  instanceProfile: winami-build
components:
  - file: components/deleted.yaml
`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "deleted.yaml") {
		t.Fatalf("Load = %v; want the missing component file reported (the premise of this test)", err)
	}
	h, err := LoadHeader(path)
	if err != nil {
		t.Fatalf("LoadHeader: %v", err)
	}
	want := Header{APIVersion: APIVersion, Kind: Kind, Name: "prod", Region: "eu-west-1", File: path}
	if *h != want {
		t.Errorf("header = %+v, want %+v", *h, want)
	}
}

// Only the header is checked: what only building needs (missing base,
// a bad instance type, unknown keys) does not stop it.
func TestParseHeaderChecksOnlyTheHeader(t *testing.T) {
	data := "apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: prod\nregion: us-east-1\n" +
		"build:\n  instanceTypes: [not-a-type]\nfutureKey: 1\ntags: 3\n"
	h, err := ParseHeader("winami.yaml", []byte(data))
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	if h.Name != "prod" || h.Region != "us-east-1" {
		t.Errorf("header = %+v", *h)
	}
}

// The header's own rules are Load's, every problem at once with its place.
func TestParseHeaderProblems(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"missing header", "name: prod\nregion: us-east-1\n",
			`winami.yaml:1:1: apiVersion: missing; add the line "apiVersion: winami/v1alpha1" at the top of the file (the version of the spec format)
winami.yaml:1:1: kind: missing; add the line "kind: ImageSpec" at the top of the file, after apiVersion`},
		{"bad name and region", "apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: 9lives\nregion: US-EAST-1\nbase: {}\n",
			`winami.yaml:3:7: name: "9lives" is not a valid name; use 1-64 letters, digits, - and _, starting with a letter (it is used in every resource name)
winami.yaml:4:9: region: "US-EAST-1" is not a region code; region codes are lower case: us-east-1`},
		{"wrong type and missing region", "apiVersion: winami/v1alpha1\nkind: Pipeline\nname: [a, b]\n",
			`winami.yaml:1:1: region: missing; give the home region, where the pipeline lives and builds run, e.g. region: us-east-1
winami.yaml:2:7: kind: "Pipeline" is not a kind winami reads; write kind: ImageSpec
winami.yaml:3:7: name: a list is not text`},
		{"not YAML", "name: [\n", ""},
		{"empty", "", "winami.yaml: the file is empty; a spec needs at least name, region, base, kubernetes and build (see docs/spec.md)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHeader("winami.yaml", []byte(tc.data))
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error %v is not Problems", err)
			}
			if tc.want != "" && err.Error() != tc.want {
				t.Errorf("problems:\n%s\nwant:\n%s", err, tc.want)
			}
			for _, p := range probs {
				if p.File != "winami.yaml" {
					t.Errorf("problem without its file: %s", p)
				}
			}
		})
	}
}
