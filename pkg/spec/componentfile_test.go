package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const componentSpec = `apiVersion: winami/v1alpha1
kind: ImageSpec
name: prod
region: us-east-1
base:
  windows: 2022
  edition: core
kubernetes:
  version: "1.35"
build:
  instanceProfile: winami-build
components:
  - file: %s
`

const validComponent = `name: hardening
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Harden
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Host 'hardened'
`

// specWithComponent writes a spec naming file into a fresh directory
// (dir/spec/winami.yaml) and returns the spec's path.
func specWithComponent(t *testing.T, file string) string {
	t.Helper()
	return specIn(t, newSpecDir(t), file)
}

func newSpecDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "spec")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// specIn writes dir/winami.yaml naming file as its component.
func specIn(t *testing.T, dir, file string) string {
	t.Helper()
	path := filepath.Join(dir, "winami.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(componentSpec, "%s", file, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestComponentFilesStayInSpecDir: a spec cannot make winami upload files
// from elsewhere on the machine — by absolute path, by .., or through a
// symlink — unless the caller allows it.
func TestComponentFilesStayInSpecDir(t *testing.T) {
	for name, setup := range map[string]func(t *testing.T, dir string) string{
		"absolute /proc": func(t *testing.T, dir string) string { return "/proc/self/environ" },
		"dot-dot": func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "..", "secret.yaml"), validComponent)
			return "../secret.yaml"
		},
		"symlink out": func(t *testing.T, dir string) string {
			write(t, filepath.Join(dir, "..", "secret.yaml"), validComponent)
			if err := os.Symlink(filepath.Join(dir, "..", "secret.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
				t.Fatal(err)
			}
			return "link.yaml"
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := newSpecDir(t)
			path := specIn(t, dir, setup(t, dir))
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), "outside the spec's directory") || !strings.Contains(err.Error(), "--allow-outside-files") {
				t.Fatalf("Load = %v; want the file refused as outside the spec's directory", err)
			}
			if name == "absolute /proc" {
				return
			}
			s, err := LoadWith(path, Options{AllowOutsideFiles: true})
			if err != nil {
				t.Fatalf("with AllowOutsideFiles: %v", err)
			}
			if doc, err := s.ComponentDocument(s.Components[0]); err != nil || doc != validComponent {
				t.Errorf("ComponentDocument = %q, %v", doc, err)
			}
		})
	}
}

// TestComponentFileChecked: the content is an AWSTOE document within Image
// Builder's inline limit, checked when the spec is loaded; what is uploaded
// is what was checked, even if the file changes afterwards.
func TestComponentFileChecked(t *testing.T) {
	path := specWithComponent(t, "components/c.yaml")
	comp := filepath.Join(filepath.Dir(path), "components", "c.yaml")

	write(t, comp, "name: c\nphases: []\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "schemaVersion") || !strings.Contains(err.Error(), "c.yaml:") {
		t.Errorf("an invalid document: Load = %v; want its AWSTOE problems placed in c.yaml", err)
	}

	write(t, comp, validComponent+"# "+strings.Repeat("x", 16000)+"\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "16000 characters") {
		t.Errorf("an oversized document: Load = %v; want Image Builder's inline limit named", err)
	}

	write(t, comp, validComponent)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, comp, "changed after the check")
	if doc, err := s.ComponentDocument(s.Components[0]); err != nil || doc != validComponent {
		t.Errorf("ComponentDocument = %q, %v; want the content that was validated", doc, err)
	}
}

// TestSpecFileBounded: the spec itself is a regular file of bounded size.
func TestSpecFileBounded(t *testing.T) {
	if _, err := Load("/dev/zero"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Load(/dev/zero) = %v", err)
	}
	big := filepath.Join(t.TempDir(), "winami.yaml")
	write(t, big, "name: x\n# "+strings.Repeat("x", MaxSpecBytes)+"\n")
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Load(2 MiB) = %v; want the 1 MiB limit named", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want ErrNotExist", err)
	}
}
