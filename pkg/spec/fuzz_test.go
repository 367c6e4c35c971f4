package spec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no input makes Parse panic, and every rejection is Problems
// with at least one problem, each naming the file.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/valid/*.yaml")
	seeds = append(seeds, "../../examples/winami.yaml")
	for _, p := range seeds {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{"", "a: [", "- 1", "name: &a x\nregion: *a\n", "<<: {}", "? [a]\n: b", "name: !!str 12\n", "build: {rootVolumeGiB: 99999999999999999999}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err == nil {
			if s == nil {
				t.Fatal("nil spec without error")
			}
			return
		}
		var probs Problems
		if !errors.As(err, &probs) || len(probs) == 0 {
			t.Fatalf("error %T %v, want Problems", err, err)
		}
		for _, p := range probs {
			if p.File != "fuzz.yaml" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
	})
}
