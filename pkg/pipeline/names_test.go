package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winami/winami/pkg/pipeline"
	"github.com/winami/winami/pkg/spec"
)

const namesDoc = "name: c\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecutePowerShell\n        inputs:\n          commands: [Write-Host hi]\n"

// TestComponentNameClashes: two files that would become one Image Builder
// component are refused when the desired state is built, with the field
// to change — never one document run twice and the other dropped.
func TestComponentNameClashes(t *testing.T) {
	for name, c := range map[string]struct {
		files []string
		extra string
		want  string
	}{
		"same stem in two folders": {files: []string{"a/x.yaml", "b/x.yaml"},
			want: `components[1].file: "b/x.yaml" would be Image Builder component winami-s-x, as "a/x.yaml" (components[0].file) would`},
		"named like the OS build assertion": {files: []string{"assert-os-build.yaml"}, extra: "  osBuild: 10.0.20348.4391\n",
			want: `components[0].file: "assert-os-build.yaml" would be Image Builder component winami-s-assert-os-build, as the component winami generates for the OS build assertion would`},
		"stems that differ only in case and punctuation": {files: []string{"My_Setup.yaml", "my-setup.yml"},
			want: `components[1].file: "my-setup.yml" would be Image Builder component winami-s-my-setup`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var b strings.Builder
			b.WriteString("apiVersion: winami/v1alpha1\nkind: ImageSpec\nname: s\nregion: us-east-1\nbase:\n  windows: 2022\n  edition: core\n" + c.extra + "kubernetes: {version: \"1.35\"}\nbuild: {instanceProfile: winami-build}\ncomponents:\n")
			for _, f := range c.files {
				full := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(namesDoc), 0o600); err != nil {
					t.Fatal(err)
				}
				b.WriteString("  - file: " + f + "\n")
			}
			path := filepath.Join(dir, "winami.yaml")
			if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := spec.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = pipeline.NewDesired(s, pipeline.Parent{Image: "ami-0123456789abcdef0"}, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("NewDesired = %v\nwant %s", err, c.want)
			}
		})
	}
}
