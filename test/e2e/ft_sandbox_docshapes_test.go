package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/winami/winami/cmd/winami/sandboxcmd"
	"github.com/winami/winami/internal/cli"
	"github.com/winami/winami/internal/cli/cmdutil"
	"github.com/winami/winami/sandbox"
)

// jsonBlocks are the ```json blocks of a docs page, parsed.
func jsonBlocks(t *testing.T, page string) []any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", page))
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(b, -1) {
		var v any
		if err := json.Unmarshal(m[1], &v); err != nil {
			t.Fatalf("docs/%s: a json block does not parse: %v\n%s", page, err, m[1])
		}
		out = append(out, v)
	}
	return out
}

// docBlock is the block of a page that has the key.
func docBlock(t *testing.T, page, key string) map[string]any {
	t.Helper()
	for _, v := range jsonBlocks(t, page) {
		if m, ok := v.(map[string]any); ok && m[key] != nil {
			return m
		}
	}
	t.Fatalf("docs/%s has no json example with %q", page, key)
	return nil
}

// sameShape reports where got differs from the documented want in keys or
// JSON types; arrays are compared element by element as far as the docs go.
func sameShape(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: documented as an object, is %T", path, got)}
		}
		var diffs []string
		keys := func(m map[string]any) []string {
			var k []string
			for key := range m {
				k = append(k, key)
			}
			slices.Sort(k)
			return k
		}
		if wk, gk := keys(w), keys(g); !slices.Equal(wk, gk) {
			diffs = append(diffs, fmt.Sprintf("%s: documented keys %v, output has %v", path, wk, gk))
		}
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				diffs = append(diffs, sameShape(path+"."+k, wv, gv)...)
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: documented as an array, is %T", path, got)}
		}
		if len(g) < len(w) {
			return []string{fmt.Sprintf("%s: documented with %d entries, output has %d", path, len(w), len(g))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, sameShape(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return diffs
	default:
		if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
			return []string{fmt.Sprintf("%s: documented as %T (%v), is %T (%v)", path, want, want, got, got)}
		}
	}
	return nil
}

// winamiJSON runs winami in-process against an embedded sandbox.
func winamiJSON(t *testing.T, wantCode int, args ...string) map[string]any {
	t.Helper()
	var out, errOut bytes.Buffer
	app := sandboxcmd.NewApp(cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "credentials"))
	if code := cli.Execute(t.Context(), app, append([]string{"--sandbox", "-o", "json"}, args...)); code != wantCode {
		t.Fatalf("winami %v: exit %d, want %d\n%s", args, code, wantCode, errOut.String())
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("winami %v: %v\n%s", args, err, out.String())
	}
	return v
}

// The -o json example of docs/images.md is the shape `images check` prints
// and the shape of plan's imageCheck, which docs/images.md says is the same.
func TestDocsImagesCheckShape(t *testing.T) {
	doc := docBlock(t, "images.md", "totalCompressedBytes")
	got := winamiJSON(t, 2, "images", "check", "--windows", "2022",
		"mcr.microsoft.com/windows/servercore:ltsc2019", "mcr.microsoft.com/windows/servercore:ltsc2022")
	for _, d := range sameShape("images check", doc, got) {
		t.Error(d)
	}
	if got["host"] != "10.0.20348" {
		t.Errorf("images check: host %v, want the documented \"10.0.20348\"", got["host"])
	}

	spec := filepath.Join(t.TempDir(), "winami.yaml")
	if err := os.WriteFile(spec, []byte(`apiVersion: winami/v1alpha1
kind: ImageSpec
name: shapes
region: us-east-1
base: {windows: 2022, edition: core, osBuild: 10.0.20348.4391}
kubernetes: {version: "1.35"}
build: {instanceProfile: winami-build}
cache:
  images:
    - mcr.microsoft.com/windows/servercore:ltsc2022
    - mcr.microsoft.com/windows/nanoserver:ltsc2022
`), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := winamiJSON(t, 0, "plan", "-f", spec)
	check, ok := plan["imageCheck"].(map[string]any)
	if !ok {
		t.Fatalf("plan -o json has no imageCheck object: %v", plan["imageCheck"])
	}
	// Both plan images are compatible: compare with the documented
	// compatible entry.
	docCompatible := doc["images"].([]any)[1]
	want := map[string]any{"host": doc["host"], "images": []any{docCompatible, docCompatible}, "totalCompressedBytes": doc["totalCompressedBytes"]}
	for _, d := range sameShape("plan imageCheck", want, check) {
		t.Error(d)
	}
	if check["host"] != "10.0.20348.4391" {
		t.Errorf("plan imageCheck: host %v, want the spec's osBuild as a string", check["host"])
	}
}

// The announcement docs/sandbox.md shows is what the sandbox serves.
func TestDocsSandboxAnnouncementShape(t *testing.T) {
	doc := docBlock(t, "sandbox.md", "registries")
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566"+sandbox.AnnouncementPath, nil))
	var got any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	for _, d := range sameShape("announcement", doc, got) {
		t.Error(d)
	}
	if w, g := fmt.Sprint(doc), fmt.Sprint(got); w != g {
		t.Errorf("docs/sandbox.md shows\n%s\nthe sandbox serves\n%s", w, g)
	}
}
