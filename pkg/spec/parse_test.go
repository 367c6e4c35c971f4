package spec

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/malformed/*.txtar")

// malformedCase is one testdata/malformed/*.txtar: a winami.yaml, the
// files it refers to, and the exact problems it must produce ("want").
// Its comment says whether the JSON Schema must also reject the spec
// (schema: reject), can only accept it because the problem is beyond a
// schema (schema: accept), or cannot judge it (schema: none).
type malformedCase struct {
	name, file string
	archive    *txtar.Archive
	dir        string
	want       string
	schema     string
}

func loadMalformed(t *testing.T) []malformedCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/malformed/*.txtar")
	if err != nil || len(paths) < 20 {
		t.Fatalf("want at least 20 malformed specs, found %d (%v)", len(paths), err)
	}
	var cases []malformedCase
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := malformedCase{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), file: p, archive: a}
		for _, line := range strings.Split(string(a.Comment), "\n") {
			if v, ok := strings.CutPrefix(line, "schema: "); ok {
				c.schema = v
			}
		}
		c.dir = t.TempDir()
		for _, f := range a.Files {
			if f.Name == "want" {
				c.want = string(f.Data)
				continue
			}
			full := filepath.Join(c.dir, f.Name)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// TestMalformed checks that each malformed spec gives exactly its problems,
// as file:line:col: path: message lines in document order.
func TestMalformed(t *testing.T) {
	for _, c := range loadMalformed(t) {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load(filepath.Join(c.dir, "winami.yaml"))
			if err == nil {
				t.Fatalf("Load accepted the spec: %+v", s)
			}
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is %T, want Problems: %v", err, err)
			}
			// Paths in messages are relative to the case's directory.
			got := strings.ReplaceAll(err.Error(), c.dir+string(filepath.Separator), "") + "\n"
			if *update {
				for i := range c.archive.Files {
					if c.archive.Files[i].Name == "want" {
						c.archive.Files[i].Data = []byte(got)
					}
				}
				if err := os.WriteFile(c.file, txtar.Format(c.archive), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != c.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, c.want)
			}
			if n := strings.Count(c.want, "\n"); len(probs) != n {
				t.Errorf("%d problems, want %d", len(probs), n)
			}
		})
	}
}

func TestProblemsRendering(t *testing.T) {
	ps := Problems{
		{File: "winami.yaml", Line: 12, Column: 14, Path: "distribution.fastLaunch.maxParallelLaunches", Message: "3 is below EC2's minimum of 6"},
		{File: "winami.yaml", Path: "name", Message: "missing"},
		{Message: "no place at all"},
	}
	want := "winami.yaml:12:14: distribution.fastLaunch.maxParallelLaunches: 3 is below EC2's minimum of 6\n" +
		"winami.yaml: name: missing\n" +
		"no place at all"
	if got := ps.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant:\n%s", got, want)
	}
}

func TestProblemsSortDocumentOrder(t *testing.T) {
	ps := Problems{
		{Line: 0, Message: "nowhere"},
		{Line: 9, Column: 3, Message: "c"},
		{Line: 2, Column: 7, Message: "b"},
		{Line: 2, Column: 1, Message: "a"},
		{Line: 9, Column: 3, Message: "d"},
	}
	ps.sort()
	var got []string
	for _, p := range ps {
		got = append(got, p.Message)
	}
	if strings.Join(got, ",") != "a,b,c,d,nowhere" {
		t.Errorf("order %v, want a,b,c,d,nowhere (ties stable, unplaced last)", got)
	}
}

func TestPositionAndProblemf(t *testing.T) {
	data := []byte("apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: p\nregion: us-east-1\nbase:\n  windows: 2022\n  edition: core\nkubernetes:\n  version: '1.35'\nbuild:\n  instanceProfile: winami-build\n  instanceTypes:\n    - m6i.xlarge\n    - m5.xlarge\ntags:\n  team: a\n")
	s, err := Parse("w.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]Pos{
		"build.instanceProfile":    {11, 20},
		"build.instanceTypes[1]":   {14, 7},
		"build.rootVolumeGiB":      {11, 3}, // defaulted: the build mapping
		"distribution.fastLaunch":  {1, 1},  // absent: the root mapping
		"kubernetes.version":       {9, 12},
		"tags.team":                {16, 9},
		"base.eksOptimized.before": {6, 3},
	} {
		if got := s.Position(path); got != want {
			t.Errorf("Position(%q) = %v, want %v", path, got, want)
		}
	}
	p := s.Problemf("build.instanceProfile", "instance profile %s does not exist", "winami-build")
	if got := p.String(); got != "w.yaml:11:20: build.instanceProfile: instance profile winami-build does not exist" {
		t.Errorf("Problemf = %q", got)
	}
}

func TestParseKeepsNumbersAsWritten(t *testing.T) {
	// Unquoted 1.30 is a YAML float (1.3); the spec must read what was typed.
	data := []byte("apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: p\nregion: us-east-1\nbase: {windows: 2022, edition: CORE}\nkubernetes: {version: 1.30}\nbuild: {instanceProfile: x}\n")
	s, err := Parse("w.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kubernetes.Version != "1.30" || s.Base.Windows != "2022" || s.Base.Edition != "Core" {
		t.Errorf("got kubernetes %q windows %q edition %q; want 1.30, 2022, Core", s.Kubernetes.Version, s.Base.Windows, s.Base.Edition)
	}
}

func TestParseAnchorsAndAliases(t *testing.T) {
	data := []byte("apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: p\nregion: &r us-east-1\nbase: {windows: 2022, edition: core}\nkubernetes: {version: '1.35'}\nbuild: {instanceProfile: x}\ndistribution:\n  regions: [*r, eu-west-1]\n")
	s, err := Parse("w.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Distribution.Regions, ","); got != "us-east-1,eu-west-1" {
		t.Errorf("regions = %s, want the alias resolved", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var probs Problems
	if err == nil || errors.As(err, &probs) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want a wrapped not-exist error", err)
	}
}

func TestMalformedCasesAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, c := range loadMalformed(t) {
		spec := string(bytes.TrimSpace(c.archive.Files[0].Data))
		if other, dup := seen[spec]; dup {
			t.Errorf("%s and %s hold the same spec", c.name, other)
		}
		seen[spec] = c.name
	}
}
