package spec

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func TestDefaultsApplied(t *testing.T) {
	s, err := Load("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Tags == nil || len(s.Tags) != 0 {
		t.Errorf("tags = %v, want empty", s.Tags)
	}
	if s.Base.EKSOptimized == nil || s.Base.EKSOptimized.Release != "latest" || s.Base.WindowsBase != nil {
		t.Errorf("base = %+v, want eksOptimized {release: latest}", s.Base)
	}
	b := s.Build
	if !slices.Equal(b.InstanceTypes, []string{"m6i.xlarge"}) || b.RootVolumeGiB != 50 ||
		b.TerminateOnFailure == nil || !*b.TerminateOnFailure || b.RequireIMDSv2 == nil || !*b.RequireIMDSv2 {
		t.Errorf("build = %+v, want m6i.xlarge, 50 GiB, terminateOnFailure and requireIMDSv2 true", b)
	}
	if !slices.Equal(s.Distribution.Regions, []string{"us-east-1"}) {
		t.Errorf("regions = %v, want [us-east-1]", s.Distribution.Regions)
	}
	if got := s.ExpandedAMIName(); got != "minimal-2022-core-k8s-1.35-{{ imagebuilder:buildDate }}" {
		t.Errorf("AMI name = %q", got)
	}
	if s.Distribution.FastLaunch != nil || s.Schedule != nil {
		t.Errorf("fastLaunch and schedule must stay off by default")
	}
}

func TestDefaultsKeepWhatIsGiven(t *testing.T) {
	f := false
	s := &Spec{
		Region: "eu-west-1",
		Base:   Base{WindowsBase: &WindowsBase{}},
		Build:  Build{InstanceTypes: []string{"c6i.2xlarge"}, RootVolumeGiB: 80, TerminateOnFailure: &f, RequireIMDSv2: &f},
		Distribution: Distribution{Regions: []string{"eu-west-1", "us-east-1"}, AMIName: "x-{{ imagebuilder:buildDate }}",
			FastLaunch: &FastLaunch{Enabled: true, TargetSnapshots: 3, MaxParallelLaunches: 9}},
	}
	s.ApplyDefaults()
	if s.Base.EKSOptimized != nil || s.Base.WindowsBase.Release != "latest" {
		t.Errorf("base = %+v, want windowsBase {release: latest} and no eksOptimized", s.Base)
	}
	want := Build{InstanceTypes: []string{"c6i.2xlarge"}, RootVolumeGiB: 80, TerminateOnFailure: &f, RequireIMDSv2: &f}
	if !reflect.DeepEqual(s.Build, want) {
		t.Errorf("build = %+v, want it unchanged", s.Build)
	}
	if fl := s.Distribution.FastLaunch; fl.TargetSnapshots != 3 || fl.MaxParallelLaunches != 9 {
		t.Errorf("fastLaunch = %+v, want it unchanged", fl)
	}
	if len(s.Distribution.Regions) != 2 || s.Distribution.AMIName != "x-{{ imagebuilder:buildDate }}" {
		t.Errorf("distribution = %+v, want it unchanged", s.Distribution)
	}
}

func TestFastLaunchDefaultsOnlyWhenEnabled(t *testing.T) {
	s := &Spec{Distribution: Distribution{FastLaunch: &FastLaunch{}}}
	s.ApplyDefaults()
	if fl := s.Distribution.FastLaunch; fl.TargetSnapshots != 0 || fl.MaxParallelLaunches != 0 {
		t.Errorf("disabled fastLaunch got defaults: %+v", fl)
	}
	s.Distribution.FastLaunch.Enabled = true
	s.ApplyDefaults()
	if fl := s.Distribution.FastLaunch; fl.TargetSnapshots != 10 || fl.MaxParallelLaunches != 6 {
		t.Errorf("enabled fastLaunch = %+v, want 10 snapshots, 6 parallel launches", fl)
	}
}

// TestValidateGoBuiltSpec: a Spec made in Go (no file, no positions) gets
// its defaults and validates; its problems have no place but a path.
func TestValidateGoBuiltSpec(t *testing.T) {
	s := &Spec{Name: "n", Region: "us-east-1", Base: Base{Windows: "ltsc2025", Edition: "FULL"}, Kubernetes: Kubernetes{Version: "v1.35"}, Build: Build{InstanceProfile: "p"}}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Base.Windows != "2025" || s.Base.Edition != "Full" || s.Kubernetes.Version != "1.35" {
		t.Errorf("not canonical: %+v %+v", s.Base, s.Kubernetes)
	}
	s.Build.RootVolumeGiB = 0
	err := s.Validate()
	if err == nil || err.Error() != "build.rootVolumeGiB: 0 is too small; Windows Server needs at least 30 GiB" {
		t.Errorf("Validate = %v", err)
	}
}

// TestRequiredKeysAreEnforced removes, one at a time, each key the Go
// types mark required (no omitempty) from a complete spec, and wants a
// problem about it: the required keys of types.go, the schema and the
// validation agree.
func TestRequiredKeysAreEnforced(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/windowsbase.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := yaml.Unmarshal(data, &full); err != nil {
		t.Fatal(err)
	}
	paths := requiredPaths("", reflect.TypeFor[Spec]())
	if len(paths) < 8 {
		t.Fatalf("found only %v", paths)
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			doc := deepCopy(full).(map[string]any)
			if !deleteAt(doc, strings.Split(p, ".")) {
				t.Fatalf("%s is not in testdata/valid/windowsbase.yaml; complete that spec", p)
			}
			out, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse("testdata/valid/x.yaml", out)
			if err == nil {
				t.Fatalf("accepted without %s", p)
			}
			if !regexp.MustCompile(`(?m):[0-9]+:[0-9]+: ` + regexp.QuoteMeta(p) + `[.:\[]`).MatchString(err.Error()) {
				t.Errorf("no problem names %s:\n%v", p, err)
			}
		})
	}
}

// requiredPaths lists the required keys of t and of its optional parts.
func requiredPaths(prefix string, t reflect.Type) []string {
	var out []string
	for _, f := range yamlFields(t) {
		ft := t.Field(f.index).Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		p := joinPath(prefix, f.name)
		if f.required {
			out = append(out, p)
		}
		if ft.Kind() == reflect.Struct {
			out = append(out, requiredPaths(p, ft)...)
		}
	}
	return out
}

func deleteAt(m map[string]any, path []string) bool {
	if len(path) == 1 {
		_, ok := m[path[0]]
		delete(m, path[0])
		return ok
	}
	sub, ok := m[path[0]].(map[string]any)
	return ok && deleteAt(sub, path[1:])
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
