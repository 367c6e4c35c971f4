// Package boundary checks the import boundaries of DESIGN.md §4: the sandbox
// judges winami and shares no code with it, product code reaches the
// in-process sandbox only through the composition root (cmd/winami), and
// commands do not reach into each other: an internal/cli package imports
// no other internal/cli package but cmdutil and output (the root,
// internal/cli itself, wires them together). Workflows in pkg know nothing
// of the command line, and terminal detection lives in one place.
package boundary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/winami/winami"

// pkg is what `go list` says of one package of the module. Direct imports
// are enough: every package of the module is listed, so a transitive
// crossing is a direct one somewhere, and reported there, once.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestImportBoundaries(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages of %s; is the test run inside the module?", len(pkgs), module)
	}
	for _, v := range violations(pkgs) {
		t.Errorf("import boundary crossed: %s", v)
	}
}

// violations lists every crossing of the boundaries, by module-relative path.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if from == p.ImportPath { // not this module's
			continue
		}
		imports := p.Imports
		if under(from, "sandbox") {
			// The sandbox's tests judge winami too: they may not borrow
			// its code (or its golden files' generator) either.
			imports = slices.Concat(p.Imports, p.TestImports, p.XTestImports)
		}
		for _, imp := range imports {
			switch {
			case imp == "golang.org/x/term" && from != "internal/cli/cmdutil":
				out = append(out, fmt.Sprintf("%s imports %s (terminal detection lives in cmdutil.IsTerminal)", from, imp))
			case imp == "github.com/spf13/cobra" && under(from, "pkg"):
				out = append(out, fmt.Sprintf("%s imports %s (workflows in pkg know nothing of the command line)", from, imp))
			}
			to, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			switch {
			case under(from, "sandbox") && (under(to, "pkg") || under(to, "internal") || under(to, "cmd")):
				out = append(out, fmt.Sprintf("%s imports %s (the sandbox imports nothing of winami)", from, to))
			case (under(from, "pkg") || under(from, "internal")) && under(to, "sandbox"):
				out = append(out, fmt.Sprintf("%s imports %s (only cmd/winami may reach the sandbox)", from, to))
			case under(from, "pkg") && under(to, "internal/cli"):
				out = append(out, fmt.Sprintf("%s imports %s (workflows in pkg know nothing of the command line)", from, to))
			case (under(from, "pkg") || under(from, "internal")) && under(to, "cmd"):
				out = append(out, fmt.Sprintf("%s imports %s (nothing imports the composition root)", from, to))
			}
		}
		// A command's tests may not reach into another command either.
		a := command(from)
		for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
			to, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if b := command(to); a != "" && b != "" && a != b && b != "cmdutil" && b != "output" {
				out = append(out, fmt.Sprintf("%s imports %s", from, to))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// command is <a> of internal/cli/<a>/..., or "" for any other path
// (internal/cli itself, the root, wires the commands together).
func command(path string) string {
	rest, ok := strings.CutPrefix(path, "internal/cli/")
	if !ok {
		return ""
	}
	a, _, _ := strings.Cut(rest, "/")
	return a
}

func under(path, dir string) bool { return path == dir || strings.HasPrefix(path, dir+"/") }

// listPackages asks the go tool for every package of the module with its
// imports.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	statSources(t)
	cmd := exec.CommandContext(t.Context(), "go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// statSources stats every Go file of the module: go test caches a result
// by the files the test itself touched, and those `go list` read are not
// among them, so without this an import added later would pass from cache.
func statSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatalf("walking the module: %v", err)
	}
}

// The rules themselves, on made-up packages: each crossing is caught and
// allowed imports are not.
func TestViolations(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	pkgs := []pkg{
		{ImportPath: m("sandbox/imagebuilder"), Imports: []string{m("sandbox/protocol"), "gopkg.in/yaml.v3"}, TestImports: []string{m("pkg/component")}},
		{ImportPath: m("sandbox/ec2"), XTestImports: []string{m("internal/textsafe")}},
		{ImportPath: m("internal/cli/cmdutil"), Imports: []string{m("sandbox")}},
		{ImportPath: m("pkg/images"), Imports: []string{m("cmd/winami/sandboxcmd")}},
		{ImportPath: m("pkg/drift"), TestImports: []string{m("sandbox/sandboxtest")}},
		{ImportPath: m("internal/cli/pipelinecmd"), Imports: []string{m("internal/cli/preflightcmd"), m("internal/cli/cmdutil"), m("internal/cli/output"), m("pkg/spec")}},
		{ImportPath: m("internal/cli"), Imports: []string{m("internal/cli/ami")}},
		{ImportPath: m("internal/cli/fastlaunchcmd/audit"), Imports: []string{m("internal/cli/driftcmd/watch"), m("internal/cli/output/table"), m("internal/cli/fastlaunchcmd")}},
		{ImportPath: m("internal/cli/cmdutil"), Imports: []string{m("internal/cli/output")}},
		{ImportPath: m("internal/cli/imagescmd"), XTestImports: []string{m("internal/cli/pipelinecmd")}},
		{ImportPath: m("cmd/winami/sandboxcmd"), Imports: []string{m("sandbox"), m("internal/cli/cmdutil")}},
		{ImportPath: m("test/e2e"), Imports: []string{m("sandbox")}},
		{ImportPath: m("internal/cli/pipelinecmd/live"), Imports: []string{"golang.org/x/term"}},
		{ImportPath: m("internal/cli/cmdutil"), Imports: []string{"golang.org/x/term"}},
		{ImportPath: m("pkg/specrun"), Imports: []string{"github.com/spf13/cobra", m("internal/cli/output"), m("internal/textsafe")}},
	}
	want := []string{
		"internal/cli/cmdutil imports sandbox (only cmd/winami may reach the sandbox)",
		"internal/cli/fastlaunchcmd/audit imports internal/cli/driftcmd/watch",
		"internal/cli/imagescmd imports internal/cli/pipelinecmd",
		"internal/cli/pipelinecmd imports internal/cli/preflightcmd",
		"internal/cli/pipelinecmd/live imports golang.org/x/term (terminal detection lives in cmdutil.IsTerminal)",
		"pkg/images imports cmd/winami/sandboxcmd (nothing imports the composition root)",
		"pkg/specrun imports github.com/spf13/cobra (workflows in pkg know nothing of the command line)",
		"pkg/specrun imports internal/cli/output (workflows in pkg know nothing of the command line)",
		"sandbox/ec2 imports internal/textsafe (the sandbox imports nothing of winami)",
		"sandbox/imagebuilder imports pkg/component (the sandbox imports nothing of winami)",
	}
	if got := violations(pkgs); !slices.Equal(got, want) {
		t.Errorf("violations:\n got %q\nwant %q", got, want)
	}
}
